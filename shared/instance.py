"""The instance folder: office file, secret key and database of one office.

An empty or missing folder becomes the demo office, so `antrean serve` on a fresh machine
gives a working office at once. The secret key is made once and kept, so sessions and QR
tokens survive a restart. What Antrean creates here is the owner's alone: the folder 0700,
the database, the secret key and the demo credentials 0600.
"""
from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from .clock import utc_now
from .domain.config import CONFIG_NAME, DEMO_TEMPLATE
from .domain.errors import DomainError
from .services.accounts import add_staff, check_password, register_kiosk
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
    """The instance's secret, created on first use with owner-only permissions.

    Several commands may start together on a new office (`antrean kiosk add` and `user add`
    side by side): the secret is written to a file of this process's own and linked into
    place, so one of them makes it, the others find it, and none reads it half written."""
    if not paths.secret.exists():
        paths.root.mkdir(parents=True, exist_ok=True)
        draft = paths.root / f".{SECRET_NAME}.{os.getpid()}.{secrets.token_hex(4)}"
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(draft, paths.secret)
        except FileExistsError:
            pass   # another process made it first: theirs is the office's secret
        finally:
            draft.unlink()
    return paths.secret.read_text().strip()


def _private_folder(path: Path) -> None:
    """Make the folder (and missing parents) if it is missing; the folder itself owner-only."""
    if path.exists():
        return
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)


def _private_database(path: Path) -> None:
    """Create the database file owner-only before SQLite does (SQLite gives its -wal and -shm
    files the database's permissions); an existing file is left as its owner set it, also when
    another process starting at the same moment has just made it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def demo_password(username: str) -> str:
    """A generated demo password that the password rules accept (the same rules as any)."""
    while True:
        password = f"{username}-{secrets.token_urlsafe(6)}"
        try:
            return check_password(password, username)
        except DomainError:
            continue


def ensure_instance(root: str | Path) -> tuple[InstancePaths, bool]:
    """Create the folder with the demo office when it has no office file; (paths, created)."""
    paths = InstancePaths(Path(root).resolve())
    if paths.config.exists():
        _private_database(paths.database)
        return paths, False
    _private_folder(paths.root)
    shutil.copyfile(DEMO_TEMPLATE, paths.config)
    _private_database(paths.database)
    secret_key(paths)
    store = Store(paths.database)
    store.migrate()
    now = utc_now()
    lines = ["Demo office logins (change or remove them before real use):"]
    db = store.connect()
    try:
        for username, role in DEMO_STAFF:
            password = demo_password(username)
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


SERVING_LOCK = "serving.lock"
_held_locks: list = []


class ServingLockTaken(Exception):
    """The instance is held by another process: a server (for a restore) or a restore (for a server)."""


def hold_serving_lock(paths: InstancePaths) -> None:
    """Mark this process as serving the instance, until it exits.

    A shared `flock` on `serving.lock` in the instance folder, kept for the life of the
    process (and of the workers it forks, which inherit it). The kernel drops it when the
    last of them ends, crash or not: a stale file never blocks a restore. Several servers
    may share it; a restore in progress (which holds it exclusively) makes this refuse.
    """
    import fcntl   # POSIX only, like gunicorn itself

    handle = _lock_file(paths)
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ServingLockTaken("a restore of this office's database is in progress") from None
    _held_locks.append(handle)


def exclusive_lock(paths: InstancePaths):
    """Take the instance for a restore: an open file holding the exclusive lock (close it to
    release), or ServingLockTaken when a server is running on this instance."""
    import fcntl

    handle = _lock_file(paths)   # the caller closes it
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ServingLockTaken("the server is running on this instance; stop it first (e.g. "
                               "`systemctl stop antrean`), then restore") from None
    return handle


def _lock_file(paths: InstancePaths):
    """The lock file, opened (and created owner-only, like everything Antrean makes here)."""
    return os.fdopen(os.open(paths.root / SERVING_LOCK, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a")
