"""Health self-screening keeps only a daily count of visitors advised to postpone."""
from __future__ import annotations

import sqlite3


class Screening:
    """The `screening_counts` table."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def count_advice(self, business_date: str) -> None:
        """One more visitor advised to postpone that day (nothing else about them is kept)."""
        self.raw.execute(
            """
            INSERT INTO screening_counts (business_date, advised) VALUES (?, 1)
            ON CONFLICT (business_date) DO UPDATE SET advised = advised + 1
            """,
            (business_date,),
        )

    def advice_count(self, business_date: str) -> int:
        row = self.raw.execute("SELECT advised FROM screening_counts WHERE business_date = ?",
                               (business_date,)).fetchone()
        return row[0] if row else 0
