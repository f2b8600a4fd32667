"""Office time: business dates and office-local ISO text, from instants passed in.

The wall clock is read in one place only (`shared.clock`); everything here takes `now`
(aware, UTC) so the midnight roll-over and WIB/WITA/WIT edges are tested without waiting.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo


def business_date(now: datetime, zone: ZoneInfo) -> str:
    """The office's calendar date at `now`, as ISO text; it rolls over at local midnight."""
    return now.astimezone(zone).date().isoformat()


def to_office_iso(moment: datetime | None, zone: ZoneInfo) -> str | None:
    """ISO-8601 with the office's UTC offset, as the API promises."""
    if moment is None:
        return None
    return moment.astimezone(zone).isoformat(timespec="seconds")


def parse_utc(text: str | None) -> datetime | None:
    """Read a stored UTC timestamp back into an aware datetime."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def to_utc_text(moment: datetime) -> str:
    """Store timestamps as UTC ISO text with microseconds, which also sorts correctly."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
