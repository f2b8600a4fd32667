"""The office's numbers: pure rules that turn tickets and their `ticket_events` into figures.

Every figure is computed from rows passed in (no clock, no database), so a seeded month with
chosen times proves each one by hand. The definitions, also stated in docs/API.md:

- **Range**: `from`/`to` are office business dates, inclusive; a ticket belongs to the
  business date it was issued on (local midnight rolls it over), at most `MAX_RANGE_DAYS`.
- **Percentiles** are nearest-rank: the p-th percentile of n sorted values is the value at rank
  ⌈p/100 · n⌉. It is always a real visitor's time, so a head of office can point at it, and
  a small sample is checked by hand without interpolation. No values → None.
- **Wait**: from the ticket's first arrival inside (its first change to `waiting`: issued
  inside, or came in from outside) to its first call. Recalls, returns after a no-show and a
  second wait after a transfer do not count again.
- **Service time** of a served ticket: from `serving` (the officer pressed start) to `done`. An
  officer may finish a called visitor without pressing start: then the service counts from
  the last call, the moment the visitor was sent to the counter.
- **Serving time** of a counter or officer: every stretch spent serving there, including a
  stretch that ended in a transfer to another service (that work was done, though not the
  whole visit). The stretch belongs to the officer who ended it (who holds the counter).
- **Working span** of a counter or officer on a day: from their first call of the day to
  their last finish (done, absent or transfer); summed over the days. **Idle time** is the
  span minus the serving time; **utilisation** is serving time ÷ span.
- **Heat map**: tickets issued per weekday (Monday 0) × hour, in office time.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..i18n import N_
from .errors import InvalidRequest, Unprocessable
from .hours import parse_day
from .model import CALLED, CANCELLED, CHANNELS, DONE, NO_SHOW, SERVING, WAITING

# A year and a day: a whole leap year, or a semester with room to spare.
MAX_RANGE_DAYS = 366
WEEKDAYS = 7
WEEKDAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
HOURS = 24


class Change(NamedTuple):
    """One `ticket_events` row: a ticket moved from one state to another."""

    from_status: str | None
    to_status: str
    at: datetime
    counter: int | None = None
    staff_id: int | None = None


class Visit(NamedTuple):
    """A ticket as the reports see it: where it ended, and its changes oldest first."""

    id: int
    number: str
    business_date: str
    service: str
    lane: str
    channel: str
    status: str
    counter: int | None
    issued_at: datetime
    changes: tuple[Change, ...] = ()


class Stretch(NamedTuple):
    """Time a visitor was served at a counter, ended by `done` or a transfer."""

    counter: int | None
    staff_id: int | None
    start: datetime
    end: datetime
    completed: bool

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


class Timeline(NamedTuple):
    """What one ticket's history says: the moments the figures are measured between."""

    inside_at: datetime | None
    first_call_at: datetime | None
    stretches: tuple[Stretch, ...]
    # Calls and finishes with who and where: the edges of the working spans.
    marks: tuple[tuple[int | None, int | None, datetime], ...]

    @property
    def wait_minutes(self) -> float | None:
        if self.inside_at is None or self.first_call_at is None:
            return None
        return (self.first_call_at - self.inside_at).total_seconds() / 60

    @property
    def service_minutes(self) -> float | None:
        done = [stretch for stretch in self.stretches if stretch.completed]
        return done[-1].minutes if done else None

    @property
    def served_at(self) -> datetime | None:
        """When the completed service began (start, or the call when start was skipped)."""
        done = [stretch for stretch in self.stretches if stretch.completed]
        return done[-1].start if done else None

    @property
    def done_at(self) -> datetime | None:
        done = [stretch for stretch in self.stretches if stretch.completed]
        return done[-1].end if done else None


@dataclass(frozen=True)
class Filters:
    """Which tickets of the range a report covers (by where they ended); None means all."""

    service: str | None = None
    lane: str | None = None
    channel: str | None = None
    counter: int | None = None


@dataclass(frozen=True)
class ReportRange:
    """The business dates asked for, inclusive."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def parse_range(from_text: str | None, to_text: str | None, *, max_days: int = MAX_RANGE_DAYS) -> ReportRange:
    """`from`/`to` as given in a request; a malformed date is invalid, a backwards or too long
    range unprocessable (one year's report is the longest an office submits)."""
    dates = []
    for field_name, text in (("from", from_text), ("to", to_text)):
        day = parse_day(text.isoformat() if isinstance(text, date) else text)
        if day is None:
            raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=field_name)
        dates.append(day)
    first, last = dates
    if last < first:
        raise Unprocessable(N_("The end date is before the start date."))
    if (last - first).days + 1 > max_days:
        raise Unprocessable(N_("A report covers at most %(days)s days."), days=max_days)
    return ReportRange(first, last)


PRESETS = ("today", "week", "month", "last_month", "semester", "last_semester")


def preset_range(preset: str, today: date) -> ReportRange:
    """The page's quick ranges, up to `today`: this week (from Monday), this month, last month,
    this semester (January–June or July–December: offices run the SKM per semester) and the last."""
    if preset == "week":
        return ReportRange(today - timedelta(days=today.weekday()), today)
    if preset == "month":
        return ReportRange(today.replace(day=1), today)
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return ReportRange(last.replace(day=1), last)
    half = 1 if today.month <= 6 else 7
    if preset == "semester":
        return ReportRange(today.replace(month=half, day=1), today)
    if preset == "last_semester":
        if half == 1:
            return ReportRange(date(today.year - 1, 7, 1), date(today.year - 1, 12, 31))
        return ReportRange(date(today.year, 1, 1), date(today.year, 6, 30))
    return ReportRange(today, today)


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile (0 < p ≤ 100): the value at rank ⌈p/100 · n⌉; None if empty."""
    data = sorted(values)
    if not data:
        return None
    rank = max(1, math.ceil(p / 100 * len(data)))
    return data[rank - 1]


def timeline(changes: Sequence[Change]) -> Timeline:
    """Walk one ticket's changes in order and find its wait, its service stretches and the
    moments that bound the working spans (see the module's definitions)."""
    inside_at = first_call_at = None
    call: Change | None = None
    serving: Change | None = None
    stretches: list[Stretch] = []
    marks: list[tuple[int | None, int | None, datetime]] = []
    for change in changes:
        to, source = change.to_status, change.from_status
        if to == WAITING and inside_at is None:
            inside_at = change.at
        if to == CALLED:
            call = change   # a recall too: an unstarted service counts from the last call
            if source != CALLED:
                first_call_at = first_call_at or change.at
                marks.append((change.counter, change.staff_id, change.at))
        elif to == SERVING and source == CALLED:
            serving = change
        elif source in (CALLED, SERVING) and to in (DONE, NO_SHOW, WAITING):
            began = serving if source == SERVING else call if to == DONE else None
            counter = change.counter if change.counter is not None else (call.counter if call else None)
            staff = change.staff_id if change.staff_id is not None else (began.staff_id if began else None)
            if began is not None:
                stretches.append(Stretch(counter, staff, began.at, change.at, completed=to == DONE))
            marks.append((counter, staff, change.at))
            serving = None
    return Timeline(inside_at, first_call_at, tuple(stretches), tuple(marks))


def share(part: int, whole: int) -> float | None:
    """`part` as a percentage of `whole`, one decimal; None for an empty whole (never ÷ 0)."""
    return round(100 * part / whole, 1) if whole else None


def rounded(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes, 1)


def heat_map(visits: Iterable[Visit], zone: ZoneInfo) -> list[list[int]]:
    """Tickets issued per weekday (row, Monday first) and office hour (column)."""
    cells = [[0] * HOURS for _ in range(WEEKDAYS)]
    for visit in visits:
        local = visit.issued_at.astimezone(zone)
        cells[local.weekday()][local.hour] += 1
    return cells


HEAT_LEVELS = 5


def heat_rows(cells: list[list[int]]) -> list[tuple[int, list[tuple[int, int]]]]:
    """The heat map as table rows, one per office hour from the first to the last busy hour
    (8–16 when the range is empty): (hour, [(tickets, shade 0–5) per weekday])."""
    busy = [hour for hour in range(HOURS) if any(row[hour] for row in cells)]
    first, last = (busy[0], busy[-1]) if busy else (8, 16)
    top = max((value for row in cells for value in row), default=0)
    return [(hour, [(cells[day][hour], -(-HEAT_LEVELS * cells[day][hour] // top) if top else 0)
                    for day in range(WEEKDAYS)]) for hour in range(first, last + 1)]


@dataclass
class Workload:
    """Serving time and working span of one counter or officer, summed over days."""

    served: int = 0
    serving_minutes: float = 0.0
    spans: dict[str, list[datetime]] = field(default_factory=dict)

    def mark(self, day: str, moment: datetime) -> None:
        edges = self.spans.setdefault(day, [moment, moment])
        edges[0], edges[1] = min(edges[0], moment), max(edges[1], moment)

    @property
    def span_minutes(self) -> float:
        return sum((last - first).total_seconds() / 60 for first, last in self.spans.values())

    def figures(self) -> dict:
        span = self.span_minutes
        return {"served": self.served, "serving_min": rounded(self.serving_minutes), "span_min": rounded(span),
                "idle_min": rounded(max(0.0, span - self.serving_minutes)),
                "utilisation": share(round(self.serving_minutes, 6), round(span, 6)) if span else None}


def workloads(visits: Iterable[tuple[Visit, Timeline]]) -> tuple[dict[int, Workload], dict[int, Workload]]:
    """Per counter and per officer (staff id): tickets served, serving time, span."""
    counters: dict[int, Workload] = defaultdict(Workload)
    officers: dict[int, Workload] = defaultdict(Workload)
    for visit, line in visits:
        for counter, staff, moment in line.marks:
            if counter is not None:
                counters[counter].mark(visit.business_date, moment)
            if staff is not None:
                officers[staff].mark(visit.business_date, moment)
        for stretch in line.stretches:
            for table, key in ((counters, stretch.counter), (officers, stretch.staff_id)):
                if key is None:
                    continue
                table[key].serving_minutes += stretch.minutes
                table[key].served += stretch.completed
    return dict(counters), dict(officers)


@dataclass(frozen=True)
class Figures:
    """The range's figures, before names and languages are put on them."""

    tickets: int
    served: int
    no_show: int
    cancelled: int
    by_service: dict[str, int]
    by_lane: dict[str, int]
    by_channel: dict[str, int]
    by_day: dict[str, Counter]
    wait: dict[str, float | None]
    service: dict[str, float | None]
    heat: list[list[int]]
    counters: dict[int, Workload]
    officers: dict[int, Workload]


def figures(visits: Sequence[Visit], zone: ZoneInfo) -> Figures:
    """Everything the report shows, in one pass over the tickets and their histories."""
    statuses = Counter(visit.status for visit in visits)
    lines = [(visit, timeline(visit.changes)) for visit in visits]
    waits = [line.wait_minutes for _, line in lines if line.wait_minutes is not None]
    services = [line.service_minutes for visit, line in lines
                if visit.status == DONE and line.service_minutes is not None]
    by_day: dict[str, Counter] = defaultdict(Counter)
    for visit in visits:
        by_day[visit.business_date][visit.status] += 1
    counters, officers = workloads(lines)
    return Figures(
        tickets=len(visits), served=statuses[DONE], no_show=statuses[NO_SHOW], cancelled=statuses[CANCELLED],
        by_service=dict(Counter(visit.service for visit in visits)),
        by_lane=dict(Counter(visit.lane for visit in visits)),
        by_channel={channel: sum(1 for visit in visits if visit.channel == channel) for channel in CHANNELS},
        by_day=dict(by_day),
        wait={"p50": rounded(percentile(waits, 50)), "p90": rounded(percentile(waits, 90))},
        service={"p50": rounded(percentile(services, 50)), "p90": rounded(percentile(services, 90))},
        heat=heat_map(visits, zone), counters=counters, officers=officers,
    )
