"""The durable event log (outbox): events appended inside the write that caused them.

The row id is the event's sequence. A relay reads the log after the last id it handed on
and gives each event to its subscribers; its position is kept in `relay_cursors`, so a
crash between a commit and its delivery loses nothing.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from ..domain.events import Event, event_from_payload, event_payload
from ..domain.officetime import parse_utc, to_utc_text


@dataclass(frozen=True)
class LoggedEvent:
    """An event as stored: its sequence number, when it happened, and the domain event."""

    seq: int
    at: datetime
    event: Event


class EventLog:
    """The `events` and `relay_cursors` tables."""

    def __init__(self, raw: sqlite3.Connection, connection):
        self.raw = raw
        self._connection = connection

    def append(self, event: Event, now: datetime) -> int:
        """Record an event in the current write transaction; its sequence number."""
        if not self.raw.in_transaction:
            raise RuntimeError("events are appended inside a write transaction")
        seq = self.raw.execute(
            "INSERT INTO events (name, payload, at) VALUES (?, ?, ?) RETURNING id",
            (event.name, json.dumps(event_payload(event), separators=(",", ":")), to_utc_text(now)),
        ).fetchone()[0]
        self._connection._event_appended()
        return seq

    def after(self, seq: int, limit: int = 500, names: tuple[str, ...] | None = None) -> list[LoggedEvent]:
        """Events with a sequence above `seq`, oldest first (optionally only these names)."""
        sql = "SELECT id, name, payload, at FROM events WHERE id > ?"
        params: list = [seq]
        if names:
            sql += f" AND name IN ({', '.join('?' for _ in names)})"
            params.extend(names)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        return [LoggedEvent(row_id, parse_utc(at), event_from_payload(name, json.loads(payload)))
                for row_id, name, payload, at in self.raw.execute(sql, params)]

    def last_seq(self) -> int:
        """The newest event's sequence (0 for an empty log)."""
        row = self.raw.execute("SELECT seq FROM sqlite_sequence WHERE name = 'events'").fetchone()
        return row[0] if row else 0

    def cursor(self, name: str) -> int | None:
        row = self.raw.execute("SELECT last_id FROM relay_cursors WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_cursor(self, name: str, last_id: int) -> None:
        self.raw.execute(
            "INSERT INTO relay_cursors (name, last_id) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id",
            (name, last_id),
        )

    def prune(self, before: datetime) -> int:
        """Delete events logged before `before` that every relay has handed on (none is behind
        when no relay ever saved a position). The sequence goes on rising: AUTOINCREMENT keeps
        the highest id it gave in `sqlite_sequence` even when its row is gone."""
        return self.raw.execute(
            "DELETE FROM events WHERE at < ? AND id <= COALESCE((SELECT MIN(last_id) FROM relay_cursors), id)",
            (to_utc_text(before),),
        ).rowcount
