"""Calling visitors to a counter and moving them along: call-next, out-of-order calls,
letting an invited visitor in and calling them, recall, start, done, no-show, transfer, and
a no-show's return.

The queue policy (`shared.domain.policy`) chooses inside the write transaction, so two
counters pressing Next at once never get the same ticket. Every action first holds the
counter for the officer (`services.counters.claim`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from ..domain import policy as queue_policy
from ..domain.desks import desk as configured_desk
from ..domain.errors import InvalidRequest, InvalidState, UnknownService, UnknownTicket
from ..domain.events import QueueChanged, TicketCalled
from ..domain.model import CALLED, DONE, INVITED, NO_SHOW, OUTSIDE, SERVING, WAITING, CounterDesk, StaffUser, Ticket
from ..domain.officetime import parse_utc, to_utc_text
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .capacity import invite
from .counters import claim, desk, open_desk
from .tickets import by_typed_number, come_in
from .unit import Unit, write


# The rule of a call made by letting an invited visitor in at the counter (see admit_and_call).
ADMITTED = "admitted"


@dataclass(frozen=True)
class CallResult:
    """What a call did: the ticket called (None: nobody waits), why, and what became of the
    counter's previous visitor (`done` when served, `no_show` when they never came)."""

    called: Ticket | None
    rule: str | None = None
    waited: timedelta | None = None
    previous: Ticket | None = None
    line: int | None = None   # the other counter whose line the ticket came from, if any


def _staff_id(staff: StaffUser | None) -> int | None:
    return staff.id if staff else None


def call_next(office: Office, db: Connection, number: int, *, staff: StaffUser | None,
              idempotency_key: str | None = None) -> CallResult:
    """Finish the counter's current visitor and call the next one the policy chooses.

    A visitor being served is completed (`done`); one still only called, who never came
    to the counter, becomes `no_show` (able to return) and the result says so. With an
    idempotency key the first result is stored in the same transaction, so a repeat (a
    double press, a retried request) gets that result and calls nobody new.
    """
    scope = f"call-next:{number}:{_staff_id(staff)}"
    with write(office, db) as unit:
        if idempotency_key:
            remembered = db.idempotency.remembered(scope, idempotency_key)
            if remembered is not None:
                return _result_from_record(remembered)
        counter = open_desk(office, db, number)
        claim(unit, number, staff)
        previous = _finish_current(unit, number, staff)
        decision = _decide(unit, counter)
        result = CallResult(None, previous=previous)
        if decision is not None:
            result = _call(unit, decision, number, staff, previous=previous)
        if previous is not None:
            unit.raise_event(QueueChanged((previous.service,), (previous.id,)))
            invite(unit)
        if idempotency_key:
            db.idempotency.remember(scope, idempotency_key, _result_record(result), unit.now)
    return result


def call_ticket(office: Office, db: Connection, number: int, ticket_number: str, reason: str, *,
                staff: StaffUser | None) -> CallResult:
    """Call one waiting ticket out of the policy's order; the reason goes into the audit trail."""
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 200:
        raise InvalidRequest(N_("Give a reason (3-200 characters) for calling out of order."))
    with write(office, db) as unit:
        counter = open_desk(office, db, number)
        claim(unit, number, staff)
        chosen = by_typed_number(db, unit.today, ticket_number)
        if chosen is None or chosen.status != WAITING or not queue_policy.serves(counter, lines_of(office, db, counter),
                                                                                  chosen):
            raise InvalidState(N_("That ticket is not waiting for this counter."))
        decision = queue_policy.Decision(chosen, queue_policy.OUT_OF_ORDER, unit.now - chosen.arrived_at)
        return _call_instead(unit, decision, number, staff, note=reason)


def admit_and_call(office: Office, db: Connection, number: int, ticket_number: str, *,
                   staff: StaffUser | None) -> CallResult:
    """Let in a visitor invited inside who came to the counter without scanning, and call them here.

    Invited visitors are not called until they come in, so one who walked past the scanner was
    never called. The officer does both in one step; the rule recorded is `admitted`.
    """
    with write(office, db) as unit:
        counter = open_desk(office, db, number)
        claim(unit, number, staff)
        found = by_typed_number(db, unit.today, ticket_number)
        if found is None:
            raise UnknownTicket(N_("Unknown ticket."))
        if found.status not in (INVITED, OUTSIDE) or not queue_policy.serves(counter, lines_of(office, db, counter),
                                                                            found):
            raise InvalidState(N_("That ticket is not waiting outside for this counter."))
        inside = come_in(unit, found, staff, at_counter=number)
        decision = queue_policy.Decision(inside, ADMITTED, unit.now - inside.arrived_at)
        return _call_instead(unit, decision, number, staff)


def next_decision(office: Office, db: Connection, number: int) -> queue_policy.Decision | None:
    """Who call-next would call now at this counter, and by which rule (shown to the officer)."""
    counter = desk(office, db, number)
    return queue_policy_choice(office, db, counter, office.clock())


def lines_of(office: Office, db: Connection, counter: CounterDesk) -> list[CounterDesk]:
    """The profiles of the other counters whose lines this counter also serves (a supervisor
    assigned them while their officers are away); counters no longer configured are skipped."""
    found = (configured_desk(office.config, number, {}) for number in db.lines.of(counter.number))
    return [line for line in found if line is not None]


def queue_policy_choice(office: Office, db: Connection, counter: CounterDesk,
                        now: datetime) -> queue_policy.Decision | None:
    """The policy's choice among the heads of the lines this counter serves (its own and any
    other counters' lines it was assigned)."""
    policy = office.config.policy
    date = office.today(now)
    lines = lines_of(office, db, counter)
    services = tuple(dict.fromkeys(service for desk_ in (counter, *lines) for service in desk_.services))
    recent = (db.tickets.recent_call_lanes(counter.number, date, policy.max_priority_streak or 0)
              if any(desk_.lanes is None for desk_ in (counter, *lines)) else [])
    return queue_policy.choose_with_lines(db.queue.waiting_heads(date, services), counter, lines, now, policy,
                                          recent)


def _decide(unit: Unit, counter: CounterDesk) -> queue_policy.Decision | None:
    return queue_policy_choice(unit.office, unit.db, counter, unit.now)


def _finish_current(unit: Unit, number: int, staff: StaffUser | None) -> Ticket | None:
    """The counter's visitor is done if being served, absent (`no_show`) if they never came."""
    current = unit.db.tickets.active_at_counter(number)
    if current is None:
        return None
    if current.status == SERVING:
        return unit.db.tickets.change(current, DONE, now=unit.now, staff_id=_staff_id(staff),
                                      detail="completed by call-next")
    return unit.db.tickets.change(current, NO_SHOW, now=unit.now, staff_id=_staff_id(staff),
                                  detail="never came to the counter: absent by call-next")


def _call_instead(unit: Unit, decision: queue_policy.Decision, number: int, staff: StaffUser | None, *,
                  note: str | None = None) -> CallResult:
    """Finish the counter's current visitor, then call the chosen ticket (inside a write)."""
    previous = _finish_current(unit, number, staff)
    result = _call(unit, decision, number, staff, previous=previous, note=note)
    if previous is not None:
        unit.raise_event(QueueChanged((previous.service,), (previous.id,)))
        invite(unit)
    return result


def call_for(unit: Unit, decision: queue_policy.Decision, number: int, staff: StaffUser | None, *,
             note: str) -> CallResult:
    """Call the decided ticket to counter `number` on someone else's behalf (a supervisor on the
    floor), inside their write: the counter is not claimed and must have no visitor."""
    return _call(unit, decision, number, staff, previous=None, note=note)


def _call(unit: Unit, decision: queue_policy.Decision, number: int, staff: StaffUser | None, *,
          previous: Ticket | None, note: str | None = None) -> CallResult:
    detail = f"rule:{decision.rule}" + (f" reason:{note}" if note else "")
    called = unit.db.tickets.change(decision.ticket, CALLED, now=unit.now, counter=number,
                                    staff_id=_staff_id(staff), called_at=unit.now, detail=detail)
    unit.raise_event(_called_event(called, recall=False), QueueChanged((called.service,), (called.id,)))
    return CallResult(called, decision.rule, decision.waited, previous, decision.line)


def _called_event(ticket: Ticket, *, recall: bool) -> TicketCalled:
    return TicketCalled(ticket_id=ticket.id, number=ticket.number, counter=ticket.counter,
                        service=ticket.service, lane=ticket.lane, recall=recall)


def return_ticket(office: Office, db: Connection, number: int, ticket_number: str, *,
                  staff: StaffUser | None) -> Ticket:
    """A visitor marked absent came back in time: they rejoin the queue in their old place."""
    policy = office.config.policy
    with write(office, db) as unit:
        desk(office, db, number)
        claim(unit, number, staff)
        absent = by_typed_number(db, unit.today, ticket_number)
        if absent is None or absent.status != NO_SHOW:
            raise InvalidState(N_("That ticket was not marked absent today."))
        if absent.returns >= policy.no_show_max_returns:
            raise InvalidState(N_("This ticket has already come back the most times allowed."), code="return_limit")
        absent_since = db.tickets.last_change_to(absent.id, NO_SHOW)
        if absent_since is None or unit.now - absent_since > policy.no_show_return:
            raise InvalidState(N_("Too late to come back with this ticket; please take a new one."),
                               code="return_expired")
        back = db.tickets.change(absent, WAITING, now=unit.now, staff_id=_staff_id(staff), at_counter=number,
                                 detail="returned after no-show", counter=None, called_at=None,
                                 returns=absent.returns + 1)
        unit.raise_event(QueueChanged((back.service,), (back.id,)))
    return back


def recall(office: Office, db: Connection, number: int, *, staff: StaffUser | None) -> Ticket:
    """Announce the counter's called ticket again."""
    with write(office, db) as unit:
        current = current_visitor(unit, number, (CALLED,), staff)
        if current.recalls >= office.config.policy.max_recalls:
            raise InvalidState(N_("This ticket has been called again the most times allowed."),
                               code="recall_limit")
        current = db.tickets.change(current, CALLED, now=unit.now, staff_id=_staff_id(staff),
                                    detail="recall", recalls=current.recalls + 1)
        unit.raise_event(_called_event(current, recall=True))
    return current


def start(office: Office, db: Connection, number: int, *, staff: StaffUser | None) -> Ticket:
    """The visitor arrived at the counter: service begins."""
    return _move_active(office, db, number, (CALLED,), SERVING, staff)


def finish(office: Office, db: Connection, number: int, *, staff: StaffUser | None) -> Ticket:
    """Service is complete."""
    return _move_active(office, db, number, (CALLED, SERVING), DONE, staff)


def no_show(office: Office, db: Connection, number: int, *, staff: StaffUser | None) -> Ticket:
    """The called visitor did not come to the counter."""
    return _move_active(office, db, number, (CALLED,), NO_SHOW, staff)


def transfer(office: Office, db: Connection, number: int, service: str, *, staff: StaffUser | None) -> Ticket:
    """Send the counter's visitor to another service's queue, keeping their arrival time."""
    target = office.config.service(service) if isinstance(service, str) else None
    if target is None:
        raise UnknownService(N_("Unknown service: %(service)s."), service=str(service)[:40])
    with write(office, db) as unit:
        current = current_visitor(unit, number, (CALLED, SERVING), staff)
        if current.service == service:
            raise InvalidState(N_("The ticket is already in this service."))
        lane = current.lane if current.lane in target.lanes else "general"
        moved = db.tickets.change(current, WAITING, now=unit.now, staff_id=_staff_id(staff), at_counter=number,
                                  detail=f"transfer {current.service} -> {service}",
                                  service=service, lane=lane, counter=None, called_at=None)
        unit.raise_event(QueueChanged((current.service, service), (moved.id,)))
    return moved


def _move_active(office: Office, db: Connection, number: int, allowed: tuple[str, ...], to_status: str,
                 staff: StaffUser | None) -> Ticket:
    with write(office, db) as unit:
        current = current_visitor(unit, number, allowed, staff)
        current = db.tickets.change(current, to_status, now=unit.now, staff_id=_staff_id(staff))
        unit.raise_event(QueueChanged((current.service,), (current.id,)))
        if to_status in (DONE, NO_SHOW):
            invite(unit)
    return current


def current_visitor(unit: Unit, number: int, allowed: tuple[str, ...], staff: StaffUser | None) -> Ticket:
    """The counter's visitor, held for this officer, in one of the `allowed` states (inside a write)."""
    desk(unit.office, unit.db, number)
    claim(unit, number, staff)
    current = unit.db.tickets.active_at_counter(number)
    if current is None or current.status not in allowed:
        raise InvalidState(N_("No ticket at this counter can do that now."))
    return current


# -- the stored first answer of an idempotent call-next ------------------------------------

def _ticket_record(ticket: Ticket | None) -> dict | None:
    if ticket is None:
        return None
    return {key: to_utc_text(value) if isinstance(value, datetime) else value
            for key, value in asdict(ticket).items()}


def _ticket_from_record(record: dict | None) -> Ticket | None:
    if record is None:
        return None
    times = ("arrived_at", "issued_at", "called_at", "appointment_at", "invited_at")
    return Ticket(**{key: parse_utc(value) if key in times else value for key, value in record.items()})


def _result_record(result: CallResult) -> dict:
    return {"called": _ticket_record(result.called), "rule": result.rule,
            "waited_s": result.waited.total_seconds() if result.waited is not None else None,
            "previous": _ticket_record(result.previous), "line": result.line}


def _result_from_record(record: dict) -> CallResult:
    waited = record.get("waited_s")
    return CallResult(_ticket_from_record(record.get("called")), record.get("rule"),
                      timedelta(seconds=waited) if waited is not None else None,
                      _ticket_from_record(record.get("previous")), record.get("line"))
