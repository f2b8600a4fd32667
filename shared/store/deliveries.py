"""Notifications queued for the office's webhook, and what became of each.

A unique `key` per notification makes queuing idempotent: the relay may hand a batch twice
after a crash and the reminder job runs every minute, yet each notification is queued once.
The payload holds the visitor's contact, so it is dropped as soon as the delivery is sent or
given up; the row keeps only its kind, status, attempts and an error code.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from ..domain.notifications import FAILED, PENDING, SENT, Delivery, Notification
from ..domain.officetime import parse_utc, to_utc_text

_COLUMNS = "id, key, kind, payload, status, attempts, next_attempt_at, expires_at, last_error"


def _delivery(row: tuple) -> Delivery:
    delivery_id, key, kind, payload, status, attempts, next_attempt_at, expires_at, last_error = row
    return Delivery(delivery_id, key, kind, payload, status, attempts, parse_utc(next_attempt_at),
                    parse_utc(expires_at), last_error)


class Deliveries:
    """The `deliveries` table."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def add(self, notification: Notification, now: datetime) -> bool:
        """Queue a notification to be sent at once; False when its key was queued before."""
        stamp = to_utc_text(now)
        payload = json.dumps(notification.payload, ensure_ascii=False, separators=(",", ":"))
        return self.raw.execute(
            "INSERT INTO deliveries (key, kind, payload, status, attempts, next_attempt_at, expires_at, created_at, "
            "changed_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (notification.key, notification.kind, payload, PENDING, stamp, to_utc_text(notification.expires_at),
             stamp, stamp),
        ).rowcount == 1

    def known(self, keys: list[str]) -> set[str]:
        """Which of these keys were queued already (whatever became of them)."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            found.update(row[0] for row in self.raw.execute(
                f"SELECT key FROM deliveries WHERE key IN ({', '.join('?' for _ in chunk)})", chunk))
        return found

    def due(self, now: datetime, limit: int = 20) -> list[Delivery]:
        """Pending deliveries whose next attempt has come, oldest first."""
        rows = self.raw.execute(
            # The literal status lets SQLite use the partial index of pending deliveries.
            f"SELECT {_COLUMNS} FROM deliveries WHERE status = '{PENDING}' AND next_attempt_at <= ? "
            "ORDER BY next_attempt_at, id LIMIT ?",
            (to_utc_text(now), limit),
        )
        return [_delivery(row) for row in rows]

    def find(self, key: str) -> Delivery | None:
        row = self.raw.execute(f"SELECT {_COLUMNS} FROM deliveries WHERE key = ?", (key,)).fetchone()
        return _delivery(row) if row else None

    def sent(self, delivery: Delivery, now: datetime) -> None:
        """The receiver took it: done, and the payload (with the contact) is dropped."""
        self._finish(delivery, SENT, delivery.attempts + 1, None, now)

    def give_up(self, delivery: Delivery, attempts: int, error: str, now: datetime) -> None:
        """No more tries (too many, or no longer useful): failed, and the payload is dropped."""
        self._finish(delivery, FAILED, attempts, error, now)

    def retry_at(self, delivery: Delivery, attempts: int, moment: datetime, error: str, now: datetime) -> None:
        """A try failed: count it and wait until `moment` for the next."""
        self.raw.execute(
            "UPDATE deliveries SET attempts = ?, next_attempt_at = ?, last_error = ?, changed_at = ? "
            "WHERE id = ? AND status = ?",
            (attempts, to_utc_text(moment), error, to_utc_text(now), delivery.id, PENDING),
        )

    def _finish(self, delivery: Delivery, status: str, attempts: int, error: str | None, now: datetime) -> None:
        self.raw.execute(
            "UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, payload = NULL, changed_at = ? "
            "WHERE id = ? AND status = ?",
            (status, attempts, error, to_utc_text(now), delivery.id, PENDING),
        )

    def purge(self, before: datetime) -> int:
        """Forget finished deliveries last changed before `before` (their keys are no longer needed)."""
        return self.raw.execute(
            "DELETE FROM deliveries WHERE status != ? AND changed_at < ?", (PENDING, to_utc_text(before)),
        ).rowcount

    def forget_payloads(self, before: datetime, now: datetime) -> int:
        """Drop the payload (it names the contact) of every delivery queued before `before`; one
        still pending is given up as `purged`, since it can no longer be sent."""
        return self.raw.execute(
            "UPDATE deliveries SET payload = NULL, changed_at = ?, "
            "last_error = CASE WHEN status = ? THEN 'purged' ELSE last_error END, "
            "status = CASE WHEN status = ? THEN ? ELSE status END "
            "WHERE payload IS NOT NULL AND created_at < ?",
            (to_utc_text(now), PENDING, PENDING, FAILED, to_utc_text(before)),
        ).rowcount
