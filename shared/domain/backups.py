"""The daily backup's rules: when one is due, what it is called, which old ones go.

The serving process copies the database into `backups/` of the instance folder once a day,
at the first moment at or after `[backup] hour` (office time) that it runs: a server switched
off at night takes the day's copy when it starts in the morning, before the first visitor.
Each copy is named after the office's business date, so the names sort by age and a day
never gets two; the newest `keep` are kept and older ones deleted. Only files named like a
daily copy are ever deleted: a copy an operator put there by hand stays.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

DEFAULT_KEEP = 7
DEFAULT_HOUR = 1
FOLDER = "backups"
_DAILY = re.compile(r"^antrean-(\d{4}-\d{2}-\d{2})\.sqlite3$")


@dataclass(frozen=True)
class BackupSettings:
    """The `[backup]` table of office.toml; `keep = 0` turns the daily backup off."""

    keep: int = DEFAULT_KEEP
    hour: int = DEFAULT_HOUR

    @property
    def enabled(self) -> bool:
        return self.keep > 0


def daily_name(business_date: str) -> str:
    """The file name of a business day's copy."""
    return f"antrean-{business_date}.sqlite3"


def daily_dates(names: list[str]) -> list[str]:
    """The business dates of the daily copies among these file names, oldest first."""
    return sorted(match.group(1) for match in map(_DAILY.match, names) if match)


def due(local_now: datetime, today: str, names: list[str], settings: BackupSettings) -> bool:
    """Whether today's copy should be taken now (`local_now` in office time)."""
    return settings.enabled and local_now.hour >= settings.hour and today not in daily_dates(names)


# What a copy is written as until it is checked and renamed (`store.backups.copy_database`).
_PARTIAL = re.compile(r"^\.antrean-\d{4}-\d{2}-\d{2}\.sqlite3\.\d+\.partial(-wal|-shm|-journal)?$")


def leftover_partials(names: list[str]) -> list[str]:
    """Half-written daily copies a crashed copy left behind (never a finished copy, never
    another file)."""
    return sorted(name for name in names if _PARTIAL.match(name))


def to_remove(names: list[str], keep: int) -> list[str]:
    """The daily copies beyond the newest `keep`, oldest first (none when `keep` is 0: off)."""
    dates = daily_dates(names)
    if keep <= 0 or len(dates) <= keep:
        return []
    return [daily_name(day) for day in dates[:-keep]]


def settings_from_table(table: dict | None) -> BackupSettings:
    """Validate `[backup]`; raises ValueError naming the field."""
    table = table or {}
    if not isinstance(table, dict):
        raise ValueError("backup: must be a table")
    unknown = sorted(set(table) - {"keep", "hour"})
    if unknown:
        raise ValueError(f"backup.{unknown[0]}: unknown setting (known: keep, hour)")
    keep = table.get("keep", DEFAULT_KEEP)
    if not isinstance(keep, int) or isinstance(keep, bool) or not 0 <= keep <= 366:
        raise ValueError("backup.keep: must be a whole number of daily copies from 0 (off) to 366")
    hour = table.get("hour", DEFAULT_HOUR)
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        raise ValueError("backup.hour: must be a whole hour from 0 to 23 (office time)")
    return BackupSettings(keep, hour)
