"""A visitor's ticket: issue it, come in from outside, cancel it; the screening count."""
from __future__ import annotations

from datetime import datetime

from ..domain import audit
from ..domain import policy as queue_policy
from ..domain.config import ServiceConfig
from ..domain.errors import (
    Closed, InvalidLane, InvalidState, Localized, OnlineClosed, QuotaFull, UnknownService, UnknownTicket,
)
from ..domain.events import QueueChanged
from ..domain.model import CALLED, CANCELLED, INVITED, ONLINE, OUTSIDE, SERVING, WAITING, WALK_IN, StaffUser, Ticket
from ..domain.numbering import format_number, parse_number
from ..domain.officetime import to_office_iso
from ..domain.quotas import quota_state
from ..i18n import LANGUAGES, N_
from ..office import Office
from ..store import Connection
from .capacity import has_room, invite
from .unit import Unit, write


def issue(office: Office, db: Connection, *, service: str, lane: str, kiosk_id: int | None = None,
          channel: str = WALK_IN, request_key: str | None = None) -> Ticket:
    """Give a visitor the next number of the day for a service and lane.

    A repeated `request_key` from the same kiosk (a double press, a retried request)
    returns the ticket of the first request instead of printing a second one.
    """
    service_config = service_and_lane(office, service, lane)
    scope = f"issue:{kiosk_id}"
    with write(office, db) as unit:
        if request_key:
            remembered = db.idempotency.remembered(scope, request_key)
            if remembered is not None:
                return db.tickets.get(remembered["ticket_id"])
        check_open(office, unit.now)
        _check_quota(office, db, unit.today, service_config, lane)
        status = WAITING if has_room(office, db, unit.today) else OUTSIDE
        ticket = new_ticket(unit, service_config, lane, status, channel, kiosk_id=kiosk_id)
        if request_key:
            db.idempotency.remember(scope, request_key, {"ticket_id": ticket.id}, unit.now)
    return ticket


def new_ticket(unit: Unit, service: ServiceConfig, lane: str, status: str, channel: str, *,
               kiosk_id: int | None = None, appointment_at: datetime | None = None) -> Ticket:
    """Number and insert a ticket inside a write (walk-in, appointment or online line alike)."""
    sequence = unit.db.tickets.next_sequence(unit.today, service.code)
    ticket = unit.db.tickets.insert(
        business_date=unit.today, service=service.code, lane=lane, sequence=sequence,
        number=format_number(service.prefix, sequence), status=status, channel=channel,
        kiosk_id=kiosk_id, now=unit.now, appointment_at=appointment_at,
        actor=None if kiosk_id is not None else audit.VISITOR,
    )
    unit.raise_event(QueueChanged((service.code,), (ticket.id,)))
    return ticket


def service_and_lane(office: Office, service: str, lane: str) -> ServiceConfig:
    """The configured service, refusing an unknown service or a lane it does not offer."""
    service_config = office.config.service(service) if isinstance(service, str) else None
    if service_config is None:
        raise UnknownService(N_("Unknown service: %(service)s."), service=str(service)[:40])
    if lane not in service_config.lanes:
        raise InvalidLane(N_("This lane is not available for this service: %(lane)s."), lane=str(lane)[:40])
    return service_config


def join_online(office: Office, db: Connection, *, service: str, lane: str) -> Ticket:
    """A visitor joins the line from home: a ticket of channel `online` that waits outside.

    They follow it on the phone, are invited in as room frees like anyone outside, and come
    in by scanning it at the kiosk. Refused when the office has the online line off, outside
    hours, or once the line's share of the day's quota is used up.
    """
    service_config = service_and_lane(office, service, lane)
    rules = office.config.booking
    with write(office, db) as unit:
        if not rules.online_enabled:
            raise OnlineClosed(N_("The online line is closed. Please come to the office or use another way."),
                               extra=_alternatives_extra(office))
        check_open(office, unit.now)
        _check_quota(office, db, unit.today, service_config, lane)
        taken = db.tickets.count_channel(unit.today, service_config.code, ONLINE)
        if taken >= rules.online_limit(service_config.daily_quota):
            raise OnlineClosed(N_("Today's places in the online line are taken. Please come to the office or "
                                  "use another way."), extra=_alternatives_extra(office))
        ticket = new_ticket(unit, service_config, lane, OUTSIDE, ONLINE)
        invite(unit)   # with room inside, they are invited at once, like anyone waiting outside
    return db.tickets.get(ticket.id)


def check_open(office: Office, now: datetime) -> None:
    """Refuse walk-in tickets outside face-to-face hours, saying when the office opens again."""
    zone = office.config.zone
    if office.config.hours.accepts_tickets(now, zone):
        return
    opening = office.config.hours.next_opening(now, zone)
    if opening is None:
        raise Closed(N_("Face-to-face service is closed now."), extra={"next_open": None})
    raise Closed(N_("Face-to-face service is closed now. It opens again on %(when)s."),
                 when=f"{opening:%d-%m-%Y %H:%M} {opening.tzname()}",
                 extra={"next_open": to_office_iso(opening, zone)})


def closed_now(office: Office) -> Closed | None:
    """None while tickets are issued, else the refusal a visitor would get (with next opening)."""
    try:
        check_open(office, office.clock())
    except Closed as error:
        return error
    return None


def _check_quota(office: Office, db: Connection, date: str, service, lane: str) -> None:
    """Refuse a ticket once the service's daily quota is used up, or its lane's: a full lane
    says so, because the service's other lanes are still open."""
    if service.daily_quota is None and not service.lane_quotas:
        return   # nothing to count against
    state = quota_state(service, db.tickets.issued_by_lane(date, service.code).get(service.code, {}))
    if state.service_full:
        raise QuotaFull(N_("Today's tickets for this service have run out. Please use one of the other ways "
                           "to get it, or come back tomorrow."), extra=_alternatives_extra(office))
    if state.lane_full(lane):
        raise QuotaFull(N_("Today's tickets for this lane have run out. Please choose another lane."),
                        extra={"lane": lane, **_alternatives_extra(office)})


def _alternatives_extra(office: Office) -> dict:
    """The office's other channels in every language, for a refusal's error object."""
    return {"alternatives": Localized({
        language: [alternative_view(a, language) for a in office.config.alternatives] for language in LANGUAGES})}


def alternative_view(alternative, language: str) -> dict:
    """An alternative channel (online portal, courier) as screens and the API show it."""
    return {"name": alternative.names.get(language), "url": alternative.url,
            "note": alternative.notes.get(language) if alternative.notes else None}


def record_screening_advice(office: Office, db: Connection) -> None:
    """Count one visitor advised by the self-screening to postpone; nothing about them is kept."""
    with write(office, db) as unit:
        db.screening.count_advice(unit.today)


def ticket(db: Connection, ticket_id: int) -> Ticket:
    """The ticket with this id, or `unknown_ticket`."""
    found = db.tickets.get(ticket_id)
    if found is None:
        raise UnknownTicket(N_("Unknown ticket."))
    return found


def enter(office: Office, db: Connection, ticket_id: int, *, staff: StaffUser | None = None) -> Ticket:
    """The visitor came in (ticket scanned at the door or confirmed by staff): they now wait inside."""
    with write(office, db) as unit:
        current = ticket(db, ticket_id)
        if current.status in (WAITING, CALLED, SERVING):
            return current
        return come_in(unit, current, staff)


def come_in(unit: Unit, current: Ticket, staff: StaffUser | None, *, at_counter: int | None = None) -> Ticket:
    """An invited visitor (or one outside while there is room) now waits inside (inside a write)."""
    if current.status == OUTSIDE and not has_room(unit.office, unit.db, current.business_date):
        raise InvalidState(N_("The office is full. Please wait outside until you are invited in."),
                           code="not_invited")
    if current.status not in (OUTSIDE, INVITED) or current.business_date != unit.today:
        raise InvalidState(N_("This ticket cannot be used to come in."))
    current = unit.db.tickets.change(current, WAITING, now=unit.now, staff_id=staff.id if staff else None,
                                     detail="came in", at_counter=at_counter)
    unit.raise_event(QueueChanged((current.service,), (current.id,)))
    return current


def by_typed_number(db: Connection, business_date: str, typed: str) -> Ticket | None:
    """The day's ticket an officer means by a typed number ("E2", "E002", "e-002"), or None."""
    number = parse_number(typed)
    return db.tickets.by_number(business_date, number) if number else None


def admit(office: Office, db: Connection, ticket_number: str, *, staff: StaffUser | None) -> Ticket:
    """Staff let in the visitor holding this number (invited, or outside while there is room)."""
    found = by_typed_number(db, office.today(), ticket_number)
    if found is None:
        raise UnknownTicket(N_("Unknown ticket."))
    return enter(office, db, found.id, staff=staff)


LET_NEXT_GO_FIRST = "let the next person go first"


def let_next_go_first(office: Office, db: Connection, ticket_id: int) -> Ticket:
    """The visitor is not ready yet: the person right behind them goes first, and they keep
    their ticket one place further back (a limited number of times), instead of losing it."""
    policy = office.config.policy
    with write(office, db) as unit:
        current = ticket(db, ticket_id)
        if current.status not in (WAITING, OUTSIDE) or current.business_date != unit.today:
            raise InvalidState(N_("This ticket can no longer give its place."))
        if db.tickets.count_changes(current.id, LET_NEXT_GO_FIRST) >= policy.max_defers:
            raise InvalidState(N_("You have already let others go first the most times allowed."),
                               code="defer_limit")
        line = sorted(db.tickets.in_states(unit.today, (current.status,), (current.service,)),
                      key=lambda t: queue_policy.order_key(t, policy))
        place = next(index for index, queued in enumerate(line) if queued.id == current.id)
        behind = line[place + 1] if place + 1 < len(line) else None
        arrival = queue_policy.arrival_behind(current, behind, policy) if behind else None
        if arrival is None:
            raise InvalidState(N_("Nobody is right behind you to go first."), code="nobody_behind")
        current = db.tickets.change(current, current.status, now=unit.now, detail=LET_NEXT_GO_FIRST,
                                    arrived_at=arrival, actor=audit.VISITOR)
        unit.raise_event(QueueChanged((current.service,), (current.id, behind.id)))
    return current


def cancel(office: Office, db: Connection, ticket_id: int) -> Ticket:
    """The visitor gives up their place; only possible before they are called."""
    with write(office, db) as unit:
        current = ticket(db, ticket_id)
        if current.status == CANCELLED:
            return current
        if current.status not in (OUTSIDE, INVITED, WAITING):
            raise InvalidState(N_("This ticket can no longer be cancelled."))
        current = db.tickets.change(current, CANCELLED, now=unit.now, detail="cancelled by visitor",
                                    actor=audit.VISITOR)
        unit.raise_event(QueueChanged((current.service,), (current.id,)))
        invite(unit)
    return current
