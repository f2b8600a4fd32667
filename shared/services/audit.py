"""The audit trail as a use case: record an action outside a service's unit, verify the chain.

Services inside `unit.write` record with `unit.audit(...)`; the few writes that run
directly on the store (accounts, kiosks, the command line) use `record`. Reading the
trail for people is `views.audit`.
"""
from __future__ import annotations

from datetime import datetime

from ..domain.audit import (
    DIVERGED, START_REMOVED, UNAUDITED, Actor, Break, ChainWalker, Verdict, check_ticket_event,
)
from ..store import Connection, Store
from ..store.audit import head_of_file


def record(db: Connection, now: datetime, actor: Actor, action: str, *, counter: int | None = None,
           ticket_id: int | None = None, **detail) -> None:
    """Append an audit row inside the caller's open write transaction (details that are None are left out)."""
    db.audit.append(now, actor, action, counter=counter, ticket_id=ticket_id,
                    detail={key: value for key, value in detail.items() if value is not None})


def record_now(store: Store, now: datetime, actor: Actor, action: str, **detail) -> None:
    """Record an action in a write of its own (the command line's backups and restores)."""
    db = store.connect()
    try:
        with store.write(db):
            record(db, now, actor, action, **detail)
    finally:
        db.close()


def head_of_backup(path) -> tuple[int, str] | None:
    """The audit head (row id, hash) a backup file carries, or None."""
    return head_of_file(str(path))


def verify(db: Connection, *, against: tuple[int, str] | None = None) -> Verdict:
    """Walk the whole chain in one read snapshot; the first broken row, if any.

    Beyond the hash links, each ticket change's audit row must agree with its
    `ticket_events` row, and every `ticket_events` row since the trail began must have one.
    `against` is a head noted earlier (a backup's): the trail must still hold that row with
    that hash, which catches the one thing a chain cannot show by itself, its newest rows
    deleted.
    """
    with db.snapshot():
        if against is not None and db.audit.hash_of(against[0]) != against[1]:
            return Verdict(0, 0, "", Break(against[0], DIVERGED))
        walker = ChainWalker()
        for record_ in db.audit.walk():
            if not walker.step(record_):
                return walker.verdict()
            if record_.ticket_event is not None:
                problem = check_ticket_event(record_, db.audit.ticket_event(record_.ticket_event))
                if problem:
                    walker.broken = Break(record_.id, problem)
                    return walker.verdict()
        first = db.audit.ticket_events_from()
        if first is None:
            walker.broken = Break(walker.verdict().head_id, START_REMOVED)
            return walker.verdict()
        missing = db.audit.unaudited_ticket_event(first)
        if missing is not None:
            walker.broken = Break(walker.verdict().head_id, UNAUDITED, {"event": missing})
        return walker.verdict()
