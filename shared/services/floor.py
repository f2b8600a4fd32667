"""What a supervisor does from the floor: set a counter's state, call a ticket to a counter,
move a waiting ticket to another service or lane, let a counter serve other counters' lines.

A supervisor steers the floor without taking a counter from the officer who works it, so
none of these claims the counter. Each is one write whose events reach the displays, the
visitor's phone and the consoles; a call or move made for a counter also raises
`TicketDirected`, which the console of that counter shows its officer as a notice.
"""
from __future__ import annotations

from ..domain import audit
from ..domain import policy as queue_policy
from ..domain.desks import desks
from ..domain.errors import (CounterTaken, InvalidLane, InvalidRequest, InvalidState, UnknownCounter, UnknownService,
                             UnknownTicket)
from ..domain.events import QueueChanged, TicketDirected
from ..domain.model import INVITED, OUTSIDE, WAITING, CounterDesk, StaffUser, Ticket
from ..i18n import N_
from ..office import Office
from ..store import Connection
from . import counters
from .calling import CallResult, call_for
from .tickets import by_typed_number
from .unit import write

CALLED_ACTION = "called"
MOVED_ACTION = "moved"
# Tickets a supervisor may move: still in a queue, not yet at a counter.
MOVABLE = (WAITING, INVITED, OUTSIDE)


def check_may_work(db: Connection, number: int, staff: StaffUser) -> None:
    """An officer may change only a counter that is free or theirs; a supervisor any counter."""
    if staff.has_role("supervisor"):
        return
    holder = db.counters.holder(number)
    if holder is not None and holder.staff_id != staff.id:
        raise CounterTaken(N_("Counter %(counter)s is being worked by %(username)s. Ask a supervisor to "
                              "take it over."), counter=number, username=holder.username)


def set_counter_state(office: Office, db: Connection, number: int, state: str, *, staff: StaffUser) -> CounterDesk:
    """`PUT /api/counters/<n>/state`: a supervisor sets it without holding the counter; an officer
    works the counter by doing so (as the console's buttons do)."""
    check_may_work(db, number, staff)
    return counters.set_state(office, db, number, state, staff=staff,
                              claim_counter=not staff.has_role("supervisor"))


def _reason(reason) -> str:
    reason = reason.strip() if isinstance(reason, str) else ""
    if not 3 <= len(reason) <= 200:
        raise InvalidRequest(N_("Give a reason (3-200 characters)."))
    return reason


def _queued(db: Connection, date: str, typed: str, statuses: tuple[str, ...]) -> Ticket:
    ticket = by_typed_number(db, date, typed) if isinstance(typed, str) else None
    if ticket is None:
        raise UnknownTicket(N_("Unknown ticket."))
    if ticket.status not in statuses:
        raise InvalidState(N_("Ticket %(number)s is not waiting."), number=ticket.number)
    return ticket


def serving_counters(office: Office, db: Connection, ticket: Ticket) -> tuple[int, ...]:
    """The counters that may call this ticket (whatever their state), whose officers should know."""
    return tuple(desk.number for desk in desks(office.config, db.counters.states())
                 if queue_policy.can_serve(desk, ticket))


def call_to_counter(office: Office, db: Connection, typed_number: str, number: int, reason: str, *,
                    staff: StaffUser) -> CallResult:
    """Call one waiting ticket to counter `number` now, out of the policy's order, for a reason.

    The counter must be open and free of visitors: a supervisor's call never finishes the
    visitor an officer is serving. The officer working it is told on the console.
    """
    reason = _reason(reason)
    with write(office, db) as unit:
        counters.open_desk(office, db, number)
        busy = db.tickets.active_at_counter(number)
        if busy is not None:
            raise InvalidState(N_("Counter %(counter)s still has %(number)s; call when it is free."),
                               code="counter_busy", counter=number, number=busy.number)
        chosen = _queued(db, unit.today, typed_number, (WAITING,))
        decision = queue_policy.Decision(chosen, queue_policy.OUT_OF_ORDER, unit.now - chosen.arrived_at)
        result = call_for(unit, decision, number, staff, note=f"supervisor {staff.username}: {reason}")
        called = result.called
        unit.raise_event(TicketDirected(ticket_id=called.id, number=called.number, action=CALLED_ACTION,
                                        service=called.service, lane=called.lane, counters=(number,),
                                        by=staff.username))
    return result


def move_ticket(office: Office, db: Connection, typed_number: str, service: str, lane: str, reason: str, *,
                staff: StaffUser) -> Ticket:
    """Move a queued ticket to another service and/or lane, keeping its arrival time (its place).

    The reason goes into the ticket's history; the visitor's phone shows the new line, and the
    consoles of the counters that may now call it are told.
    """
    reason = _reason(reason)
    target = office.config.service(service) if isinstance(service, str) else None
    if target is None:
        raise UnknownService(N_("Unknown service: %(service)s."), service=str(service)[:40])
    if lane not in target.lanes:
        raise InvalidLane(N_("This service has no such lane."))
    with write(office, db) as unit:
        ticket = _queued(db, unit.today, typed_number, MOVABLE)
        if (ticket.service, ticket.lane) == (service, lane):
            raise InvalidState(N_("Ticket %(number)s is already in that line."), number=ticket.number)
        moved = db.tickets.change(ticket, ticket.status, now=unit.now, staff_id=staff.id, service=service, lane=lane,
                                  detail=f"moved {ticket.service}/{ticket.lane} -> {service}/{lane} "
                                         f"by supervisor {staff.username}: {reason}")
        unit.raise_event(
            TicketDirected(ticket_id=moved.id, number=moved.number, action=MOVED_ACTION, service=service, lane=lane,
                           counters=serving_counters(office, db, moved), by=staff.username),
            QueueChanged(tuple(dict.fromkeys((ticket.service, service))), (moved.id,)),
        )
    return moved


def assign_lines(office: Office, db: Connection, number: int, lines, *, staff: StaffUser) -> tuple[int, ...]:
    """Counter `number` also serves these counters' lines (their officers are away) until changed;
    `[]` takes them back. Its call-next then chooses among all of them (`policy.choose_with_lines`)."""
    if (not isinstance(lines, list) or len(lines) > len(office.config.counters)
            or any(not isinstance(line, int) or isinstance(line, bool) for line in lines)):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="counters")
    chosen = tuple(sorted(set(lines)))
    for line in (number, *chosen):
        if office.config.counter(line) is None:
            raise UnknownCounter(N_("Unknown counter: %(counter)s."), counter=line)
    if number in chosen:
        raise InvalidState(N_("A counter serves its own line already."))
    with write(office, db) as unit:
        if db.lines.of(number) != chosen:
            db.lines.replace(number, chosen, staff.id, unit.now)
            unit.audit("counter.lines", audit.staff(staff), counter=number, lines=list(chosen))
            unit.raise_event(QueueChanged())   # more counters serve these lines: every estimate may move
    return chosen


def change_line(office: Office, db: Connection, number: int, line: int, *, serve: bool,
                staff: StaffUser) -> tuple[int, ...]:
    """Counter `number` starts (`serve`) or stops serving counter `line`'s line too; the lines it serves."""
    current = set(db.lines.of(number))
    wanted = current | {line} if serve else current - {line}
    return assign_lines(office, db, number, sorted(wanted), staff=staff)
