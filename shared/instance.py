"""The instance folder: office file, secret key and database of one office.

An empty or missing folder becomes the demo office, so `antrean serve` on a fresh machine
gives a working office at once. The secret key is made once and kept, so sessions and QR
tokens survive a restart.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from .clock import utc_now
from .domain.config import CONFIG_NAME, DEMO_TEMPLATE
from .services.accounts import add_staff, register_kiosk
from .store import Store

DATABASE_NAME = "antrean.sqlite3"
SECRET_NAME = "secret_key"
DEMO_NOTE = "demo-credentials.txt"
DEMO_STAFF = (("petugas", "officer"), ("supervisor", "supervisor"), ("admin", "admin"))


@dataclass(frozen=True)
class InstancePaths:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def database(self) -> Path:
        return self.root / DATABASE_NAME

    @property
    def secret(self) -> Path:
        return self.root / SECRET_NAME

    @property
    def demo_note(self) -> Path:
        return self.root / DEMO_NOTE


def secret_key(paths: InstancePaths) -> str:
    """The instance's secret, created on first use with owner-only permissions."""
    if not paths.secret.exists():
        paths.root.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(paths.secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return paths.secret.read_text().strip()


def ensure_instance(root: str | Path) -> tuple[InstancePaths, bool]:
    """Create the folder with the demo office when it has no office file; (paths, created)."""
    paths = InstancePaths(Path(root).resolve())
    if paths.config.exists():
        return paths, False
    paths.root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEMO_TEMPLATE, paths.config)
    secret_key(paths)
    store = Store(paths.database)
    store.migrate()
    now = utc_now()
    lines = ["Demo office logins (change or remove them before real use):"]
    db = store.connect()
    try:
        for username, role in DEMO_STAFF:
            password = f"{username}-{secrets.token_hex(3)}"
            add_staff(db, username, password, role, now)
            lines.append(f"  {role:<10} user {username:<11} password {password}")
        kiosk_token = register_kiosk(db, "Kiosk demo", now)
    finally:
        db.close()
    lines.append(f"Demo kiosk token: {kiosk_token}")
    descriptor = os.open(paths.demo_note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return paths, True
