"""The office's queue operations: issue, call, recall, start, done, no-show, transfer, cancel.

Each operation is one write transaction that asks the queue policy (`shared.domain.policy`) who is
next, changes tickets through `shared.storage`, and hands its events to the publisher only
after the commit. Nothing here knows about Flask.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .domain import capacity
from .domain import policy as queue_policy
from .views.announce import announcement
from .domain.officetime import business_date, to_office_iso
from .domain.capacity import Occupancy
from .domain.config import OfficeConfig, ServiceConfig
from .domain.errors import Conflict, InvalidRequest, Localized, NotFound, Unprocessable
from .domain.events import QueueChanged, TicketCalled
from .i18n import LANGUAGES, N_
from .domain.model import (
    CALLED, CANCELLED, COUNTER_OPEN, COUNTER_STATES, DONE, INVITED, NO_SHOW, OUTSIDE, SERVING, WAITING, WALK_IN,
    CounterDesk, Ticket,
)
from .domain.numbering import format_number
from .storage import Connection, Store

RECENT_CALLS = 10

EventSink = Callable[[list], None]


class UnknownService(NotFound):
    code = "unknown_service"


class InvalidLane(Unprocessable):
    code = "invalid_lane"


class UnknownCounter(NotFound):
    code = "unknown_counter"


class InvalidState(Conflict):
    code = "invalid_state"


class Closed(Conflict):
    code = "closed"


class QuotaFull(Conflict):
    code = "quota_full"


class Office:
    """One office's queues, bound to its configuration and database."""

    def __init__(self, config: OfficeConfig, store: Store, sink: EventSink | None = None):
        self.config = config
        self.store = store
        self.sink: EventSink = sink or (lambda events: None)

    def today(self, now: datetime) -> str:
        """The business date at `now` in the office's time zone."""
        return business_date(now, self.config.zone)

    def _publish_after_commit(self, db: Connection, events: list) -> None:
        if events:
            db.after_commit(lambda: self.sink(events))

    # -- visitors -----------------------------------------------------------------------

    def issue_ticket(self, db: Connection, *, service: str, lane: str, now: datetime | Callable[[], datetime],
                     kiosk_id: int | None = None, channel: str = WALK_IN, request_key: str | None = None) -> Ticket:
        """Give a visitor the next number of the day for a service and lane.

        `now` may be a clock, read once the write lock is held: then the arrival times of
        tickets issued at the same instant by several kiosks follow their numbers, and the
        line is the order the numbers were printed in. A repeated `request_key` from the
        same kiosk (a double press, a retried request) returns the ticket of the first
        request instead of printing a second one.
        """
        service_config = self.config.service(service) if isinstance(service, str) else None
        if service_config is None:
            raise UnknownService(N_("Unknown service: %(service)s."), service=str(service)[:40])
        if lane not in service_config.lanes:
            raise InvalidLane(N_("This lane is not available for this service: %(lane)s."), lane=str(lane)[:40])
        scope = f"issue:{kiosk_id}"
        with self.store.write(db):
            if request_key:
                remembered = db.remembered_answer(scope, request_key)
                if remembered is not None:
                    return db.ticket(remembered[1]["ticket_id"])
            if callable(now):
                now = now()
            self._check_open(now)
            date = self.today(now)
            self._check_quota(db, date, service_config, lane)
            status = WAITING if self.occupancy(db, date).has_room() else OUTSIDE
            sequence = db.next_ticket_sequence(date, service)
            ticket = db.insert_ticket(
                business_date=date, service=service, lane=lane, sequence=sequence,
                number=format_number(service_config.prefix, sequence), status=status, channel=channel,
                kiosk_id=kiosk_id, now=now,
            )
            if request_key:
                db.remember_answer(scope, request_key, 201, {"ticket_id": ticket.id}, now)
            self._publish_after_commit(db, [QueueChanged((service,), (ticket.id,))])
        return ticket

    def _check_open(self, now: datetime) -> None:
        """Refuse walk-in tickets outside face-to-face hours, saying when the office opens again."""
        zone = self.config.zone
        if self.config.hours.accepts_tickets(now, zone):
            return
        opening = self.config.hours.next_opening(now, zone)
        if opening is None:
            raise Closed(N_("Face-to-face service is closed now."), extra={"next_open": None})
        raise Closed(N_("Face-to-face service is closed now. It opens again on %(when)s."),
                     when=f"{opening:%d-%m-%Y %H:%M} {opening.tzname()}",
                     extra={"next_open": to_office_iso(opening, zone)})

    def _check_quota(self, db: Connection, date: str, service: ServiceConfig, lane: str) -> None:
        """Refuse a ticket once the service's daily quota (or its lane's) is used up."""
        full = service.daily_quota is not None and db.count_issued(date, service.code) >= service.daily_quota
        lane_quota = service.lane_quotas.get(lane)
        if lane_quota is not None and db.count_issued(date, service.code, lane) >= lane_quota:
            full = True
        if full:
            raise QuotaFull(N_("Today's tickets for this service have run out. Please use one of the other ways "
                               "to get it, or come back tomorrow."),
                            extra={"alternatives": Localized({
                                language: [self.alternative_view(a, language) for a in self.config.alternatives]
                                for language in LANGUAGES})})

    def alternative_view(self, alternative, language: str) -> dict:
        """An alternative channel (online portal, courier) as screens and the API show it."""
        return {"name": alternative.names.get(language), "url": alternative.url,
                "note": alternative.notes.get(language) if alternative.notes else None}

    def record_screening_advice(self, db: Connection, now: datetime) -> None:
        """Count one visitor advised by the self-screening to postpone; nothing about them is kept."""
        with self.store.write(db):
            db.count_screening_advice(self.today(now))

    def check_open(self, now: datetime) -> Closed | None:
        """None while tickets are issued, else the refusal a visitor would get (with next opening)."""
        try:
            self._check_open(now)
        except Closed as error:
            return error
        return None

    # -- capacity -------------------------------------------------------------------------

    def max_inside(self, db: Connection) -> int | None:
        """The occupancy cap: the supervisor's live setting, else office.toml (None: no cap)."""
        live = db.setting("max_inside")
        if live is not None:
            return int(live) or None
        return self.config.max_inside

    def occupancy(self, db: Connection, date: str) -> Occupancy:
        return Occupancy(db.count_in(date, capacity.INSIDE), self.max_inside(db))

    def set_max_inside(self, db: Connection, max_inside: int, *, staff_id: int | None, now: datetime) -> Occupancy:
        """Change the cap live (0 removes it); a higher cap invites visitors in at once."""
        if not isinstance(max_inside, int) or isinstance(max_inside, bool) or not 0 <= max_inside <= 10000:
            raise Unprocessable(N_("max_inside must be a whole number from 0 to 10000."))
        with self.store.write(db):
            db.set_setting("max_inside", str(max_inside), staff_id, now)
            events = [QueueChanged()]
            self._invite(db, now, events)
            self._publish_after_commit(db, events)
            return self.occupancy(db, self.today(now))

    def _invite(self, db: Connection, now: datetime, events: list) -> None:
        """Offer free places to the visitors outside, next in line first (inside a write)."""
        date = self.today(now)
        occupancy = self.occupancy(db, date)
        if occupancy.max_inside is None:
            outside = db.tickets_in(date, (OUTSIDE,))
            places = len(outside)
        else:
            places = occupancy.free
            outside = db.tickets_in(date, (OUTSIDE,)) if places else []
        invited = []
        for ticket in capacity.next_to_invite(outside, places, self.config.policy):
            invited.append(db.change_ticket(ticket, INVITED, now=now, detail="invited in", invited_at=now))
        if invited:
            events.append(QueueChanged(tuple({t.service for t in invited}), tuple(t.id for t in invited)))

    def expire_invitations(self, db: Connection, now: datetime) -> int:
        """Invited visitors who did not come in lose the held place and go behind the others outside."""
        with self.store.write(db):
            date = self.today(now)
            lapsed = [t for t in db.tickets_in(date, (INVITED,))
                      if capacity.invitation_expired(t, now, self.config.invite_timeout)]
            events: list = []
            for ticket in lapsed:
                db.change_ticket(ticket, OUTSIDE, now=now, detail="invitation lapsed",
                                 invite_misses=ticket.invite_misses + 1, invited_at=None)
            if lapsed:
                events.append(QueueChanged(tuple({t.service for t in lapsed}), tuple(t.id for t in lapsed)))
                self._invite(db, now, events)
            self._publish_after_commit(db, events)
        return len(lapsed)

    def admit(self, db: Connection, ticket_number: str, *, staff_id: int | None, now: datetime) -> dict:
        """Staff let in the visitor holding this number (invited, or outside while there is room)."""
        ticket = db.ticket_by_number(self.today(now), str(ticket_number).strip().upper())
        if ticket is None:
            raise NotFound(N_("Unknown ticket."), code="unknown_ticket")
        return self.ticket_summary(self.enter(db, ticket.id, now, staff_id=staff_id))

    def enter(self, db: Connection, ticket_id: int, now: datetime, *, staff_id: int | None = None) -> Ticket:
        """The visitor came in (ticket scanned at the door or confirmed by staff): they now wait inside."""
        with self.store.write(db):
            ticket = self._ticket(db, ticket_id)
            if ticket.status in (WAITING, CALLED, SERVING):
                return ticket
            if ticket.status == OUTSIDE and not self.occupancy(db, ticket.business_date).has_room():
                raise InvalidState(N_("The office is full. Please wait outside until you are invited in."),
                                   code="not_invited")
            if ticket.status not in (OUTSIDE, INVITED) or ticket.business_date != self.today(now):
                raise InvalidState(N_("This ticket cannot be used to come in."))
            ticket = db.change_ticket(ticket, WAITING, now=now, staff_id=staff_id, detail="came in")
            self._publish_after_commit(db, [QueueChanged((ticket.service,), (ticket.id,))])
        return ticket

    def cancel(self, db: Connection, ticket_id: int, now: datetime) -> Ticket:
        """The visitor gives up their place; only possible before they are called."""
        with self.store.write(db):
            ticket = self._ticket(db, ticket_id)
            if ticket.status == CANCELLED:
                return ticket
            if ticket.status not in (OUTSIDE, INVITED, WAITING):
                raise InvalidState(N_("This ticket can no longer be cancelled."))
            ticket = db.change_ticket(ticket, CANCELLED, now=now, detail="cancelled by visitor")
            events = [QueueChanged((ticket.service,), (ticket.id,))]
            self._invite(db, now, events)
            self._publish_after_commit(db, events)
        return ticket

    # -- counters -----------------------------------------------------------------------

    def desks(self, db: Connection) -> list[CounterDesk]:
        """Every configured counter with its live state."""
        states = db.counter_states()
        return [
            CounterDesk(counter.number, counter.name, counter.services, counter.lanes,
                        states.get(counter.number, COUNTER_OPEN), counter.mode)
            for counter in self.config.counters
        ]

    def desk(self, db: Connection, number: int) -> CounterDesk:
        """One counter with its live state; UnknownCounter when it is not configured."""
        counter = self.config.counter(number)
        if counter is None:
            raise UnknownCounter(N_("Unknown counter: %(counter)s."), counter=number)
        state = db.counter_states().get(number, COUNTER_OPEN)
        return CounterDesk(counter.number, counter.name, counter.services, counter.lanes, state, counter.mode)

    def waiting_for(self, db: Connection, number: int, now: datetime) -> list[Ticket]:
        """The tickets this counter may call, in the standing order of the queue policy."""
        desk = self.desk(db, number)
        waiting = db.waiting(self.today(now), desk.services)
        policy = self.config.policy
        return sorted((t for t in waiting if queue_policy.can_serve(desk, t)), key=lambda t: queue_policy.order_key(t, policy))

    def next_decision(self, db: Connection, number: int, now: datetime) -> queue_policy.Decision | None:
        """Who call-next would call now at this counter, and by which rule (shown to the officer)."""
        desk = self.desk(db, number)
        return self._decide(db, desk, now)

    def _decide(self, db: Connection, desk: CounterDesk, now: datetime) -> queue_policy.Decision | None:
        policy = self.config.policy
        date = self.today(now)
        recent = db.recent_call_lanes(desk.number, date, policy.max_priority_streak or 0) if desk.lanes is None else []
        return queue_policy.choose(db.waiting_heads(date, desk.services), desk, now, policy, recent)

    def set_counter_state(self, db: Connection, number: int, state: str, staff_id: int | None, now: datetime) -> CounterDesk:
        """Open, pause or close a counter, so calling and displays follow staff rotation."""
        if state not in COUNTER_STATES:
            raise Unprocessable(N_("Unknown counter state: %(state)s."), state=str(state)[:20])
        with self.store.write(db):
            self.desk(db, number)
            db.set_counter_state(number, state, staff_id, now)
            self._publish_after_commit(db, [QueueChanged()])
        return self.desk(db, number)

    def call_next(self, db: Connection, number: int, *, staff_id: int | None, now: datetime,
                  idempotency_key: str | None = None) -> tuple[int, dict | None]:
        """Complete the counter's current ticket and call the next one: (200, ticket) or (204, None).

        The queue policy chooses inside the write transaction, so two counters pressing Next
        at once never get the same ticket. With an idempotency key the first answer is stored
        in the same transaction, so a repeat (double press, retried request) gets that answer.
        """
        scope = f"call-next:{number}:{staff_id}"
        with self.store.write(db):
            if idempotency_key:
                remembered = db.remembered_answer(scope, idempotency_key)
                if remembered is not None:
                    return remembered
            desk = self._open_desk(db, number)
            events: list = []
            current = self._complete_current(db, number, staff_id, now)
            decision = self._decide(db, desk, now)
            if decision is not None:
                answer = (200, self._call(db, decision, number, staff_id, now, events))
            else:
                if current is not None:
                    events.append(QueueChanged((current.service,), (current.id,)))
                answer = (204, None)
            if current is not None:
                self._invite(db, now, events)
            if idempotency_key:
                db.remember_answer(scope, idempotency_key, answer[0], answer[1], now)
            self._publish_after_commit(db, events)
        return answer

    def call_ticket(self, db: Connection, number: int, ticket_number: str, reason: str, *,
                    staff_id: int | None, now: datetime) -> dict:
        """Call one waiting ticket out of the policy's order; the reason goes into the audit trail."""
        reason = (reason or "").strip()
        if not 3 <= len(reason) <= 200:
            raise InvalidRequest(N_("Give a reason (3-200 characters) for calling out of order."))
        with self.store.write(db):
            desk = self._open_desk(db, number)
            ticket = db.ticket_by_number(self.today(now), str(ticket_number).strip().upper())
            if ticket is None or ticket.status != WAITING or not queue_policy.can_serve(desk, ticket):
                raise InvalidState(N_("That ticket is not waiting for this counter."))
            current = self._complete_current(db, number, staff_id, now)
            events: list = []
            decision = queue_policy.Decision(ticket, queue_policy.OUT_OF_ORDER, now - ticket.arrived_at)
            summary = self._call(db, decision, number, staff_id, now, events, note=reason)
            if current is not None:
                self._invite(db, now, events)
            self._publish_after_commit(db, events)
        return summary

    def _open_desk(self, db: Connection, number: int) -> CounterDesk:
        desk = self.desk(db, number)
        if desk.state != COUNTER_OPEN:
            raise InvalidState(N_("This counter is not open."))
        return desk

    def _complete_current(self, db: Connection, number: int, staff_id: int | None, now: datetime) -> Ticket | None:
        current = db.active_at_counter(number)
        if current is not None:
            db.change_ticket(current, DONE, now=now, staff_id=staff_id, detail="completed by call-next")
        return current

    def _call(self, db: Connection, decision: queue_policy.Decision, number: int, staff_id: int | None,
              now: datetime, events: list, note: str | None = None) -> dict:
        detail = f"rule:{decision.rule}" + (f" reason:{note}" if note else "")
        called = db.change_ticket(decision.ticket, CALLED, now=now, counter=number, staff_id=staff_id,
                                  called_at=now, detail=detail)
        events.append(self._called_event(called, recall=False))
        return dict(self.ticket_summary(called), reason=self.reason(decision))

    def reason(self, decision: queue_policy.Decision) -> dict:
        """Why the policy chose a ticket, for the officer: rule, lane and minutes waited."""
        return {"rule": decision.rule, "lane": decision.ticket.lane,
                "waited_min": int(decision.waited.total_seconds() // 60)}

    def return_ticket(self, db: Connection, number: int, ticket_number: str, *, staff_id: int | None,
                      now: datetime) -> dict:
        """A visitor marked absent came back in time: they rejoin the queue in their old place."""
        policy = self.config.policy
        with self.store.write(db):
            self.desk(db, number)
            ticket = db.ticket_by_number(self.today(now), str(ticket_number).strip().upper())
            if ticket is None or ticket.status != NO_SHOW:
                raise InvalidState(N_("That ticket was not marked absent today."))
            if ticket.returns >= policy.no_show_max_returns:
                raise InvalidState(N_("This ticket has already come back the most times allowed."), code="return_limit")
            absent_since = db.last_change_to(ticket.id, NO_SHOW)
            if absent_since is None or now - absent_since > policy.no_show_return:
                raise InvalidState(N_("Too late to come back with this ticket; please take a new one."),
                                   code="return_expired")
            back = db.change_ticket(ticket, WAITING, now=now, staff_id=staff_id, at_counter=number,
                                    detail="returned after no-show", counter=None, called_at=None,
                                    returns=ticket.returns + 1)
            self._publish_after_commit(db, [QueueChanged((back.service,), (back.id,))])
        return self.ticket_summary(back)

    def recall(self, db: Connection, number: int, *, staff_id: int | None, now: datetime) -> dict:
        """Announce the counter's called ticket again."""
        with self.store.write(db):
            ticket = self._active(db, number, (CALLED,))
            if ticket.recalls >= self.config.policy.max_recalls:
                raise InvalidState(N_("This ticket has been called again the most times allowed."),
                                   code="recall_limit")
            ticket = db.change_ticket(ticket, CALLED, now=now, staff_id=staff_id,
                                      detail="recall", recalls=ticket.recalls + 1)
            self._publish_after_commit(db, [self._called_event(ticket, recall=True)])
        return self.ticket_summary(ticket)

    def start(self, db: Connection, number: int, *, staff_id: int | None, now: datetime) -> dict:
        """The visitor arrived at the counter: service begins."""
        return self._move_active(db, number, (CALLED,), SERVING, staff_id=staff_id, now=now)

    def finish(self, db: Connection, number: int, *, staff_id: int | None, now: datetime) -> dict:
        """Service is complete."""
        return self._move_active(db, number, (CALLED, SERVING), DONE, staff_id=staff_id, now=now)

    def no_show(self, db: Connection, number: int, *, staff_id: int | None, now: datetime) -> dict:
        """The called visitor did not come to the counter."""
        return self._move_active(db, number, (CALLED,), NO_SHOW, staff_id=staff_id, now=now)

    def transfer(self, db: Connection, number: int, service: str, *, staff_id: int | None, now: datetime) -> dict:
        """Send the counter's visitor to another service's queue, keeping their arrival time."""
        target = self.config.service(service) if isinstance(service, str) else None
        if target is None:
            raise UnknownService(N_("Unknown service: %(service)s."), service=str(service)[:40])
        with self.store.write(db):
            ticket = self._active(db, number, (CALLED, SERVING))
            if ticket.service == service:
                raise InvalidState(N_("The ticket is already in this service."))
            lane = ticket.lane if ticket.lane in target.lanes else "general"
            moved = db.change_ticket(ticket, WAITING, now=now, staff_id=staff_id, at_counter=number,
                                     detail=f"transfer {ticket.service} -> {service}",
                                     service=service, lane=lane, counter=None, called_at=None)
            self._publish_after_commit(db, [QueueChanged((ticket.service, service), (moved.id,))])
        return self.ticket_summary(moved)

    def _move_active(self, db: Connection, number: int, allowed: tuple[str, ...], to_status: str, *,
                     staff_id: int | None, now: datetime) -> dict:
        with self.store.write(db):
            ticket = self._active(db, number, allowed)
            ticket = db.change_ticket(ticket, to_status, now=now, staff_id=staff_id)
            events = [QueueChanged((ticket.service,), (ticket.id,))]
            if to_status in (DONE, NO_SHOW):
                self._invite(db, now, events)
            self._publish_after_commit(db, events)
        return self.ticket_summary(ticket)

    def _active(self, db: Connection, number: int, allowed: tuple[str, ...]) -> Ticket:
        self.desk(db, number)
        ticket = db.active_at_counter(number)
        if ticket is None or ticket.status not in allowed:
            raise InvalidState(N_("No ticket at this counter can do that now."))
        return ticket

    def _ticket(self, db: Connection, ticket_id: int) -> Ticket:
        ticket = db.ticket(ticket_id)
        if ticket is None:
            raise NotFound(N_("Unknown ticket."), code="unknown_ticket")
        return ticket

    def _called_event(self, ticket: Ticket, *, recall: bool) -> TicketCalled:
        return TicketCalled(
            ticket_id=ticket.id, number=ticket.number, counter=ticket.counter,
            service=ticket.service, lane=ticket.lane, recall=recall,
            announce=announcement(ticket.number, ticket.counter),
        )

    # -- what screens show ------------------------------------------------------------

    def ticket_summary(self, ticket: Ticket) -> dict:
        """A ticket as staff and the JSON API see it (no token: that is the visitor's)."""
        zone = self.config.zone
        return {
            "id": ticket.id,
            "number": ticket.number,
            "service": ticket.service,
            "lane": ticket.lane,
            "status": ticket.status,
            "channel": ticket.channel,
            "counter": ticket.counter,
            "issued_at": to_office_iso(ticket.issued_at, zone),
            "arrived_at": to_office_iso(ticket.arrived_at, zone),
            "called_at": to_office_iso(ticket.called_at, zone),
            "recalls": ticket.recalls,
        }

    def ticket_status(self, db: Connection, ticket: Ticket) -> dict:
        """The body of `GET /api/tickets/<token>`: what the visitor's phone shows."""
        return self.ticket_views(db, [ticket])[ticket.id]

    def ticket_views(self, db: Connection, tickets: list[Ticket]) -> dict[int, dict]:
        """The public view of several tickets at once (the publisher updates every watching phone).

        `ahead` counts who will be called first in the same service: for a visitor outside,
        everyone inside plus those outside ahead in the invitation order. The estimate is a
        range from the service's recent pace at the open counters that may call the ticket.
        """
        policy = self.config.policy
        with db.snapshot():
            dates = {ticket.business_date for ticket in tickets}
            services = tuple({ticket.service for ticket in tickets})
            queued = {date: db.tickets_in(date, (WAITING, INVITED, OUTSIDE), services) for date in dates}
            # Only a visitor outside needs the whole office's outside line (for the entry order).
            outside_dates = {ticket.business_date for ticket in tickets if ticket.status == OUTSIDE}
            outside = {date: db.tickets_in(date, (OUTSIDE,)) for date in outside_dates}
            desks = self.desks(db)
            pace = {(date, service): db.recent_service_minutes(date, service) for date in dates for service in services}
        positions = {}
        for date, queue in queued.items():
            in_service: dict[str, int] = {}
            for queued_ticket in sorted(queue, key=lambda t: _line_rank(t, policy)):
                positions[queued_ticket.id] = in_service.get(queued_ticket.service, 0)
                in_service[queued_ticket.service] = positions[queued_ticket.id] + 1
        # Outside, a visitor first waits for a place inside: places free as fast as all open
        # counters finish visitors, and those outside ahead of them take the first ones.
        entry_order = {}
        for date, line in outside.items():
            ranked = sorted(line, key=lambda t: (t.invite_misses, queue_policy.order_key(t, policy)))
            entry_order.update((t.id, rank) for rank, t in enumerate(ranked))
        open_desks = sum(1 for desk in desks if desk.state == COUNTER_OPEN)
        views = {}
        for ticket in tickets:
            ahead, estimate = 0, None
            if ticket.status in (WAITING, INVITED, OUTSIDE):
                ahead = positions.get(ticket.id, 0)
                counters = sum(1 for desk in desks if desk.state == COUNTER_OPEN and queue_policy.can_serve(desk, ticket))
                minutes = pace[(ticket.business_date, ticket.service)]
                estimate = capacity.estimate_minutes(ahead, counters, minutes)
                if ticket.status == OUTSIDE and estimate is not None:
                    entry = capacity.estimate_minutes(entry_order.get(ticket.id, 0) + 1, open_desks, minutes)
                    if entry is not None:
                        estimate = (max(estimate[0], entry[0]), max(estimate[1], entry[1]))
            views[ticket.id] = {
                "number": ticket.number,
                "service": ticket.service,
                "lane": ticket.lane,
                "status": ticket.status,
                "ahead": ahead,
                "estimate_min": list(estimate) if estimate else None,
                "counter": ticket.counter if ticket.status in (CALLED, SERVING) else None,
            }
        return views

    def snapshot(self, db: Connection, now: datetime, seq: int) -> dict:
        """The body of `GET /api/queue` and the `snapshot`/`queue` events: what a display renders.

        `seq` is the publisher's number of the last event sent before this read.
        """
        zone = self.config.zone
        date = self.today(now)
        with db.snapshot():
            counts = db.count_by_status(date)
            calls = db.active_calls(date)
            recent = db.recent_calls(date, RECENT_CALLS)
            states = db.counter_states()
            invited = db.tickets_in(date, (INVITED,))
            max_inside = self.max_inside(db)
        waiting = {
            service.code: {lane: counts.get((service.code, lane, WAITING), 0) for lane in service.lanes}
            for service in self.config.services
        }
        inside = sum(count for (service, lane, status), count in counts.items() if status in capacity.INSIDE)
        outside = sum(count for (service, lane, status), count in counts.items() if status == OUTSIDE)
        return {
            "seq": seq,
            "calls": [
                {"counter": ticket.counter, "number": ticket.number, "service": ticket.service, "lane": ticket.lane,
                 "called_at": to_office_iso(ticket.called_at, zone), "status": ticket.status}
                for ticket in calls
            ],
            "recent": [dict(call, called_at=to_office_iso(call["called_at"], zone)) for call in recent],
            "waiting": waiting,
            "occupancy": {"inside": inside, "max": max_inside, "outside": outside},
            "invited": [ticket.number for ticket in sorted(invited, key=lambda t: (t.invited_at, t.id))],
            "counters": {str(counter.number): states.get(counter.number, COUNTER_OPEN) for counter in self.config.counters},
        }


def _line_rank(ticket: Ticket, policy: queue_policy.PolicyConfig) -> tuple:
    """Who is called first in a service: everyone inside before those outside, then the policy's order."""
    outside = ticket.status == OUTSIDE
    return (outside, ticket.invite_misses if outside else 0, queue_policy.order_key(ticket, policy))
