"""First answers to requests sent with an Idempotency-Key, stored in the request's own transaction.

A double press or a retried request then gets the first answer instead of a second ticket
or a second call.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from ..domain.officetime import to_utc_text


class Idempotency:
    """The `idempotency` table: (scope, key) → the first answer, as JSON."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def remembered(self, scope: str, key: str) -> object | None:
        """The stored answer for this key, or None when it is new."""
        row = self.raw.execute("SELECT body FROM idempotency WHERE scope = ? AND key = ?", (scope, key)).fetchone()
        if row is None:
            return None
        return json.loads(row[0]) if row[0] is not None else {}

    def prune(self, before: datetime) -> int:
        """Forget answers older than `before` (a retry comes within minutes, never days); how many."""
        return self.raw.execute("DELETE FROM idempotency WHERE created_at < ?", (to_utc_text(before),)).rowcount

    def remember(self, scope: str, key: str, body: object, now: datetime) -> None:
        self.raw.execute(
            "INSERT INTO idempotency (scope, key, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
            (scope, key, 0, json.dumps(body), to_utc_text(now)),
        )
