"""The queue snapshot: the body of `GET /api/queue` and of the displays' `snapshot`/`queue`."""
from __future__ import annotations

from ..domain import capacity
from ..domain.model import COUNTER_OPEN, INVITED, OUTSIDE, WAITING
from ..domain.officetime import to_office_iso
from ..office import Office
from ..services.announcements import current as current_announcement
from ..services.capacity import cap_in_force
from ..store import Connection

RECENT_CALLS = 10


def snapshot(office: Office, db: Connection, seq: int) -> dict:
    """What a display renders; `seq` is the event log's sequence the screens have been sent up to."""
    config, zone = office.config, office.config.zone
    date = office.today()
    with db.snapshot():
        counts = db.queue.counts(date, (*capacity.INSIDE, OUTSIDE))   # the lines, not the finished
        calls = db.tickets.active_calls(date)
        recent = db.tickets.recent_calls(date, RECENT_CALLS)
        states = db.counters.states()
        invited = db.tickets.in_states(date, (INVITED,))
        max_inside = cap_in_force(office, db)
        announcement = current_announcement(db)
    waiting = {
        service.code: {lane: counts.get((service.code, lane, WAITING), 0) for lane in service.lanes}
        for service in config.services
    }
    inside = sum(count for (_service, _lane, status), count in counts.items() if status in capacity.INSIDE)
    outside = sum(count for (_service, _lane, status), count in counts.items() if status == OUTSIDE)
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
        "counters": {str(counter.number): states.get(counter.number, COUNTER_OPEN) for counter in config.counters},
        "announcement": announcement,
    }
