"""The `audit` table: an append-only, hash-chained record of who did what and when.

Rows are appended inside the write transaction that made the change (`BEGIN IMMEDIATE`
keeps every writer, in any process, in line), so the chain's order is the order of the
commits and a rolled-back write leaves no row. The hash rule lives in `domain.audit`.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime

from ..domain.audit import GENESIS, Actor, AuditRecord, canonical_detail, chain_hash
from ..domain.officetime import to_utc_text

_COLUMNS = "id, at, actor_kind, actor_id, action, ticket_id, ticket_event, counter, detail, prev_hash, hash"


class AuditLog:
    """Append and read the audit chain."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def append(self, now: datetime, actor: Actor, action: str, *, ticket_id: int | None = None,
               ticket_event: int | None = None, counter: int | None = None, detail: dict | None = None) -> int:
        """Add a row after the newest one, linked to it by hash; its id."""
        if not self.raw.in_transaction:
            raise RuntimeError("audit rows are appended inside a write transaction")
        last = self.raw.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        row_id, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS)
        record = AuditRecord(row_id, to_utc_text(now), actor.kind, actor.id, action, ticket_id, ticket_event,
                             counter, canonical_detail(detail), prev_hash, "")
        self.raw.execute(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*record.content(), prev_hash, chain_hash(prev_hash, record.content())),
        )
        return row_id

    def head(self) -> tuple[int, str] | None:
        """The newest row's id and hash (None for an empty trail)."""
        row = self.raw.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else None

    def hash_of(self, row_id: int) -> str | None:
        row = self.raw.execute("SELECT hash FROM audit WHERE id = ?", (row_id,)).fetchone()
        return row[0] if row else None

    def walk(self, batch: int = 2000) -> Iterator[AuditRecord]:
        """Every row in id order, read in batches."""
        last = 0
        while True:
            rows = self.raw.execute(f"SELECT {_COLUMNS} FROM audit WHERE id > ? ORDER BY id LIMIT ?",
                                    (last, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                yield AuditRecord(*row)
            last = rows[-1][0]

    def between(self, start: datetime, end: datetime, *, limit: int, after_id: int = 0,
                before_id: int | None = None, newest_first: bool = False, action_prefix: str | None = None,
                ticket_number: str | None = None) -> list[dict]:
        """Rows with `start <= at < end` (UTC) and the filters, with the actor's and ticket's names."""
        where, params = ["a.at >= ?", "a.at < ?", "a.id > ?"], [to_utc_text(start), to_utc_text(end), after_id]
        if before_id is not None:
            where.append("a.id < ?")
            params.append(before_id)
        if action_prefix:
            where.append("substr(a.action, 1, ?) = ?")
            params.extend((len(action_prefix), action_prefix))
        if ticket_number:
            where.append("t.number = ?")
            params.append(ticket_number)
        rows = self.raw.execute(
            f"""
            SELECT a.id, a.at, a.actor_kind, a.actor_id, COALESCE(u.username, k.name), a.action,
                   a.ticket_id, t.number, t.business_date, a.counter, a.detail
            FROM audit a
            LEFT JOIN users u ON a.actor_kind = 'staff' AND u.id = a.actor_id
            LEFT JOIN kiosks k ON a.actor_kind = 'kiosk' AND k.id = a.actor_id
            LEFT JOIN tickets t ON t.id = a.ticket_id
            WHERE {" AND ".join(where)}
            ORDER BY a.id {"DESC" if newest_first else ""} LIMIT ?
            """,
            (*params, limit),
        ).fetchall()
        keys = ("id", "at", "actor_kind", "actor_id", "actor_name", "action", "ticket_id", "ticket_number",
                "ticket_date", "counter", "detail")
        return [dict(zip(keys, row)) for row in rows]

    # -- the cross-check with ticket_events ------------------------------------------------

    def ticket_events_from(self) -> int | None:
        """The first `ticket_events` id the chain covers (history before the trail began is not)."""
        row = self.raw.execute("SELECT value FROM settings WHERE key = 'audit_from_ticket_event'").fetchone()
        return int(row[0]) if row else None

    def ticket_event(self, event_id: int) -> tuple | None:
        return self.raw.execute(
            "SELECT ticket_id, from_status, to_status, service, counter, staff_id, kiosk_id, at, detail "
            "FROM ticket_events WHERE id = ?", (event_id,),
        ).fetchone()

    def unaudited_ticket_event(self, first: int) -> int | None:
        """The first `ticket_events` row from `first` on that no audit row repeats, if any."""
        row = self.raw.execute(
            "SELECT e.id FROM ticket_events e LEFT JOIN audit a ON a.ticket_event = e.id "
            "WHERE e.id >= ? AND a.id IS NULL ORDER BY e.id LIMIT 1", (first,),
        ).fetchone()
        return row[0] if row else None


def head_of_file(path: str) -> tuple[int, str] | None:
    """The audit head of another database file (a backup), opened read-only; None without a
    trail; ValueError when the file is not a database."""
    try:
        raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if raw.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit'").fetchone() is None:
                return None
            row = raw.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
            return (row[0], row[1]) if row else None
        finally:
            raw.close()
    except sqlite3.Error as error:
        raise ValueError(f"it cannot be read as a database ({error})") from None
