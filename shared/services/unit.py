"""One service call's write: the transaction, the instant it happens at, and its events.

`write(office, db)` opens the store's write transaction, reads the clock inside the lock
(so tickets issued at the same instant by several kiosks are in the order they were
numbered), collects the events the service raises, and appends them to the event log
just before the commit: recorded together with the writes, or not at all.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.audit import Actor
from ..domain.events import Event, merge_queue_changes
from ..office import Office
from ..store import Connection
from .audit import record


@dataclass
class Unit:
    """The open write: its connection, its instant and the events raised so far."""

    office: Office
    db: Connection
    now: datetime
    events: list[Event] = field(default_factory=list)

    @property
    def today(self) -> str:
        return self.office.today(self.now)

    def audit(self, action: str, actor: Actor, *, counter: int | None = None, ticket_id: int | None = None,
              **detail) -> None:
        """Record who did what in the audit chain, in this same transaction."""
        record(self.db, self.now, actor, action, counter=counter, ticket_id=ticket_id, **detail)

    def raise_event(self, *events: Event) -> None:
        """Record that something happened; delivered to subscribers after the commit."""
        self.events.extend(events)


@contextmanager
def write(office: Office, db: Connection) -> Iterator[Unit]:
    """Run one service's writes as one transaction, with its events appended to the log."""
    with office.store.write(db):
        unit = Unit(office, db, office.clock())
        yield unit
        for event in merge_queue_changes(unit.events):
            db.events.append(event, unit.now)
