"""A simulated office day: the real queue policy against a random but repeatable day of visitors.

The numbers in `[policy]` are guesses until they meet a day that looks like the office's own.
A scenario (an office file plus a `[simulation]` table, see shared/scenarios/) describes that day;
`compare` runs it under several policies with the very same visitors (common random numbers), so
the differences come from the policy and not from luck. docs/QUEUE-POLICY.md shows the results.

The model, in minutes after midnight on the scenario's date, in the office's time zone:

- visitors of each (service, lane) arrive as a Poisson stream whose rate is constant within each
  window of the day's profile, and only while the office is open;
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
import html
import math
import random
import tomllib
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from .domain.config import ConfigError, OfficeConfig, parse_config
from .domain.model import COUNTER_OPEN, LANES, WAITING, WALK_IN, CounterDesk, Ticket
from .domain.numbering import format_number
from .domain.policy import FIFO, STRICT_PRIORITY, Decision, PolicyConfig, choose

SCENARIOS = Path(__file__).parent / "scenarios"
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

    @property
    def policy(self) -> PolicyConfig:
        return self.office.policy

    def counter_plans(self) -> tuple[CounterPlan, ...]:
        """The office's counters as open desks, the shape `choose` expects, with the day's breaks."""
        return tuple(CounterPlan(CounterDesk(c.number, c.name, c.services, c.lanes, COUNTER_OPEN, c.mode),
                                 self.breaks.get(c.number, ()))
                     for c in self.office.counters)

    def prefixes(self) -> dict[str, str]:
        return {service.code: service.prefix for service in self.office.services}


# --- Drawing the visitors ---------------------------------------------------------------------

def lognormal_parameters(mean: float, sd: float) -> tuple[float, float]:
    """mu and sigma for a lognormal, since scenarios give service times as a mean and sd in minutes."""
    sigma2 = math.log(1 + (sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)


def draw_visitors(scenario: Scenario, seed: int | None = None) -> list[Visitor]:
    """The day's visitors; one generator per stream, so editing one stream leaves the others' draws alone."""
    master = random.Random(scenario.seed if seed is None else seed)
    drawn = []
    for stream in scenario.streams:
        rng = random.Random(master.getrandbits(64))
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
                drawn.append((moment, stream.service, stream.lane, duration, no_show, patience))
    drawn.sort(key=lambda item: (item[0], item[1], LANES.index(item[2]) if item[2] in LANES else 99))
    return [Visitor(index, *item) for index, item in enumerate(drawn, start=1)]


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
                WAITING, WALK_IN, day.at(visitor.arrival), day.at(visitor.arrival))
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
              priority_lanes: Iterable[str]) -> dict:
    """The figures a policy is judged by: waits and counts per lane, utilisation, max-wait breaches."""
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
    }


def reference_policies(scenario: Scenario) -> dict[str, PolicyConfig]:
    """The office's policy beside the two extremes it sits between, under the report's names."""
    return {"fifo": FIFO, "strict_priority": STRICT_PRIORITY, "configured": scenario.policy}


def compare(scenario: Scenario, policies: Mapping[str, PolicyConfig] | None = None,
            seed: int | None = None) -> dict:
    """Run one drawn day under each policy (common random numbers), so differences come from the policy."""
    seed = scenario.seed if seed is None else seed
    policies = reference_policies(scenario) if policies is None else policies
    visitors = draw_visitors(scenario, seed)
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
    for name, policy in policies.items():
        result = run_day(scenario.day, plans, visitors, policy, prefixes=scenario.prefixes())
        report["policies"][name] = summarise(result, visitors, max_wait, priority)
    return report


def _clock(minutes: float) -> str:
    whole = int(round(minutes))
    return f"{whole // 60:02d}:{whole % 60:02d}"


# --- Reading scenarios ------------------------------------------------------------------------

def shipped_scenarios() -> list[str]:
    """Names of the scenarios that ship with Antrean, for `antrean simulate NAME` and its errors."""
    return sorted(path.stem for path in SCENARIOS.glob("*.toml"))


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a path or a shipped name such as `mpp`, so users need not know where the package lives."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = SCENARIOS / f"{name_or_path}.toml"
    if str(name_or_path) in shipped_scenarios() and shipped.is_file():
        return shipped
    raise ConfigError(f"{name_or_path}: no such scenario file or shipped scenario "
                      f"(shipped: {', '.join(shipped_scenarios())})")


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a scenario; errors name the file and field, as office.toml errors do."""
    path = scenario_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name}: not valid TOML: {error}") from None
    try:
        return parse_scenario(raw, path.stem)
    except ConfigError as error:
        raise ConfigError(f"{path.name}: {error}") from None


def parse_scenario(raw: dict, name: str = "scenario") -> Scenario:
    """Validate the office part with `parse_config` (so `[policy]` means what it means in office.toml), then the day."""
    office = parse_config(raw)
    sim = raw.get("simulation")
    if not isinstance(sim, dict):
        raise ConfigError("simulation: a [simulation] table is required")
    day_date = sim.get("date", "2026-11-25")
    if isinstance(day_date, str):
        try:
            day_date = Date.fromisoformat(day_date)
        except ValueError:
            raise ConfigError("simulation.date: must read like 2026-11-25") from None
    if not isinstance(day_date, Date) or isinstance(day_date, datetime):
        raise ConfigError("simulation.date: must read like 2026-11-25")
    opening = _minutes_of_day(sim.get("open"), "simulation.open")
    closing = _minutes_of_day(sim.get("close"), "simulation.close")
    if closing <= opening:
        raise ConfigError("simulation.close: must be after simulation.open")
    hard_stop = _minutes_of_day(sim.get("hard_stop", "23:59"), "simulation.hard_stop")
    if hard_stop < closing:
        raise ConfigError("simulation.hard_stop: must not be before simulation.close")

    profile = _profile(sim.get("profile", [[_clock(opening), _clock(closing), 1]]), "simulation.profile",
                       opening, closing)
    default_shares = sim.get("lanes", {"general": 1})
    streams: list[Stream] = []
    times: dict[str, tuple[float, float]] = {}
    services = sim.get("services")
    if not isinstance(services, dict) or not services:
        raise ConfigError("simulation.services: give at least one [simulation.services.<code>] table")
    for code, table in services.items():
        where = f"simulation.services.{code}"
        service = office.service(code)
        if service is None:
            raise ConfigError(f"{where}: unknown service")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        visitors = _number(table.get("visitors"), f"{where}.visitors", 0, 100_000)
        mean = _number(table.get("service_min"), f"{where}.service_min", 0.05, 24 * 60)
        sd = _number(table.get("service_sd_min", 0), f"{where}.service_sd_min", 0, 24 * 60)
        times[code] = (mean, sd)
        shares = _shares(table.get("lanes"), default_shares, service.lanes, f"{where}.lanes")
        windows = profile if "profile" not in table else _profile(table["profile"], f"{where}.profile",
                                                                 opening, closing)
        weight_hours = sum((end - start) / 60 * weight for start, end, weight in windows)
        for lane, share in shares.items():
            windows_rates = tuple((start, end, visitors * share * weight / weight_hours)
                                  for start, end, weight in windows)
            streams.append(Stream(code, lane, windows_rates))

    breaks: dict[int, list[tuple[float, float]]] = {}
    for index, item in enumerate(sim.get("breaks", [])):
        where = f"simulation.breaks[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: must be a table with counter, start and end")
        number = item.get("counter")
        if office.counter(number) is None:
            raise ConfigError(f"{where}.counter: no counter number {number!r} in [[counters]]")
        start = _minutes_of_day(item.get("start"), f"{where}.start")
        end = _minutes_of_day(item.get("end"), f"{where}.end")
        if not opening <= start < end <= hard_stop:
            raise ConfigError(f"{where}: must start at or after simulation.open and end after its start")
        breaks.setdefault(number, []).append((start, end))

    patience = _number(sim.get("patience_mean_min", 0), "simulation.patience_mean_min", 0, 24 * 60)
    seed = sim.get("seed", 1)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError("simulation.seed: must be a whole number")
    day = Day(day_date, ZoneInfo(office.timezone), opening, closing, hard_stop,
              _number(sim.get("no_show_cost_min", 1), "simulation.no_show_cost_min", 0, 60))
    return Scenario(
        name=name,
        office=office,
        day=day,
        streams=tuple(streams),
        service_times=times,
        breaks={number: tuple(sorted(spans)) for number, spans in breaks.items()},
        no_show=_number(sim.get("no_show", 0), "simulation.no_show", 0, 1),
        patience_mean=patience or None,
        seed=seed,
    )


def _minutes_of_day(value, where: str) -> float:
    if isinstance(value, time):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, str):
        try:
            hours, minutes = value.split(":")
            hours, minutes = int(hours), int(minutes)
        except ValueError:
            hours = minutes = -1
        if 0 <= hours <= 24 and 0 <= minutes < 60 and hours * 60 + minutes <= 24 * 60:
            return float(hours * 60 + minutes)
    raise ConfigError(f"{where}: must be a time of day like \"07:30\"")


def _number(value, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{where}: must be a number from {low:g} to {high:g}")
    return float(value)


def _profile(raw, where: str, opening: float, closing: float) -> tuple[tuple[float, float, float], ...]:
    """Relative arrival rates per window, because visitors bunch in the morning rather than arrive evenly."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: list windows like [\"08:00\", \"09:00\", 1.0]")
    windows = []
    previous_end = opening
    for index, item in enumerate(raw):
        if not isinstance(item, list) or len(item) != 3:
            raise ConfigError(f"{where}[{index}]: must be [start, end, weight]")
        start = _minutes_of_day(item[0], f"{where}[{index}]")
        end = _minutes_of_day(item[1], f"{where}[{index}]")
        weight = _number(item[2], f"{where}[{index}]", 0, 1000)
        if not previous_end <= start < end <= closing:
            raise ConfigError(f"{where}[{index}]: windows must follow one another within opening hours")
        windows.append((start, end, weight))
        previous_end = end
    if sum((end - start) * weight for start, end, weight in windows) <= 0:
        raise ConfigError(f"{where}: at least one window needs a weight above 0")
    return tuple(windows)


def _shares(raw, default, allowed: Sequence[str], where: str) -> dict[str, float]:
    """Lane shares normalised to 1 over the lanes the service offers, so a kiosk could really issue them."""
    given = raw is not None
    table = raw if given else default
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table like {{ general = 0.85, senior = 0.1 }}")
    shares = {}
    for lane, value in table.items():
        if lane not in LANES:
            raise ConfigError(f"{where}.{lane}: unknown lane (known: {', '.join(LANES)})")
        if lane not in allowed:
            if given:
                raise ConfigError(f"{where}.{lane}: the service does not offer this lane")
            continue
        shares[lane] = _number(value, f"{where}.{lane}", 0, 1000)
    total = sum(shares.values())
    if total <= 0:
        raise ConfigError(f"{where}: at least one lane needs a share above 0")
    return {lane: value / total for lane, value in shares.items() if value > 0}


# --- Presenting a report ----------------------------------------------------------------------

def _minutes(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def format_report(report: dict) -> str:
    """The plain-text table `antrean simulate` prints, per policy and lane, for a person at a terminal."""
    max_wait = report["max_wait_min"]
    lines = [
        f"Scenario {report['scenario']}: {report['office']}",
        f"{report['date']}, open {report['open']}–{report['close']}, {report['visitors']} visitors, "
        f"{report['counters']} counters, seed {report['seed']}; waits in minutes (call − arrival, served visitors)",
    ]
    for name, summary in report["policies"].items():
        over = "n/a" if summary["over_max_wait"] is None else summary["over_max_wait"]
        limit = "off" if max_wait is None else f"{max_wait:g} min"
        lines += ["", f"{name}: utilisation {summary['utilisation']:.2f}, over max wait ({limit}): {over}, "
                      f"last call {summary['last_call']}",
                  f"  {'lane':<15}{'served':>7}{'abandoned':>10}{'no-show':>8}{'unserved':>9}"
                  f"{'p50':>7}{'p95':>7}{'max':>7}"]
        rows = list(summary["lanes"].items()) + [("priority (all)", summary["groups"]["priority"]),
                                                  ("everyone", summary["groups"]["all"])]
        for lane, row in rows:
            lines.append(f"  {lane:<15}{row['served']:>7}{row['abandoned']:>10}{row['no_show']:>8}"
                         f"{row['unserved']:>9}{_minutes(row['p50']):>7}{_minutes(row['p95']):>7}"
                         f"{_minutes(row['max']):>7}")
        counters = ", ".join(f"{number}: {share:.2f}" for number, share in summary["counters"].items())
        lines.append(f"  utilisation per counter: {counters}")
    return "\n".join(lines)


_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")  # Okabe–Ito, safe for colour blindness


def svg_chart(report: dict) -> str:
    """A p95-wait bar chart as a hand-written SVG, with title and labels a screen reader can read."""
    policies = list(report["policies"])
    lanes = list(next(iter(report["policies"].values()))["lanes"]) + ["priority"]

    def p95(policy: str, lane: str) -> float | None:
        summary = report["policies"][policy]
        row = summary["groups"]["priority"] if lane == "priority" else summary["lanes"][lane]
        return row["p95"]

    values = [p95(policy, lane) or 0.0 for policy in policies for lane in lanes]
    top = _nice_ceiling(max(values + [1.0]))
    width, height = 120 + 110 * len(lanes), 360
    left, right, upper, lower = 60, 20, 50, 80
    plot_w, plot_h = width - left - right, height - upper - lower
    group_w = plot_w / len(lanes)
    bar_w = min(28.0, (group_w - 20) / len(policies))

    def y(value: float) -> float:
        return upper + plot_h * (1 - value / top)

    title = f"p95 wait per lane — {report['scenario']} ({report['visitors']} visitors, seed {report['seed']})"
    summary_text = "; ".join(
        f"{lane}: " + ", ".join(f"{policy} {_minutes(p95(policy, lane))} min" for policy in policies) for lane in lanes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12">',
        f'<title id="chart-title">{html.escape(title)}</title>',
        f'<desc id="chart-desc">{html.escape("95th percentile of minutes waited, by lane and policy. ")}'
        f'{html.escape(summary_text)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold" fill="#000">{html.escape(title)}</text>',
    ]
    for step in range(5):
        value = top * step / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="#dddddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#000">{value:g}</text>')
    out.append(f'<text x="14" y="{upper + plot_h / 2:.1f}" transform="rotate(-90 14 {upper + plot_h / 2:.1f})" '
               f'text-anchor="middle" fill="#000">p95 wait (minutes)</text>')
    for index, lane in enumerate(lanes):
        start = left + index * group_w + (group_w - bar_w * len(policies)) / 2
        for position, policy in enumerate(policies):
            value = p95(policy, lane)
            x = start + position * bar_w
            shown = value or 0.0
            label = f"{policy}, {lane}: {_minutes(value)} min"
            out.append(f'<rect x="{x:.1f}" y="{y(shown):.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{upper + plot_h - y(shown):.1f}" fill="{_COLOURS[position % len(_COLOURS)]}">'
                       f'<title>{html.escape(label)}</title></rect>')
            out.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y(shown) - 4:.1f}" text-anchor="middle" '
                       f'font-size="10" fill="#000">{_minutes(value)}</text>')
        out.append(f'<text x="{left + (index + 0.5) * group_w:.1f}" y="{upper + plot_h + 18}" text-anchor="middle" '
                   f'fill="#000">{html.escape("priority (all)" if lane == "priority" else lane)}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}" stroke="#000"/>')
    legend_y = height - 28
    for position, policy in enumerate(policies):
        x = left + position * 150
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
                   f'fill="{_COLOURS[position % len(_COLOURS)]}"/>')
        out.append(f'<text x="{x + 18}" y="{legend_y}" fill="#000">{html.escape(policy)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice_ceiling(value: float) -> float:
    """A round axis maximum (1, 2, 2.5 or 5 times a power of ten) so the gridlines read easily."""
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power
