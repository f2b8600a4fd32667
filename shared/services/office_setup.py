"""Applying an edited office to the running server, in one write.

The check that nothing today's queue uses is taken away (`config_edits.refusals`), the
file being written, and the swap of `office.config` all happen inside one write
transaction: no kiosk can issue a ticket for a service between the check that it has none
and its removal, and no service call sees the configuration change half-way through its own
write. The swap raises a `QueueChanged` for everyone, so displays and consoles get a fresh
snapshot and every phone's estimate is recomputed (counters and services may have changed).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from ..domain import audit
from ..domain.model import StaffUser
from ..domain.bookings import BOOKED
from ..domain.config import OfficeConfig
from ..domain.config_edits import ConfigInUse, Usage, refusals
from ..domain.events import QueueChanged
from ..office import Office
from ..store import Connection
from . import unit


def apply(office: Office, db: Connection, config: OfficeConfig, version: str = "",
          commit: Callable[[], str] | None = None, *, by: StaffUser | None = None, section: str | None = None) -> str:
    """Make `config` the office's, unless today's queue forbids it (ConfigInUse, nothing changes);
    the version now in force.

    `commit` (writing office.toml) runs after the check and before the swap, inside the
    write, and returns the version of the file it wrote: when it fails, the running
    configuration stays and the error propagates. `by` is the admin who edited it (None: a
    hand edit of the file, applied by the server), recorded in the audit trail.
    """
    with unit.write(office, db) as work:
        found = refusals(office.config, config, usage(office, db, work.today))
        if found:
            raise ConfigInUse(found)
        if commit is not None:
            version = commit()
        work.audit("office.edited", audit.staff(by), section=section, version=version[:16] or None)
        office.config = config
        office.config_version = version
        work.raise_event(QueueChanged())
    return version


def usage(office: Office, db: Connection, today: str) -> Usage:
    """What today's queue and the bookings ahead use of the office's services and counters."""
    booked: dict[str, int] = {}
    first = date.fromisoformat(today)
    for offset in range(office.config.booking.window_days + 1):
        for booking in db.bookings.on_day((first + timedelta(days=offset)).isoformat(), (BOOKED,)):
            booked[booking.service] = booked.get(booking.service, 0) + 1
    return Usage(
        tickets=db.tickets.count_by_status(today),
        bookings=booked,
        busy_counters=frozenset(ticket.counter for ticket in db.tickets.active_calls(today) if ticket.counter),
        held_counters={number: holder.username for number, holder in db.counters.holders().items()},
    )
