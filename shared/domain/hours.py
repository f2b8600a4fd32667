"""Face-to-face service hours: weekly windows, holidays and a last-ticket cutoff.

Offices in the seeds cut face-to-face hours (07:00–12:00 in Malang, 08:00–11:00 WITA in
Bontang) and change them often, so hours live in office.toml. Everything here works on
office-local times passed in; nothing reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
END_OF_DAY = time(23, 59, 59, 999999)
# The dates an office can have. A day near the calendar's ends (0001-01-01, 9999-12-31) cannot
# have its bounds converted between time zones nor a booking cutoff taken from it without
# leaving Python's date range, so such a date in a request is refused as malformed.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9000, 12, 31)


def parse_day(text) -> date | None:
    """A `YYYY-MM-DD` business date from a request, or None when it is not one an office can have."""
    try:
        day = date.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None


@dataclass(frozen=True)
class Window:
    """One face-to-face window on a weekday, in office time; `end` None means midnight."""

    start: time
    end: time | None

    def end_on(self, day: date, zone: ZoneInfo) -> datetime:
        if self.end is None:
            return datetime.combine(day + timedelta(days=1), time(0), zone)
        return datetime.combine(day, self.end, zone)


@dataclass(frozen=True)
class ServiceHours:
    """When the office issues tickets; `None` windows for a weekday means closed that day."""

    weekly: dict[int, tuple[Window, ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    last_ticket: timedelta = timedelta(0)
    always_open: bool = False

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.holidays:
            return ()
        return self.weekly.get(day.weekday(), ())

    def accepts_tickets(self, moment: datetime, zone: ZoneInfo) -> bool:
        """Whether a walk-in ticket may be issued at this instant."""
        if self.always_open:
            return True
        local = moment.astimezone(zone)
        for window in self.windows_on(local.date()):
            opens = datetime.combine(local.date(), window.start, zone)
            if opens <= local < window.end_on(local.date(), zone) - self.last_ticket:
                return True
        return False

    def next_opening(self, moment: datetime, zone: ZoneInfo, horizon_days: int = 31) -> datetime | None:
        """The next instant tickets will be issued again (within a month), or None."""
        local = moment.astimezone(zone)
        for offset in range(horizon_days + 1):
            day = local.date() + timedelta(days=offset)
            for window in sorted(self.windows_on(day), key=lambda w: w.start):
                opens = datetime.combine(day, window.start, zone)
                if opens > local:
                    return opens
        return None


def parse_window(text: str) -> Window:
    """`"07:00-12:00"` → Window; `24:00` as the end means midnight. Raises ValueError."""
    start_text, _, end_text = text.partition("-")
    start = time.fromisoformat(start_text.strip())
    end_text = end_text.strip()
    end = None if end_text == "24:00" else time.fromisoformat(end_text)
    if end is not None and end <= start:
        raise ValueError("the window must end after it starts")
    return Window(start, end)
