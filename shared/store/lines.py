"""Counters' extra lines: the other counters' lines a counter also serves while a colleague is
away, as a supervisor assigned them."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.officetime import to_utc_text


class CounterLines:
    """The `counter_lines` table."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def all(self) -> dict[int, tuple[int, ...]]:
        """Every counter with extra lines: counter → the counters whose lines it also serves."""
        lines: dict[int, list[int]] = {}
        for counter, line in self.raw.execute("SELECT counter, line FROM counter_lines ORDER BY counter, line"):
            lines.setdefault(counter, []).append(line)
        return {counter: tuple(numbers) for counter, numbers in lines.items()}

    def of(self, counter: int) -> tuple[int, ...]:
        """The counters whose lines this counter also serves (asked at every call-next: one query)."""
        rows = self.raw.execute("SELECT line FROM counter_lines WHERE counter = ? ORDER BY line", (counter,))
        return tuple(line for (line,) in rows)

    def replace(self, counter: int, lines: tuple[int, ...], staff_id: int | None, now: datetime) -> None:
        """This counter now also serves exactly these counters' lines (none: only its own)."""
        self.raw.execute("DELETE FROM counter_lines WHERE counter = ?", (counter,))
        self.raw.executemany(
            "INSERT INTO counter_lines (counter, line, staff_id, assigned_at) VALUES (?, ?, ?, ?)",
            [(counter, line, staff_id, to_utc_text(now)) for line in lines],
        )
