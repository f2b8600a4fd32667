"""Tickets as screens and the API show them: the staff summary and the visitor's public view.

The public view (`GET /api/tickets/<token>`, the phone page, `ticket` events) says how many
will be called first in the same service and a wait range. For a visitor outside that is
everyone inside plus those outside ahead in the invitation order; the range comes from
the service's recent pace at the open counters that may call the ticket.
"""
from __future__ import annotations

from ..domain import capacity
from ..domain import policy as queue_policy
from ..domain.desks import desks
from ..domain.model import CALLED, COUNTER_OPEN, DONE, INVITED, OUTSIDE, SERVING, WAITING, Ticket
from ..domain.officetime import to_office_iso
from ..domain.quotas import QuotaState, quota_state
from ..office import Office
from ..store import Connection

QUEUED = (WAITING, INVITED, OUTSIDE)
INSIDE = (WAITING, INVITED)
# Up to this many tickets are placed by counting in the index; a bigger batch by one sort.
FEW = 4


def find(db: Connection, ticket_id: int) -> Ticket | None:
    """The ticket with this id, or None."""
    return db.tickets.get(ticket_id)


def summary(office: Office, ticket: Ticket) -> dict:
    """A ticket as staff and the JSON API see it (no token: that is the visitor's)."""
    zone = office.config.zone
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


def public_view(office: Office, db: Connection, ticket: Ticket) -> dict:
    """The body of `GET /api/tickets/<token>`: what the visitor's phone shows."""
    return public_views(office, db, [ticket])[ticket.id]


def public_views(office: Office, db: Connection, tickets: list[Ticket],
                 lines: dict[str, list[Ticket]] | None = None) -> dict[int, dict]:
    """The public view of several tickets at once (the relay updates every watching phone).

    Up to `FEW` tickets (a kiosk's new ticket, one phone's status) are placed by counting the
    people ahead in the index, whatever the queue's length; more (the relay's batch for every
    watching phone) by one sort of their lines, which places them all at once. A caller that
    has just read those lines hands them over as `lines` (by business date: every queued
    ticket of the tickets' services), so they are not read twice.
    """
    policy = office.config.policy
    with db.snapshot():
        dates = {ticket.business_date for ticket in tickets}
        services = tuple({ticket.service for ticket in tickets})
        # Only a visitor outside needs the whole office's outside line (for the entry order).
        outside_dates = {ticket.business_date for ticket in tickets if ticket.status == OUTSIDE}
        outside = {date: db.tickets.in_states(date, (OUTSIDE,)) for date in outside_dates}
        if len(tickets) <= FEW:
            positions = {ticket.id: _counted_ahead(db, ticket, policy, outside.get(ticket.business_date, []))
                         for ticket in tickets if ticket.status in QUEUED}
        else:
            lines = lines or {}
            positions = _sorted_positions([lines[date] if date in lines else db.tickets.in_states(date, QUEUED, services)
                                           for date in dates], policy)
        counters = desks(office.config, db.counters.states())
        assigned = db.lines.all()
        rated = db.feedback.rated(ticket.id for ticket in tickets if ticket.status == DONE)
        pace = {(date, service): db.tickets.recent_service_minutes(date, service)
                for date in dates for service in services}
    # Outside, a visitor first waits for a place inside: places free as fast as all open
    # counters finish visitors, and those outside ahead of them take the first ones.
    entry_order = {}
    for line in outside.values():
        ranked = sorted(line, key=lambda t: (t.invite_misses, queue_policy.order_key(t, policy)))
        entry_order.update((t.id, rank) for rank, t in enumerate(ranked))
    open_counters = [counter for counter in counters if counter.state == COUNTER_OPEN]
    # A counter also serving other counters' lines (their officers away) serves their visitors too.
    profiles = {counter.number: counter for counter in counters}
    lines = {counter.number: [profiles[n] for n in assigned.get(counter.number, ()) if n in profiles]
             for counter in open_counters}
    serving: dict[tuple[str, str], int] = {}   # open counters that may call a (service, lane)
    views = {}
    for ticket in tickets:
        ahead, estimate = 0, None
        if ticket.status in QUEUED:
            ahead = positions.get(ticket.id, 0)
            line = (ticket.service, ticket.lane)
            if line not in serving:
                serving[line] = sum(1 for counter in open_counters
                                    if queue_policy.serves(counter, lines[counter.number], ticket))
            minutes = pace[(ticket.business_date, ticket.service)]
            estimate = capacity.estimate_minutes(ahead, serving[line], minutes)
            if ticket.status == OUTSIDE and estimate is not None:
                entry = capacity.estimate_minutes(entry_order.get(ticket.id, 0) + 1, len(open_counters), minutes)
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
            # The satisfaction survey: whether this visit was rated, and which survey to ask
            # ("single" or "skm") while a finished visit is not rated yet.
            "rated": ticket.id in rated,
            "survey": office.config.survey.mode if ticket.status == DONE and ticket.id not in rated else None,
        }
    return views


def _sorted_positions(queues: list[list[Ticket]], policy: queue_policy.PolicyConfig) -> dict[int, int]:
    """People ahead of every queued ticket: one sort of each day's lines."""
    positions: dict[int, int] = {}
    for queue in queues:
        in_service: dict[str, int] = {}
        for queued_ticket in sorted(queue, key=lambda t: _line_rank(t, policy)):
            positions[queued_ticket.id] = in_service.get(queued_ticket.service, 0)
            in_service[queued_ticket.service] = positions[queued_ticket.id] + 1
    return positions


def _counted_ahead(db: Connection, ticket: Ticket, policy: queue_policy.PolicyConfig,
                   outside_line: list[Ticket]) -> int:
    """People ahead of one queued ticket, counted lane by lane in the index (as `_sorted_positions` ranks).

    Inside, those inside who stand before it; outside, everyone inside, then those outside
    before it in the entry order (the outside line is read whole: it is what the cap holds back).
    """
    date, service = ticket.business_date, ticket.service
    lanes = db.queue.lanes(date, service)
    if ticket.status != OUTSIDE:
        bounds = {lane: queue_policy.standing_bound(ticket, lane, policy) for lane in lanes}
        return db.queue.count_before(date, service, INSIDE, bounds, ticket.id)
    everyone = db.queue.count_before(date, service, INSIDE, {lane: True for lane in lanes}, ticket.id)
    mine = _line_rank(ticket, policy)
    return everyone + sum(1 for other in outside_line
                          if other.service == service and other.id != ticket.id and _line_rank(other, policy) < mine)


def _line_rank(ticket: Ticket, policy: queue_policy.PolicyConfig) -> tuple:
    """Who is called first in a service: everyone inside before those outside, then the policy's order."""
    outside = ticket.status == OUTSIDE
    return (outside, ticket.invite_misses if outside else 0, queue_policy.order_key(ticket, policy))


def quotas_today(office: Office, db: Connection) -> dict[str, QuotaState]:
    """Each service's quota state today, for the kiosk to mark a full service or lane up front."""
    issued = db.tickets.issued_by_lane(office.today())
    return {service.code: quota_state(service, issued.get(service.code, {})) for service in office.config.services}
