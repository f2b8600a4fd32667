"""Counters' live state (open, paused, closed) and who works each one.

The configured counters live in office.toml; this table only holds what changes during
the day. A counter without a row is open and free.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..domain.model import COUNTER_OPEN
from ..domain.officetime import parse_utc, to_utc_text


@dataclass(frozen=True)
class Holder:
    """The officer working a counter, and since when."""

    staff_id: int
    username: str
    since: datetime


class Counters:
    """The `counter_states` table."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def states(self) -> dict[int, str]:
        return dict(self.raw.execute("SELECT number, state FROM counter_states"))

    def set_state(self, number: int, state: str, staff_id: int | None, now: datetime) -> None:
        self.raw.execute(
            """
            INSERT INTO counter_states (number, state, staff_id, changed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (number) DO UPDATE SET state = excluded.state, staff_id = excluded.staff_id,
                changed_at = excluded.changed_at
            """,
            (number, state, staff_id, to_utc_text(now)),
        )

    def holders(self) -> dict[int, Holder]:
        """Every held counter and its officer."""
        rows = self.raw.execute(
            "SELECT c.number, c.held_by, u.username, c.held_since FROM counter_states c "
            "JOIN users u ON u.id = c.held_by WHERE c.held_by IS NOT NULL"
        )
        return {number: Holder(staff_id, username, parse_utc(since)) for number, staff_id, username, since in rows}

    def holder(self, number: int) -> Holder | None:
        """The officer working this counter (every counter action asks: one row, not all)."""
        row = self.raw.execute(
            "SELECT c.held_by, u.username, c.held_since FROM counter_states c "
            "JOIN users u ON u.id = c.held_by WHERE c.number = ? AND c.held_by IS NOT NULL",
            (number,),
        ).fetchone()
        return Holder(row[0], row[1], parse_utc(row[2])) if row else None

    def hold(self, number: int, staff_id: int | None, now: datetime) -> None:
        """Give the counter to this officer (None frees it)."""
        self.raw.execute(
            """
            INSERT INTO counter_states (number, state, changed_at, held_by, held_since) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (number) DO UPDATE SET held_by = excluded.held_by, held_since = excluded.held_since
            """,
            (number, COUNTER_OPEN, to_utc_text(now), staff_id, to_utc_text(now) if staff_id else None),
        )

    def release_all(self, staff_id: int) -> list[int]:
        """Free every counter this officer holds (they signed out); the numbers freed."""
        rows = self.raw.execute(
            "UPDATE counter_states SET held_by = NULL, held_since = NULL WHERE held_by = ? RETURNING number",
            (staff_id,),
        )
        return sorted(number for (number,) in rows)
