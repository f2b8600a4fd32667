"""The silent alarm's record: who pressed it at which counter and when, and who answered."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.officetime import parse_utc, to_utc_text

_SELECT = """
    SELECT a.id, a.counter, raiser.username, a.raised_at, answerer.username, a.acknowledged_at
    FROM alarms a JOIN users raiser ON raiser.id = a.staff_id
    LEFT JOIN users answerer ON answerer.id = a.acknowledged_by
"""


def _alarm(row: tuple) -> dict:
    alarm_id, counter, by, raised_at, acknowledged_by, acknowledged_at = row
    return {"id": alarm_id, "counter": counter, "by": by, "raised_at": parse_utc(raised_at),
            "acknowledged_by": acknowledged_by, "acknowledged_at": parse_utc(acknowledged_at)}


class Alarms:
    """The `alarms` table."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def add(self, counter: int, staff_id: int, now: datetime) -> int:
        return self.raw.execute("INSERT INTO alarms (counter, staff_id, raised_at) VALUES (?, ?, ?) RETURNING id",
                                (counter, staff_id, to_utc_text(now))).fetchone()[0]

    def acknowledge(self, alarm_id: int, staff_id: int, now: datetime) -> bool:
        """Mark it answered; False when it was answered already (the first answer stands)."""
        return self.raw.execute(
            "UPDATE alarms SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
            (staff_id, to_utc_text(now), alarm_id),
        ).rowcount == 1

    def get(self, alarm_id: int) -> dict | None:
        row = self.raw.execute(_SELECT + " WHERE a.id = ?", (alarm_id,)).fetchone()
        return _alarm(row) if row else None

    def unanswered(self) -> list[dict]:
        """Alarms nobody has acknowledged yet, oldest first."""
        rows = self.raw.execute(_SELECT + " WHERE a.acknowledged_at IS NULL ORDER BY a.id")
        return [_alarm(row) for row in rows]
