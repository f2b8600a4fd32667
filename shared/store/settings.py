"""Settings changed live by supervisors; they override office.toml until changed again."""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.officetime import to_utc_text


class Settings:
    """The `settings` table: one text value per key, with who changed it and when."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def get(self, key: str) -> str | None:
        row = self.raw.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str, staff_id: int | None, now: datetime) -> None:
        self.raw.execute(
            """
            INSERT INTO settings (key, value, staff_id, changed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, staff_id = excluded.staff_id,
                changed_at = excluded.changed_at
            """,
            (key, value, staff_id, to_utc_text(now)),
        )
