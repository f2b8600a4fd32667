"""An office without Flask for service, view and relay tests: the demo rules, a temp-file
database with the given staff, and a ManualClock standing at `now`."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from shared.clock import ManualClock
from shared.domain.config import DEMO_TEMPLATE, OfficeConfig, load_config
from shared.office import Office
from shared.store import Store


def clocked_office(path: Path, now: datetime, staff: tuple[tuple[str, str], ...] = (("petugas", "officer"),),
                   config: OfficeConfig | None = None) -> Office:
    """The office (demo rules unless `config`), its staff made in order (ids 1, 2, …)."""
    store = Store(path)
    store.migrate()
    db = store.connect()
    try:
        with store.write(db):
            for username, role in staff:
                db.accounts.add_user(username, "-", role, now)
    finally:
        db.close()
    return Office(config or load_config(DEMO_TEMPLATE), store, ManualClock(now))
