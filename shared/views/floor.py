"""The supervisor's floor: every counter, every line and the day so far, in one read.

The body of `GET /api/floor` and of the `/floor` namespace's `floor` event. The contract's
fields (`counters` with `number`, `state`, `ticket`, `since`; `waiting`; `longest_wait_min`;
`occupancy`; `today`) come first; the rest is what the dashboard needs to steer the floor:
who works each counter, the head of each line, who is invited in and whose invitation
lapsed, the running text and the alarms nobody has answered yet.

One read transaction, a handful of small queries: the heads of the lines (not the whole
queue) give the longest waits, so the view costs the same with 5 or 500 people waiting.
"""
from __future__ import annotations

from datetime import datetime

from ..domain import capacity
from ..domain.desks import desks
from ..domain.model import DONE, INVITED, NO_SHOW, OUTSIDE, WAITING, Ticket
from ..domain.officetime import to_office_iso
from ..office import Office
from ..services.announcements import current as current_announcement
from ..services.capacity import cap_in_force
from ..store import Connection


def minutes_between(start: datetime | None, end: datetime) -> int | None:
    """Whole minutes from `start` to `end` (None without a start; never negative)."""
    if start is None:
        return None
    return max(int((end - start).total_seconds() // 60), 0)


def floor(office: Office, db: Connection, seq: int) -> dict:
    """What the supervisor's dashboard shows; `seq` is the event log position it reflects."""
    config, zone = office.config, office.config.zone
    now = office.clock()
    date = office.today(now)
    codes = tuple(service.code for service in config.services)
    with db.snapshot():
        counts = db.tickets.count_by_status(date)
        calls = db.tickets.active_calls(date)
        states = db.counters.states()
        holders = db.counters.holders()
        heads = db.queue.waiting_heads(date, codes) if codes else []
        invited = db.tickets.in_states(date, (INVITED,))
        outside = db.tickets.in_states(date, (OUTSIDE,))
        max_inside = cap_in_force(office, db)
        announcement = current_announcement(db)
        extra_lines = db.lines.all()
        alarms = db.alarms.unanswered()

    at_counter: dict[int, Ticket] = {}
    for ticket in calls:   # newest call first: the first seen is the counter's visitor
        at_counter.setdefault(ticket.counter, ticket)

    def ticket_entry(ticket: Ticket, since: datetime | None) -> dict:
        return {"number": ticket.number, "service": ticket.service, "lane": ticket.lane,
                "minutes": minutes_between(since, now)}

    counters = []
    for desk in desks(config, states):
        current = at_counter.get(desk.number)
        holder = holders.get(desk.number)
        counters.append({
            "number": desk.number,
            "state": desk.state,
            "ticket": current.number if current else None,
            "since": to_office_iso(current.called_at, zone) if current else None,
            # Extensions: what the dashboard shows of each counter.
            "name": desk.name,
            "services": list(desk.services),
            "lanes": list(desk.lanes) if desk.lanes else None,
            "status": current.status if current else None,
            "service": current.service if current else None,
            "lane": current.lane if current else None,
            "minutes": minutes_between(current.called_at, now) if current else None,
            "officer": ({"username": holder.username, "since": to_office_iso(holder.since, zone)}
                        if holder else None),
            "extra_lines": list(extra_lines.get(desk.number, ())),
        })

    waiting = {service.code: {lane: counts.get((service.code, lane, WAITING), 0) for lane in service.lanes}
               for service in config.services}
    inside = sum(count for (_s, _l, status), count in counts.items() if status in capacity.INSIDE)
    longest = min(heads, key=lambda ticket: (ticket.arrived_at, ticket.id)) if heads else None
    lines = sorted(heads, key=lambda ticket: (ticket.arrived_at, ticket.id))
    return {
        "seq": seq,
        "counters": counters,
        "waiting": waiting,
        "longest_wait_min": minutes_between(longest.arrived_at, now) if longest else None,
        "occupancy": {"inside": inside, "max": max_inside, "outside": len(outside)},
        "today": {
            "tickets": sum(counts.values()),
            "served": sum(count for (_s, _l, status), count in counts.items() if status == DONE),
            "no_show": sum(count for (_s, _l, status), count in counts.items() if status == NO_SHOW),
        },
        # Extensions.
        "date": date,
        "at": to_office_iso(now, zone),
        "waiting_total": sum(sum(lanes.values()) for lanes in waiting.values()),
        "heads": [dict(ticket_entry(ticket, ticket.arrived_at), arrived_at=to_office_iso(ticket.arrived_at, zone))
                  for ticket in lines],
        "invited": [dict(ticket_entry(ticket, ticket.invited_at), invited_at=to_office_iso(ticket.invited_at, zone))
                    for ticket in sorted(invited, key=lambda t: (t.invited_at or t.arrived_at, t.id))],
        "lapsed": [dict(ticket_entry(ticket, ticket.arrived_at), misses=ticket.invite_misses)
                   for ticket in outside if ticket.invite_misses],
        "announcement": announcement,
        "alarms": [{"id": alarm["id"], "counter": alarm["counter"], "by": alarm["by"],
                    "raised_at": to_office_iso(alarm["raised_at"], zone),
                    "minutes": minutes_between(alarm["raised_at"], now)} for alarm in alarms],
    }
