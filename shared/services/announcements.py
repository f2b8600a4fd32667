"""The displays' running text, set by a supervisor from the floor or the API.

Kept in the settings store, so it survives a restart and every display that connects later
gets it in its snapshot; the change is an `AnnouncementSet` event, so connected displays
show it at once.
"""
from __future__ import annotations

from ..domain import audit
from ..domain.announcements import clean_text
from ..domain.events import AnnouncementSet
from ..domain.model import StaffUser
from ..office import Office
from ..store import Connection
from .unit import write

SETTING = "announcement"


def current(db: Connection) -> str:
    """The running text shown now ("" when there is none)."""
    return db.settings.get(SETTING) or ""


def set_text(office: Office, db: Connection, text, *, staff: StaffUser | None) -> str:
    """Show `text` on every display ("" clears it); the text as it will be shown."""
    cleaned = clean_text(text)
    with write(office, db) as unit:
        if current(db) != cleaned:
            db.settings.set(SETTING, cleaned, staff.id if staff else None, unit.now)
            unit.audit("announcement.set", audit.staff(staff), text=cleaned)
            unit.raise_event(AnnouncementSet(cleaned))
    return cleaned
