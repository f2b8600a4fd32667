"""Counters: open, pause or close them, and who works each one.

A counter is worked by one signed-in officer at a time. The first officer to act at a
free counter holds it; another officer's action there is refused (`counter_taken`) until
the holder signs out or closes it, or a supervisor takes it over. Without this, two
officers on one counter finished each other's visitors.
"""
from __future__ import annotations

from ..domain import audit
from ..domain import desks
from ..domain.errors import CounterTaken, Forbidden, InvalidState, Unprocessable, UnknownCounter
from ..domain.events import QueueChanged
from ..domain.model import COUNTER_CLOSED, COUNTER_OPEN, COUNTER_STATES, CounterDesk, StaffUser
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .unit import Unit, write


def desk(office: Office, db: Connection, number: int) -> CounterDesk:
    """One counter with its live state; `unknown_counter` when it is not configured."""
    found = desks.desk(office.config, number, db.counters.states())
    if found is None:
        raise UnknownCounter(N_("Unknown counter: %(counter)s."), counter=number)
    return found


def open_desk(office: Office, db: Connection, number: int) -> CounterDesk:
    """The counter, refusing when it is paused or closed."""
    found = desk(office, db, number)
    if found.state != COUNTER_OPEN:
        raise InvalidState(N_("This counter is not open."))
    return found


def claim(unit: Unit, number: int, staff: StaffUser | None) -> None:
    """Hold the counter for this officer, or refuse when another officer works it (inside a write)."""
    if staff is None:
        return  # the system itself (scheduler, CLI) acts for no officer
    holder = unit.db.counters.holder(number)
    if holder is None:
        unit.db.counters.hold(number, staff.id, unit.now)  # the action itself raises what screens need
    elif holder.staff_id != staff.id:
        raise CounterTaken(N_("Counter %(counter)s is being worked by %(username)s. Ask a supervisor to "
                              "take it over."), counter=number, username=holder.username)


def set_state(office: Office, db: Connection, number: int, state: str, *, staff: StaffUser | None,
              claim_counter: bool = True) -> CounterDesk:
    """Open, pause or close a counter, so calling and displays follow staff rotation.

    The officer at the counter holds it by doing so; a supervisor steering the floor
    (`claim_counter=False`) changes it without taking it from whoever works it.
    """
    if state not in COUNTER_STATES:
        raise Unprocessable(N_("Unknown counter state: %(state)s."), state=str(state)[:20])
    with write(office, db) as unit:
        desk(office, db, number)
        if claim_counter:
            claim(unit, number, staff)
        db.counters.set_state(number, state, staff.id if staff else None, unit.now)
        unit.audit("counter.state", audit.staff(staff), counter=number, state=state)
        if state == COUNTER_CLOSED:
            db.counters.hold(number, None, unit.now)  # a closed counter is nobody's
        unit.raise_event(QueueChanged())
    return desk(office, db, number)


def take_over(office: Office, db: Connection, number: int, *, staff: StaffUser) -> CounterDesk:
    """A supervisor takes a counter from whoever holds it (to work it, or to free it after)."""
    if not staff.has_role("supervisor"):
        raise Forbidden(N_("Only a supervisor can take over a counter."))
    with write(office, db) as unit:
        desk(office, db, number)
        db.counters.hold(number, staff.id, unit.now)
        unit.audit("counter.taken_over", audit.staff(staff), counter=number)
        unit.raise_event(QueueChanged())
    return desk(office, db, number)


def release(office: Office, db: Connection, number: int, *, staff: StaffUser) -> CounterDesk:
    """The holder (or a supervisor) frees the counter for another officer."""
    with write(office, db) as unit:
        desk(office, db, number)
        holder = db.counters.holder(number)
        if holder is not None and holder.staff_id != staff.id and not staff.has_role("supervisor"):
            raise CounterTaken(N_("Counter %(counter)s is being worked by %(username)s. Ask a supervisor to "
                                  "take it over."), counter=number, username=holder.username)
        db.counters.hold(number, None, unit.now)
        unit.audit("counter.released", audit.staff(staff), counter=number)
        unit.raise_event(QueueChanged())
    return desk(office, db, number)


def sign_out(office: Office, db: Connection, *, staff: StaffUser) -> list[int]:
    """The officer signed out: every counter they held is free again; the numbers freed."""
    with write(office, db) as unit:
        freed = db.counters.release_all(staff.id)
        if freed:
            unit.raise_event(QueueChanged())
    return freed
