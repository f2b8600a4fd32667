"""The queue policy: who a counter calls next, and why. Pure functions over dataclasses.

The rules, in the order they are tried (docs/QUEUE-POLICY.md explains each and its default):

1. **Maximum wait.** A ticket that has waited `max_wait` or longer goes next, oldest first,
   whatever its lane: no visitor waits without bound behind a stream of others.
2. **Appointments.** A checked-in appointment is called once its booked time has come (from
   `appointment_early` before it until `appointment_grace` after it); after the grace
   period it is an ordinary ticket, placed by its check-in time.
3. **Fairness bound.** At a counter that serves every lane, after `max_priority_streak`
   priority calls in a row, a waiting general ticket goes next. Priority shortens the
   wait of seniors, people with disabilities and health workers without starving the rest.
4. **Order.** Otherwise: service class (e.g. health permits first), then arrival time, where
   a priority-lane ticket counts as having arrived `priority_head_start` earlier. A head
   start, not absolute precedence: a senior who comes 5 minutes after a general visitor goes
   first, one who comes an hour later does not jump the whole queue. This gives the priority
   lanes most of the benefit while the general lane's wait barely moves (the simulation in
   docs/QUEUE-POLICY.md shows the numbers). With no head start set, lane class comes first
   (strict priority). Transfers and no-show returns keep the original arrival time, so they
   keep their place.

Counters reserved for lanes call only those lanes (`strict`) or those lanes first and the
others when none wait (`assisting`); the fairness bound does not apply to them, since
serving the priority lanes is what they are for.

A counter may also serve other counters' lines while their officers are away (a supervisor
assigns them): `choose_with_lines` asks each line for its choice and takes the most urgent
(a visitor waiting too long, then a due appointment, then the counter's own fairness bound),
else the earliest in the standing order, the counter's own line winning a tie.

The storage layer claims the chosen ticket in the same transaction, so choosing stays pure.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from .model import COUNTER_OPEN, GENERAL, LANES, CounterDesk, Ticket

STRICT = "strict"
ASSISTING = "assisting"
COUNTER_MODES = (STRICT, ASSISTING)

# Why a ticket was chosen; shown to the officer and kept in the audit trail.
MAX_WAIT = "max_wait"
APPOINTMENT = "appointment"
FAIRNESS = "fairness"
RESERVED_LANE = "reserved_lane"
ASSISTING_RULE = "assisting"
PRIORITY_LANE = "priority_lane"
SERVICE_PRIORITY = "service_priority"
ARRIVAL = "arrival"
OUT_OF_ORDER = "out_of_order"
RULES = (MAX_WAIT, APPOINTMENT, FAIRNESS, RESERVED_LANE, ASSISTING_RULE, PRIORITY_LANE, SERVICE_PRIORITY,
         ARRIVAL, OUT_OF_ORDER)

DEFAULT_LANE_CLASSES = {"general": 1, "health_worker": 0, "senior": 0, "disability": 0}


@dataclass(frozen=True)
class PolicyConfig:
    """The office's calling rules; every field has a documented default."""

    lane_classes: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_LANE_CLASSES))
    service_classes: Mapping[str, int] = field(default_factory=dict)
    max_priority_streak: int | None = 3
    max_wait: timedelta | None = timedelta(minutes=60)
    priority_head_start: timedelta | None = timedelta(minutes=12)
    appointment_early: timedelta = timedelta(minutes=10)
    appointment_grace: timedelta = timedelta(minutes=15)
    no_show_return: timedelta = timedelta(minutes=30)
    no_show_max_returns: int = 1
    max_recalls: int = 3
    max_defers: int = 2

    def lane_class(self, lane: str) -> int:
        return self.lane_classes.get(lane, self.lane_classes.get(GENERAL, 1))

    def service_class(self, service: str) -> int:
        return self.service_classes.get(service, 1 if self.service_classes else 0)

    def is_priority(self, lane: str) -> bool:
        """A lane is a priority lane when its class comes before the general lane's."""
        return self.lane_class(lane) < self.lane_class(GENERAL)


# Two reference policies the simulator compares the office's policy with.
FIFO = PolicyConfig(lane_classes={lane: 0 for lane in LANES}, max_priority_streak=None, max_wait=None,
                    priority_head_start=None)
STRICT_PRIORITY = PolicyConfig(max_priority_streak=None, max_wait=None, priority_head_start=None)


@dataclass(frozen=True)
class Decision:
    """The ticket to call and the rule that chose it."""

    ticket: Ticket
    rule: str
    waited: timedelta
    line: int | None = None   # the other counter whose line it came from (see choose_with_lines)


def order_key(ticket: Ticket, policy: PolicyConfig) -> tuple:
    """The standing order of waiting tickets (rule 4): head-started arrival, or lane class first."""
    if policy.priority_head_start is None:
        return (policy.lane_class(ticket.lane), policy.service_class(ticket.service), ticket.arrived_at, ticket.id)
    steps = policy.lane_class(GENERAL) - policy.lane_class(ticket.lane)   # classes ahead of general
    return (policy.service_class(ticket.service), ticket.arrived_at - policy.priority_head_start * steps, ticket.id)


def can_serve(desk: CounterDesk, ticket: Ticket) -> bool:
    """Whether this counter may ever call this ticket."""
    return can_serve_line(desk, ticket.service, ticket.lane)


def can_serve_line(desk: CounterDesk, service: str, lane: str) -> bool:
    """Whether this counter may ever call the tickets of this (service, lane) line."""
    if service not in desk.services:
        return False
    return desk.lanes is None or desk.mode == ASSISTING or lane in desk.lanes


def appointment_due(ticket: Ticket, now: datetime, policy: PolicyConfig) -> bool:
    """A checked-in appointment inside its calling window."""
    if ticket.appointment_at is None:
        return False
    return ticket.appointment_at - policy.appointment_early <= now <= ticket.appointment_at + policy.appointment_grace


def priority_streak(recent_lanes: Sequence[str], policy: PolicyConfig) -> int:
    """How many of this counter's latest calls (newest first) were priority lanes in a row."""
    streak = 0
    for lane in recent_lanes:
        if not policy.is_priority(lane):
            break
        streak += 1
    return streak


def choose(waiting: Iterable[Ticket], desk: CounterDesk, now: datetime, policy: PolicyConfig,
           recent_lanes: Sequence[str] = ()) -> Decision | None:
    """The ticket this counter should call now and why, or None when it has nobody to call.

    `recent_lanes` are the lanes of this counter's latest calls today, newest first.
    """
    if desk.state != COUNTER_OPEN:
        return None
    own = [ticket for ticket in waiting if ticket.service in desk.services]
    base_rule = None
    if desk.lanes is not None:
        reserved = [ticket for ticket in own if ticket.lane in desk.lanes]
        if reserved:
            own, base_rule = reserved, RESERVED_LANE
        elif desk.mode == ASSISTING:
            base_rule = ASSISTING_RULE
        else:
            return None
    if not own:
        return None

    def decide(ticket: Ticket, rule: str) -> Decision:
        return Decision(ticket, rule, now - ticket.arrived_at)

    if policy.max_wait is not None:
        overdue = [ticket for ticket in own if now - ticket.arrived_at >= policy.max_wait]
        if overdue:
            return decide(min(overdue, key=lambda t: (t.arrived_at, t.id)), MAX_WAIT)

    due = [ticket for ticket in own if appointment_due(ticket, now, policy)]
    if due:
        return decide(min(due, key=lambda t: (t.appointment_at, t.arrived_at, t.id)), APPOINTMENT)

    if desk.lanes is None and policy.max_priority_streak is not None:
        if priority_streak(recent_lanes, policy) >= policy.max_priority_streak:
            general = [ticket for ticket in own if not policy.is_priority(ticket.lane)]
            if general:
                return decide(min(general, key=lambda t: order_key(t, policy)), FAIRNESS)

    chosen = min(own, key=lambda t: order_key(t, policy))
    if base_rule is not None:
        return decide(chosen, base_rule)
    earlier = [ticket for ticket in own if (ticket.arrived_at, ticket.id) < (chosen.arrived_at, chosen.id)]
    if any(policy.lane_class(t.lane) > policy.lane_class(chosen.lane) for t in earlier):
        return decide(chosen, PRIORITY_LANE)
    if earlier:
        return decide(chosen, SERVICE_PRIORITY)
    return decide(chosen, ARRIVAL)


# How urgent a line's choice is when a counter serves several counters' lines (lower first).
URGENCY = {MAX_WAIT: 0, APPOINTMENT: 1, FAIRNESS: 2}
STANDING = 3


def _urgency_key(decision: Decision, policy: PolicyConfig) -> tuple:
    """Which of several lines' choices goes first: by its rule's urgency, then as that rule orders."""
    ticket, urgency = decision.ticket, URGENCY.get(decision.rule, STANDING)
    if decision.rule == MAX_WAIT:
        return (urgency, ticket.arrived_at, ticket.id)
    if decision.rule == APPOINTMENT:
        return (urgency, ticket.appointment_at, ticket.arrived_at, ticket.id)
    return (urgency, *order_key(ticket, policy))


def serves(desk: CounterDesk, lines: Sequence[CounterDesk], ticket: Ticket) -> bool:
    """Whether this counter may call the ticket, through its own line or another it serves too."""
    return serves_line(desk, lines, ticket.service, ticket.lane)


def serves_line(desk: CounterDesk, lines: Sequence[CounterDesk], service: str, lane: str) -> bool:
    """Whether this counter may call a (service, lane) line, itself or for a counter whose line it serves."""
    return can_serve_line(desk, service, lane) or any(can_serve_line(line, service, lane) for line in lines)


def choose_with_lines(waiting: Iterable[Ticket], desk: CounterDesk, lines: Sequence[CounterDesk], now: datetime,
                      policy: PolicyConfig, recent_lanes: Sequence[str] = ()) -> Decision | None:
    """The ticket a counter should call when it also serves other counters' lines.

    `lines` are the profiles of the counters whose lines it serves too (their officers are
    away, so their own state does not matter: this counter's does). Each line chooses as
    `choose` would at an open counter of that profile, with this counter's recent calls; the
    most urgent choice wins (`URGENCY`), then the earliest in its rule's order, and the
    counter's own line on a tie. The winner names its line (`Decision.line`) unless it is
    the counter's own. Without `lines` this is `choose`.
    """
    waiting = list(waiting)
    own = choose(waiting, desk, now, policy, recent_lanes)
    if not lines or desk.state != COUNTER_OPEN:
        return own
    candidates = [] if own is None else [(own, 0)]
    for place, line in enumerate(lines, start=1):
        found = choose(waiting, replace(line, state=COUNTER_OPEN), now, policy, recent_lanes)
        if found is not None:
            candidates.append((replace(found, line=line.number), place))
    if not candidates:
        return None
    return min(candidates, key=lambda item: (_urgency_key(item[0], policy), item[1]))[0]


def heads(waiting: Iterable[Ticket]) -> list[Ticket]:
    """The tickets `choose` can ever pick: the first of each (service, lane) line, and appointments.

    Within one service and lane every rule orders tickets by (arrival, id): the order key's
    service class and head start are the same for the whole line, the maximum-wait rule takes
    the oldest, and the fairness rule the first general ticket. Only booked tickets jump
    their line (rule 2), so they all stay. `choose` over these gives the same decision as over
    every waiting ticket, which lets storage hand it a few rows instead of the whole queue.
    """
    first: dict[tuple[str, str], Ticket] = {}
    booked = []
    for ticket in waiting:
        if ticket.appointment_at is not None:
            booked.append(ticket)
        line = (ticket.service, ticket.lane)
        if line not in first or (ticket.arrived_at, ticket.id) < (first[line].arrived_at, first[line].id):
            first[line] = ticket
    chosen = {ticket.id: ticket for ticket in [*first.values(), *booked]}
    return sorted(chosen.values(), key=lambda t: (t.arrived_at, t.id))


def arrival_behind(ticket: Ticket, other: Ticket, policy: PolicyConfig) -> datetime | None:
    """The earliest arrival time that puts `ticket` right behind `other` in the standing order.

    A visitor who lets the next person go first keeps their ticket and drops one place: they
    count as having arrived a moment after that person (their lane's head start included).
    None when no arrival time can do it (strict lane classes, and `other` is in a later class).
    """
    step = timedelta(microseconds=1)
    if policy.priority_head_start is None:
        if policy.lane_class(ticket.lane) != policy.lane_class(other.lane):
            return None
        return other.arrived_at + step
    classes_ahead = policy.lane_class(GENERAL) - policy.lane_class(ticket.lane)
    other_ahead = policy.lane_class(GENERAL) - policy.lane_class(other.lane)
    return other.arrived_at + policy.priority_head_start * (classes_ahead - other_ahead) + step


def standing_bound(ticket: Ticket, lane: str, policy: PolicyConfig) -> bool | datetime:
    """Which tickets of `lane` in the same service stand before `ticket` in the standing order.

    True: all of them; False: none; a time: those that arrived before it (or at it, with a
    smaller id). Same service means the same service class, so rule 4 leaves the lane's head
    start (or, without one, its class) and the arrival time. It lets storage count the people
    ahead with one index range per lane instead of sorting the whole line.
    """
    if policy.priority_head_start is None:
        mine, theirs = policy.lane_class(ticket.lane), policy.lane_class(lane)
        return theirs < mine if theirs != mine else ticket.arrived_at
    steps = policy.lane_class(GENERAL) - policy.lane_class(lane)
    my_steps = policy.lane_class(GENERAL) - policy.lane_class(ticket.lane)
    return ticket.arrived_at + policy.priority_head_start * (steps - my_steps)


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket], policy: PolicyConfig) -> int:
    """How many waiting tickets of the same service stand before this one in the standing order."""
    key = order_key(ticket, policy)
    return sum(1 for other in waiting
               if other.service == ticket.service and other.id != ticket.id and order_key(other, policy) < key)


def queue_positions(waiting: Iterable[Ticket], policy: PolicyConfig) -> dict[int, int]:
    """People ahead of every waiting ticket at once (one sort, not one scan per ticket)."""
    ahead_in_service: Counter[str] = Counter()
    positions = {}
    for ticket in sorted(waiting, key=lambda t: order_key(t, policy)):
        positions[ticket.id] = ahead_in_service[ticket.service]
        ahead_in_service[ticket.service] += 1
    return positions
