"""A simulated office day: the real queue policy against a random but repeatable day of visitors.

The numbers in `[policy]` are guesses until they meet a day that looks like the office's own.
A scenario (an office file plus a `[simulation]` table, see shared/scenarios/) describes that day;
`compare` runs it under several policies with the very same visitors (common random numbers), so
the differences come from the policy and not from luck. docs/QUEUE-POLICY.md shows the results.

This module is the model itself, from the day's inputs to the figures `compare` returns; reading
scenario files is `scenario.py`'s job and turning the figures into a table or chart `report.py`'s.

The model, in minutes after midnight on the scenario's date, in the office's time zone:

- visitors of each (service, lane) arrive as a Poisson stream whose rate is constant within each
  window of the day's profile, and only while the office is open;
- with `[simulation.bookings]`, each of those would-be visitors books instead with probability
  `share`: the booking takes the slot in which they would have walked in, some bookings never
  come, and the others check in around the slot start (see `Bookings` and `_check_in`);
- each visitor brings a lognormal service time, a no-show flag and a patience (exponential); one
  still waiting when the patience runs out leaves and counts as abandoned;
- a free, open counter asks `shared.domain.policy.choose` whom to call, passing the lanes of its latest
  calls; a called no-show costs the counter `no_show_cost` minutes, then it calls again;
- a counter whose break starts finishes its visitor first and pauses until the break ends;
- counters keep calling after closing time until the queue drains; whoever still waits at the
  hard stop is counted as unserved.
"""
from __future__ import annotations

import heapq
import math
import random
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time, timedelta, tzinfo

from ..domain.bookings import EARLY, LATE, BookingRules, checkin_timing
from ..domain.config import OfficeConfig
from ..domain.model import APPOINTMENT, COUNTER_OPEN, LANES, WAITING, WALK_IN, CounterDesk, Ticket
from ..domain.numbering import format_number
from ..domain.policy import FIFO, STRICT_PRIORITY, Decision, PolicyConfig, choose

REFERENCE_NAMES = ("fifo", "strict_priority", "configured")

SERVED = "served"
NO_SHOW = "no_show"
ABANDONED = "abandoned"
UNSERVED = "unserved"

# Events at the same minute run in this order: a finishing counter frees up before anything else.
_FINISH, _OPEN, _BREAK_END, _BREAK_START, _ABANDON, _ARRIVAL, _HARD_STOP = range(7)
_RECENT_KEPT = 64  # more than the largest max_priority_streak the office file accepts (50)


# --- The day's inputs -------------------------------------------------------------------------

@dataclass(frozen=True)
class Visitor:
    """One visitor, drawn once so that every policy compared meets the very same person."""

    id: int
    arrival: float
    service: str
    lane: str
    duration: float
    no_show: bool = False
    patience: float | None = None
    queued: float | None = None  # joins the queue later than `arrival` (a transfer), keeping its place
    appointment: float | None = None  # booked slot start of a checked-in booking; None for a walk-in ticket

    @property
    def joins(self) -> float:
        """When the ticket enters the queue: a transfer joins late but keeps its arrival time."""
        return self.arrival if self.queued is None else self.queued


@dataclass(frozen=True)
class CounterPlan:
    """A counter as the policy sees it, plus the breaks that take it away from the queue."""

    desk: CounterDesk
    breaks: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Day:
    """The day's frame; times are minutes after local midnight so the event queue stays plain floats."""

    date: Date
    zone: tzinfo
    open: float
    close: float
    hard_stop: float
    no_show_cost: float = 1.0

    def at(self, minutes: float) -> datetime:
        """An aware datetime, because the real policy compares aware arrival and call times."""
        return datetime.combine(self.date, time(0), tzinfo=self.zone) + timedelta(minutes=minutes)


@dataclass(frozen=True)
class Stream:
    """Arrivals of one service and lane, as (start, end, visitors per hour) windows of a changing rate."""

    service: str
    lane: str
    windows: tuple[tuple[float, float, float], ...]

    @property
    def expected(self) -> float:
        """Expected visitors a day, to check a scenario against the office it claims to describe."""
        return sum((end - start) / 60 * rate for start, end, rate in self.windows)


@dataclass(frozen=True)
class Bookings:
    """How the day's visitors book, so the report can weigh appointments against the walk-ins they pass.

    Each would-be visitor books with probability `share`, in the slot (per service, `slot_min`
    minutes, back to back from opening) in which they would have walked in: bookings follow the
    arrival profile without a second profile to keep in step. A share `no_show` of the bookings
    never comes. The others arrive `earliness` minutes before the slot start, drawn from a normal
    distribution (`early_mean`, `early_sd`; negative means late), and check in as the product lets
    them (`_check_in`).
    """

    share: float
    slot_min: Mapping[str, float]
    no_show: float = 0.0
    early_mean: float = 10.0
    early_sd: float = 10.0

    def slot_start(self, service: str, moment: float, day: Day) -> float:
        """The slot a visitor who would have come at `moment` books; a last part-slot's demand goes to the last slot."""
        length = self.slot_min[service]
        last = int((day.close - day.open) // length) - 1
        return day.open + min(int((moment - day.open) // length), last) * length


@dataclass(frozen=True)
class Scenario:
    """An office file with the day it is tried on, so a policy is judged on the office's own traffic."""

    name: str
    office: OfficeConfig
    day: Day
    streams: tuple[Stream, ...]
    service_times: Mapping[str, tuple[float, float]]
    breaks: Mapping[int, tuple[tuple[float, float], ...]] = field(default_factory=dict)
    no_show: float = 0.0
    patience_mean: float | None = None
    seed: int = 1
    bookings: Bookings | None = None

    @property
    def policy(self) -> PolicyConfig:
        """The office file's `[policy]`, the one the report calls "configured"."""
        return self.office.policy

    def counter_plans(self) -> tuple[CounterPlan, ...]:
        """The office's counters as open desks, the shape `choose` expects, with the day's breaks."""
        return tuple(CounterPlan(CounterDesk(c.number, c.name, c.services, c.lanes, COUNTER_OPEN, c.mode),
                                 self.breaks.get(c.number, ()))
                     for c in self.office.counters)

    def prefixes(self) -> dict[str, str]:
        """Ticket-number prefix per service, so simulated tickets read like the office's own."""
        return {service.code: service.prefix for service in self.office.services}


# --- Drawing the visitors ---------------------------------------------------------------------

def lognormal_parameters(mean: float, sd: float) -> tuple[float, float]:
    """mu and sigma for a lognormal, since scenarios give service times as a mean and sd in minutes."""
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def draw_visitors(scenario: Scenario, seed: int | None = None) -> list[Visitor]:
    """The day's visitors; one generator per stream, so editing one stream leaves the others' draws alone."""
    return _draw(scenario, seed)[0]


def _draw(scenario: Scenario, seed: int | None) -> tuple[list[Visitor], Counter, Counter]:
    """The visitors and, with bookings, how the bookings went (booked, never came, ...) and bookings per slot."""
    master = random.Random(scenario.seed if seed is None else seed)
    bookings = scenario.bookings
    seeds = [master.getrandbits(64) for _ in scenario.streams]
    # Booking draws come from generators of their own, seeded after the streams', so the same day
    # with and without bookings (or with another share) has the very same would-be visitors.
    booking_seeds = [master.getrandbits(64) for _ in scenario.streams] if bookings is not None else []
    tally: Counter = Counter()
    per_slot: Counter = Counter()  # (service, slot start) -> bookings, whether they came or not
    drawn = []
    for index, stream in enumerate(scenario.streams):
        rng = random.Random(seeds[index])
        booking_rng = random.Random(booking_seeds[index]) if bookings is not None else None
        mu, sigma = lognormal_parameters(*scenario.service_times[stream.service])
        for start, end, per_hour in stream.windows:
            if per_hour <= 0:
                continue
            moment = start
            while True:
                moment += rng.expovariate(per_hour / 60)
                if moment >= end:
                    break
                duration = rng.lognormvariate(mu, sigma) if sigma > 0 else math.exp(mu)
                no_show = rng.random() < scenario.no_show
                patience = rng.expovariate(1 / scenario.patience_mean) if scenario.patience_mean else None
                arrival, appointment = moment, None
                if bookings is not None:
                    # Drawn for every visitor, booked or not, so a different share books the same people first.
                    books, absent = booking_rng.random() < bookings.share, booking_rng.random() < bookings.no_show
                    earliness = booking_rng.gauss(bookings.early_mean, bookings.early_sd)
                    if books:
                        slot = bookings.slot_start(stream.service, moment, scenario.day)
                        tally["booked"] += 1
                        per_slot[(stream.service, slot)] += 1
                        arrival, appointment = _check_in(scenario.day, scenario.office.booking, slot, earliness)
                        if absent or (appointment is None and arrival >= scenario.day.close):
                            tally["never_came"] += 1
                            continue
                        tally["checked_in" if appointment is not None else "walked_in"] += 1
                drawn.append((arrival, stream.service, stream.lane, duration, no_show, patience, appointment))
    drawn.sort(key=lambda item: (item[0], item[1], LANES.index(item[2]) if item[2] in LANES else 99))
    visitors = [Visitor(index, *item[:6], appointment=item[6]) for index, item in enumerate(drawn, start=1)]
    return visitors, tally, per_slot


def _check_in(day: Day, rules: BookingRules, slot: float, earliness: float) -> tuple[float, float | None]:
    """When a booked visitor gets a ticket, and whether it is an appointment, under the product's check-in rules.

    Too early, the kiosk tells them to come back when check-in opens, so their ticket is issued
    then; too late, it refuses the booking and offers a walk-in ticket (None: an ordinary ticket
    at the moment they came, or nothing once the office has closed).
    """
    arrival = slot - earliness
    timing = checkin_timing(day.at(slot), day.at(arrival), rules)
    if timing == EARLY:
        return slot - rules.checkin_early.total_seconds() / 60, slot
    if timing == LATE:
        return arrival, None
    return arrival, slot


# --- Running a day ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """How and when a visitor's wait ended (served, no-show, abandoned, unserved), for the statistics."""

    status: str
    at: float
    counter: int | None = None
    rule: str | None = None


@dataclass(frozen=True)
class CounterUse:
    """Busy and open minutes of a counter, to tell a busy office from an overloaded one."""

    number: int
    busy: float
    open: float

    @property
    def utilisation(self) -> float:
        """Busy minutes as a share of open minutes (0 when the counter was never open)."""
        return self.busy / self.open if self.open > 0 else 0.0


@dataclass(frozen=True)
class DayResult:
    """What one policy made of the day, kept raw so summaries and tests can read it as they need."""

    outcomes: Mapping[int, Outcome]
    counters: tuple[CounterUse, ...]


# observer(now, desk, waiting, recent_lanes, decision) sees every call, for tests and tracing.
Observer = Callable[[datetime, CounterDesk, tuple[Ticket, ...], tuple[str, ...], Decision], None]


class _Counter:
    """A counter's state during the run (busy, on break, latest lanes called for the fairness bound)."""

    def __init__(self, plan: CounterPlan):
        self.desk = plan.desk
        self.busy = False
        self.on_break = False
        self.pending_break: float | None = None  # end of a break that started while busy
        self.paused: list[list[float]] = []
        self.recent: deque[str] = deque(maxlen=_RECENT_KEPT)
        self.idle_since = 0.0
        self.busy_minutes = 0.0
        self.last_finish: float | None = None


def run_day(day: Day, counters: Sequence[CounterPlan], visitors: Iterable[Visitor], policy: PolicyConfig,
            observer: Observer | None = None, prefixes: Mapping[str, str] | None = None) -> DayResult:
    """Play one day event by event, asking the real policy at every free counter, so its flaws show here first."""
    visitors = {visitor.id: visitor for visitor in visitors}
    desks = [_Counter(plan) for plan in counters]
    events: list[tuple] = []
    order = 0

    def push(moment: float, kind: int, subject) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (moment, kind, order, subject))

    sequences: dict[str, int] = {}
    for visitor in sorted(visitors.values(), key=lambda v: (v.arrival, v.id)):
        sequences[visitor.service] = sequences.get(visitor.service, 0) + 1
        push(visitor.joins, _ARRIVAL, (visitor, sequences[visitor.service]))
    for counter, plan in zip(desks, counters):
        for start, end in plan.breaks:
            push(start, _BREAK_START, (counter, end))
        counter.idle_since = day.open
    push(day.open, _OPEN, None)
    push(day.hard_stop, _HARD_STOP, None)

    waiting: dict[int, Ticket] = {}
    outcomes: dict[int, Outcome] = {}
    stopped = False

    def call(counter: _Counter, now: float) -> None:
        if stopped or counter.busy or counter.on_break or now < day.open:
            return
        recent = tuple(counter.recent)
        stamp = day.at(now)
        decision = choose(waiting.values(), counter.desk, stamp, policy, recent)
        if decision is None:
            return
        if observer is not None:
            observer(stamp, counter.desk, tuple(waiting.values()), recent, decision)
        ticket = decision.ticket
        del waiting[ticket.id]
        visitor = visitors[ticket.id]
        counter.recent.appendleft(ticket.lane)
        outcomes[ticket.id] = Outcome(NO_SHOW if visitor.no_show else SERVED, now, counter.desk.number, decision.rule)
        spent = day.no_show_cost if visitor.no_show else visitor.duration
        counter.busy = True
        counter.busy_minutes += spent
        push(now + spent, _FINISH, counter)

    def call_idle(now: float) -> None:
        for counter in sorted((c for c in desks if not c.busy and not c.on_break),
                              key=lambda c: (c.idle_since, c.desk.number)):
            call(counter, now)

    def pause(counter: _Counter, now: float, until: float) -> None:
        counter.on_break = True
        counter.paused.append([now, until])
        push(until, _BREAK_END, counter)

    while events:
        now, kind, _order, subject = heapq.heappop(events)
        if kind == _ARRIVAL:
            visitor, sequence = subject
            if stopped:
                outcomes[visitor.id] = Outcome(UNSERVED, now)
                continue
            waiting[visitor.id] = Ticket(
                visitor.id, day.date.isoformat(), visitor.service, visitor.lane, sequence,
                format_number((prefixes or {}).get(visitor.service, visitor.service[:1].upper()), sequence),
                WAITING, WALK_IN if visitor.appointment is None else APPOINTMENT, day.at(visitor.arrival),
                day.at(visitor.arrival),
                appointment_at=None if visitor.appointment is None else day.at(visitor.appointment))
            if visitor.patience is not None:
                push(visitor.joins + visitor.patience, _ABANDON, visitor.id)
            call_idle(now)
        elif kind == _FINISH:
            counter = subject
            counter.busy = False
            counter.last_finish = counter.idle_since = now
            if counter.pending_break is not None:
                until, counter.pending_break = counter.pending_break, None
                if now < until:
                    pause(counter, now, until)
                    continue
            call(counter, now)
        elif kind == _OPEN:
            call_idle(now)
        elif kind == _BREAK_START:
            counter, until = subject
            if counter.busy:
                counter.pending_break = until
            elif not counter.on_break:
                pause(counter, now, until)
        elif kind == _BREAK_END:
            subject.on_break = False
            subject.idle_since = now
            call(subject, now)
        elif kind == _ABANDON:
            if subject in waiting:
                del waiting[subject]
                outcomes[subject] = Outcome(ABANDONED, now)
        elif kind == _HARD_STOP:
            stopped = True
            for ticket_id in waiting:
                outcomes[ticket_id] = Outcome(UNSERVED, now)
            waiting.clear()

    uses = []
    for counter in desks:
        end = max(day.close, counter.last_finish or day.close)
        paused = sum(max(0.0, min(stop, end) - max(start, day.open)) for start, stop in counter.paused)
        uses.append(CounterUse(counter.desk.number, counter.busy_minutes, max(0.0, end - day.open - paused)))
    return DayResult(outcomes, tuple(uses))


# --- Summaries --------------------------------------------------------------------------------

def percentile(values: Sequence[float], share: float) -> float | None:
    """Percentile by linear interpolation between ranks (numpy's default), so results match common tools."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _waits(figures: Sequence[float]) -> dict:
    return {"p50": _rounded(percentile(figures, 0.5)), "p95": _rounded(percentile(figures, 0.95)),
            "max": _rounded(max(figures) if figures else None),
            "mean": _rounded(sum(figures) / len(figures) if figures else None)}


def summarise(result: DayResult, visitors: Iterable[Visitor], max_wait: timedelta | None,
              priority_lanes: Iterable[str],
              appointment_window: tuple[timedelta, timedelta] | None = None) -> dict:
    """The figures a policy is judged by: waits and counts per lane, utilisation, max-wait breaches.

    With `appointment_window` (the policy's appointment_early and appointment_grace) it adds
    `channels`: walk-in against appointment tickets, and whether appointments were called in
    their window, since that is the promise a booking makes and walk-ins pay for.
    """
    # over_max_wait counts everyone whose time in the queue passed max_wait, whether served, absent,
    # abandoned or unserved: each of them did wait that long.
    visitors = list(visitors)
    priority_lanes = set(priority_lanes)
    limit = None if max_wait is None else max_wait.total_seconds() / 60
    lanes = [lane for lane in LANES if any(v.lane == lane for v in visitors)]
    lanes += sorted({v.lane for v in visitors} - set(lanes))
    groups = {lane: (lambda v, lane=lane: v.lane == lane) for lane in lanes}
    groups["priority"] = lambda v: v.lane in priority_lanes
    groups["all"] = lambda v: True
    if appointment_window is not None:
        groups[WALK_IN] = lambda v: v.appointment is None
        groups[APPOINTMENT] = lambda v: v.appointment is not None
    table = {}
    for name, member in groups.items():
        chosen = [v for v in visitors if member(v)]
        waits = [result.outcomes[v.id].at - v.arrival for v in chosen if result.outcomes[v.id].status == SERVED]
        counts = {status: sum(1 for v in chosen if result.outcomes[v.id].status == status)
                  for status in (SERVED, ABANDONED, NO_SHOW, UNSERVED)}
        table[name] = {**_waits(waits), "visitors": len(chosen), **counts}
    over = 0
    if limit is not None:
        over = sum(1 for v in visitors if result.outcomes[v.id].at - v.arrival > limit + 1e-9)
    busy = sum(use.busy for use in result.counters)
    opened = sum(use.open for use in result.counters)
    extra = {}
    if appointment_window is not None:
        booked = [v for v in visitors if v.appointment is not None]
        table[APPOINTMENT].update(_window(result, booked, *appointment_window))
        extra["channels"] = {WALK_IN: table[WALK_IN], APPOINTMENT: table[APPOINTMENT]}
    return {
        "lanes": {lane: table[lane] for lane in lanes},
        "groups": {"priority": table["priority"], "all": table["all"]},
        "served": table["all"][SERVED],
        "abandoned": table["all"][ABANDONED],
        "no_show": table["all"][NO_SHOW],
        "unserved": table["all"][UNSERVED],
        "over_max_wait": over if limit is not None else None,
        "utilisation": round(busy / opened, 4) if opened else 0.0,
        "counters": {str(use.number): round(use.utilisation, 4) for use in result.counters},
        "last_call": _clock(max((o.at for o in result.outcomes.values() if o.counter is not None), default=0.0)),
        **extra,
    }


def _window(result: DayResult, booked: Sequence[Visitor], early: timedelta, grace: timedelta) -> dict:
    """Appointment calls against their window: in it, before it (a free counter took them early), after it.

    `late_by` is minutes past the window's end, the part of the wait the booking did not promise.
    Called no-shows count by the call; abandoned and unserved tickets were never called.
    """
    opens, closes = early.total_seconds() / 60, grace.total_seconds() / 60
    calls = [(result.outcomes[v.id].at, v.appointment) for v in booked if result.outcomes[v.id].counter is not None]
    before = sum(1 for at, slot in calls if at < slot - opens - 1e-9)
    late_by = [at - slot - closes for at, slot in calls if at > slot + closes + 1e-9]
    within = len(calls) - before - len(late_by)
    return {"window_min": [-opens, closes], "called": len(calls), "in_window": within,
            "in_window_share": round(within / len(booked), 4) if booked else None,
            "before_window": before, "after_window": len(late_by), "late_by": _waits(late_by)}


def reference_policies(scenario: Scenario) -> dict[str, PolicyConfig]:
    """The office's policy beside the two extremes it sits between, under the report's names."""
    return {"fifo": FIFO, "strict_priority": STRICT_PRIORITY, "configured": scenario.policy}


def compare(scenario: Scenario, policies: Mapping[str, PolicyConfig] | None = None,
            seed: int | None = None) -> dict:
    """Run one drawn day under each policy (common random numbers), so differences come from the policy."""
    seed = scenario.seed if seed is None else seed
    policies = reference_policies(scenario) if policies is None else policies
    visitors, tally, per_slot = _draw(scenario, seed)
    plans = scenario.counter_plans()
    priority = sorted({lane for lane in LANES if scenario.policy.is_priority(lane)}, key=LANES.index)
    max_wait = scenario.policy.max_wait
    report = {
        "scenario": scenario.name,
        "office": scenario.office.name,
        "date": scenario.day.date.isoformat(),
        "open": _clock(scenario.day.open),
        "close": _clock(scenario.day.close),
        "seed": seed,
        "visitors": len(visitors),
        "counters": len(plans),
        "max_wait_min": None if max_wait is None else max_wait.total_seconds() / 60,
        "priority_lanes": priority,
        "policies": {},
    }
    if scenario.bookings is not None:
        report["bookings"] = _booking_figures(scenario, tally, per_slot)
    for name, policy in policies.items():
        result = run_day(scenario.day, plans, visitors, policy, prefixes=scenario.prefixes())
        window = None if scenario.bookings is None else (policy.appointment_early, policy.appointment_grace)
        report["policies"][name] = summarise(result, visitors, max_wait, priority, window)
    return report


def _booking_figures(scenario: Scenario, tally: Counter, per_slot: Counter) -> dict:
    """How the day's bookings went, and its fullest slot against the places the office file lets be booked.

    The simulator does not hold bookings to `[booking]` slot_capacity × bookable_share: `share`
    is the demand, and the fullest slot (the most bookings over, or the fewest under, its
    service's bookable places) shows whether the office's slots would take it.
    """
    bookings = scenario.bookings
    places = scenario.office.booking.bookable_places
    fullest = None
    if per_slot:
        (service, slot), count = min(per_slot.items(),
                                     key=lambda item: (places(item[0][0]) - item[1], item[0][1], item[0][0]))
        fullest = {"service": service, "slot": _clock(slot), "booked": count, "bookable": places(service)}
    return {"share": bookings.share, "no_show": bookings.no_show, "arrive_early_min": bookings.early_mean,
            "arrive_sd_min": bookings.early_sd, "slot_min": dict(bookings.slot_min),
            "booked": tally["booked"], "never_came": tally["never_came"], "walked_in": tally["walked_in"],
            "checked_in": tally["checked_in"], "fullest_slot": fullest}


def _clock(minutes: float) -> str:
    """Minutes after midnight as "HH:MM"; scenario.py uses it too, for the default profile."""
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"
