"""Counters as staff and the public see them: the list, and one counter's console panel."""
from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator

from ..domain import lane_checks
from ..domain import policy as queue_policy
from ..domain.desks import desks
from ..domain.model import INVITED, WAITING, CounterDesk, Ticket
from ..domain.officetime import parse_utc, to_office_iso
from ..office import Office
from ..services.calling import CallResult, lines_of, next_decision
from ..services.counters import desk
from ..store import Connection
from .bookings import todays_appointments
from .tickets import summary


def counter_list(office: Office, db: Connection) -> list[dict]:
    """`GET /api/counters`: every counter, what it serves, its state and who works it."""
    holders = db.counters.holders()
    return [
        {"number": counter.number, "name": counter.name, "services": list(counter.services),
         "lanes": list(counter.lanes) if counter.lanes else None, "state": counter.state,
         "officer": holders[counter.number].username if counter.number in holders else None}
        for counter in desks(office.config, db.counters.states())
    ]


def holder_name(db: Connection, number: int) -> str | None:
    """The username of the officer working this counter, or None."""
    holder = db.counters.holder(number)
    return holder.username if holder else None


# The console lists this many of a counter's waiting visitors, in calling order, and says how
# many more there are: a list that grew with the queue made the page slower as the day filled.
CONSOLE_WAITING = 50


def waiting_for(office: Office, db: Connection, number: int, limit: int = CONSOLE_WAITING) -> tuple[list[Ticket], int]:
    """The first `limit` tickets this counter may call, in the standing order, and how many there are.

    Each (service, lane) line it may call is already in that order in the index (within a
    line only arrival differs), so the first `limit` are a merge of the lines' heads, read a
    few at a time: the work follows `limit` and the number of lines, not the queue's length.
    """
    counter = desk(office, db, number)
    lines = lines_of(office, db, counter)
    policy = office.config.policy
    date = office.today()
    services = tuple(dict.fromkeys(service for desk_ in (counter, *lines) for service in desk_.services))
    callable_lines = [(service, lane) for service in services for lane in db.queue.lanes(date, service)
                      if queue_policy.serves_line(counter, lines, service, lane)]
    total = sum(db.queue.count_line(date, service, lane, WAITING) for service, lane in callable_lines)
    streams = [_line_stream(db, date, service, lane, min(limit, LINE_CHUNK)) for service, lane in callable_lines]
    merged = heapq.merge(*streams, key=lambda ticket: queue_policy.order_key(ticket, policy))
    return list(itertools.islice(merged, limit)), total


LINE_CHUNK = 10


def _line_stream(db: Connection, date: str, service: str, lane: str, chunk: int) -> Iterator[Ticket]:
    """One line's waiting tickets in arrival order, read `chunk` at a time as the merge asks."""
    after = None
    while True:
        page = db.queue.line(date, service, lane, WAITING, after=after, limit=chunk)
        yield from page
        if len(page) < chunk:
            return
        after = page[-1]


def invited_for(office: Office, db: Connection, counter: CounterDesk) -> list[Ticket]:
    """Visitors invited in (a place inside is held) whom this counter may call, longest invited first.

    They are not called until they come in; one who walked past the scanner waits unseen
    unless the officer sees them here and lets them in.
    """
    lines = lines_of(office, db, counter)
    services = tuple(dict.fromkeys(service for desk_ in (counter, *lines) for service in desk_.services))
    invited = db.tickets.in_states(office.today(), (INVITED,), services)
    return sorted((t for t in invited if queue_policy.serves(counter, lines, t)),
                  key=lambda t: (t.invited_at or t.arrived_at, t.id))


def panel(office: Office, db: Connection, number: int) -> dict:
    """Everything one counter's console shows: the counter, its holder, current ticket, next, waiting."""
    with db.snapshot():
        counter = desk(office, db, number)
        current = db.tickets.active_at_counter(number)
        waiting, waiting_total = waiting_for(office, db, number)
        return {
            "desk": counter,
            "holder": db.counters.holder(number),
            "current": current,
            "lane_check": lane_check(office, db, current) if current else None,
            "next": next_decision(office, db, number),
            "waiting": waiting,
            "waiting_total": waiting_total,
            "invited": invited_for(office, db, counter),
            "appointments": todays_appointments(office, db, counter.services),
            "lines": lines_of(office, db, counter),
        }


def lane_check(office: Office, db: Connection, ticket: Ticket) -> dict | None:
    """The latest officer check of the ticket's lane: what was decided, by whom and when, or None.

    `{"decision": "confirmed"|"moved", "lane", "from_lane", "reason", "by", "at"}`; only lane
    and reason codes, as the history keeps them.
    """
    for row in reversed(db.tickets.history(ticket.id)):
        check = lane_checks.read_detail(row["detail"])
        if check is None:
            continue
        officer = db.accounts.user_by_id(row["staff_id"]) if row["staff_id"] is not None else None
        return {"decision": check.decision, "lane": check.lane, "from_lane": check.from_lane, "reason": check.reason,
                "by": officer["username"] if officer else None,
                "at": to_office_iso(parse_utc(row["at"]), office.config.zone)}
    return None


def call_body(office: Office, result: CallResult) -> dict | None:
    """The JSON answer of a call: the called ticket, why it was chosen, and the previous visitor."""
    if result.called is None:
        return None
    body = summary(office, result.called)
    body["reason"] = {"rule": result.rule, "lane": result.called.lane,
                      "waited_min": int(result.waited.total_seconds() // 60) if result.waited else 0,
                      "line": result.line}
    body["previous"] = ({"number": result.previous.number, "status": result.previous.status}
                        if result.previous is not None else None)
    return body
