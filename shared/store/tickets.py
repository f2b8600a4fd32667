"""Tickets and their history: numbering, the guarded state change, and the reads the queue needs.

Every state change goes through `change`, guarded by the status the caller read (`WHERE
status = ?`), and writes a `ticket_events` row (from, to, counter, staff, time): the audit
trail and the source of the statistics.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.audit import SYSTEM, Actor, ticket_action, ticket_change_detail
from ..domain.model import ACTIVE_AT_COUNTER, CALLED, WAITING, Ticket
from ..domain.officetime import parse_utc, to_utc_text
from .audit import AuditLog

_COLUMNS = (
    "id, business_date, service, lane, sequence, number, status, channel, "
    "arrived_at, issued_at, called_at, counter, recalls, appointment_at, returns, invited_at, invite_misses"
)


def marks(values: tuple | list) -> str:
    """`?, ?, ?` for an IN list of these values."""
    return ", ".join("?" for _ in values)


# Ids per `IN (…)` list, below the variable limit of older SQLite builds (999).
CHUNK = 900


def _chunks(ids: list[int]) -> list[list[int]]:
    """The ids in lists short enough for one `IN (…)`."""
    return [ids[start:start + CHUNK] for start in range(0, len(ids), CHUNK)]


def _ticket(row: tuple) -> Ticket:
    (ticket_id, business_date, service, lane, sequence, number, status, channel,
     arrived_at, issued_at, called_at, counter, recalls, appointment_at, returns, invited_at, invite_misses) = row
    return Ticket(
        id=ticket_id, business_date=business_date, service=service, lane=lane, sequence=sequence,
        number=number, status=status, channel=channel, arrived_at=parse_utc(arrived_at),
        issued_at=parse_utc(issued_at), called_at=parse_utc(called_at), counter=counter, recalls=recalls,
        appointment_at=parse_utc(appointment_at), returns=returns, invited_at=parse_utc(invited_at),
        invite_misses=invite_misses,
    )


class KnownTickets:
    """Tickets a long-lived reader has read before, so a row unchanged since is not read again.

    The relay reads the whole line of a service after every call to place each watching phone;
    between two calls all but a row or two are the same. Each row's `revision` rises with every
    change (`Tickets.change`) and sits in the lines' index, so the line is read as ids and
    revisions from the index, and only rows new or changed since are read and parsed. Tickets
    are never deleted, so an id always names the same ticket. Tickets no read has returned for
    `PRUNE_EVERY` reads (called, finished, another day) are forgotten, so it holds about what
    the watched lines hold."""

    PRUNE_EVERY = 64

    def __init__(self):
        self._by_id: dict[int, tuple[int, Ticket]] = {}
        self._seen: set[int] = set()
        self._reads = 0

    def __len__(self) -> int:
        return len(self._by_id)

    def stale(self, keys: list[tuple[int, int]]) -> list[int]:
        """The ids among these (id, revision) pairs not known at that revision."""
        by_id = self._by_id
        return [ticket_id for ticket_id, revision in keys
                if (known := by_id.get(ticket_id)) is None or known[0] != revision]

    def learn(self, rows) -> None:
        """Keep tickets read afresh: rows of (revision, *the ticket's columns)."""
        for row in rows:
            self._by_id[row[1]] = (row[0], _ticket(row[1:]))

    def tickets(self, keys: list[tuple[int, int]]) -> list[Ticket]:
        """The tickets of these (id, revision) pairs, in their order (each known by now)."""
        by_id, seen = self._by_id, self._seen
        found = []
        for ticket_id, _revision in keys:
            seen.add(ticket_id)
            found.append(by_id[ticket_id][1])
        self._reads += 1
        if self._reads % self.PRUNE_EVERY == 0:
            self._by_id = {ticket_id: known for ticket_id, known in by_id.items() if ticket_id in seen}
            self._seen = set()
        return found


class Tickets:
    """The `tickets` and `ticket_events` tables."""

    def __init__(self, raw: sqlite3.Connection, audit: AuditLog):
        self.raw = raw
        self.audit = audit

    # -- writes -------------------------------------------------------------------------

    def next_sequence(self, business_date: str, service: str) -> int:
        """Reserve the next number of the day for a service (no read-max-then-insert)."""
        return self.raw.execute(
            """
            INSERT INTO ticket_numbers (business_date, service, last) VALUES (?, ?, 1)
            ON CONFLICT (business_date, service) DO UPDATE SET last = last + 1
            RETURNING last
            """,
            (business_date, service),
        ).fetchone()[0]

    def insert(self, *, business_date: str, service: str, lane: str, sequence: int, number: str,
               status: str, channel: str, kiosk_id: int | None, now: datetime,
               appointment_at: datetime | None = None, actor: Actor | None = None) -> Ticket:
        """Insert a new ticket and its first event row (and its audit row)."""
        stamp = to_utc_text(now)
        ticket_id = self.raw.execute(
            """
            INSERT INTO tickets (business_date, service, lane, sequence, number, number_service, status,
                                 channel, kiosk_id, issued_at, arrived_at, appointment_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            (business_date, service, lane, sequence, number, service, status, channel, kiosk_id, stamp, stamp,
             to_utc_text(appointment_at) if appointment_at else None),
        ).fetchone()[0]
        event_id = self.raw.execute(
            "INSERT INTO ticket_events (ticket_id, from_status, to_status, service, kiosk_id, at) "
            "VALUES (?, NULL, ?, ?, ?, ?) RETURNING id",
            (ticket_id, status, service, kiosk_id, stamp),
        ).fetchone()[0]
        if actor is None:
            actor = Actor("kiosk", kiosk_id) if kiosk_id is not None else SYSTEM
        self._audit(now, actor, ticket_id, event_id, None, status, service, None, None, kiosk_id, None)
        return self.get(ticket_id)

    def _audit(self, now, actor, ticket_id, event_id, from_status, to_status, service, counter, staff_id,
               kiosk_id, note) -> None:
        """The audit row repeating a `ticket_events` row (`domain.audit` says why)."""
        self.audit.append(now, actor, ticket_action(from_status, to_status), ticket_id=ticket_id,
                          ticket_event=event_id, counter=counter,
                          detail=ticket_change_detail(from_status, to_status, service, staff_id, kiosk_id, note))

    def change(self, ticket: Ticket, to_status: str, *, now: datetime, staff_id: int | None = None,
               detail: str | None = None, at_counter: int | None = None, actor: Actor | None = None,
               **columns) -> Ticket:
        """Move a ticket to a new state and record the event; guarded by its current state.

        `columns` are further ticket columns to set (`counter`, `called_at`, `service`, …);
        `at_counter` is the counter recorded in the event (default: the ticket's counter).
        A ticket changed by someone else since it was read is not changed again: the caller
        gets a LookupError instead. `actor` defaults to the staff member, else the server.
        """
        assignments = {"status": to_status, **columns}
        sets = ", ".join(f"{column} = ?" for column in assignments)
        values = [to_utc_text(value) if isinstance(value, datetime) else value for value in assignments.values()]
        # RETURNING hands back the changed row, so it is not read again (one statement less, twice
        # per call-next).
        changed = self.raw.execute(
            f"UPDATE tickets SET {sets}, revision = revision + 1 WHERE id = ? AND status = ? RETURNING {_COLUMNS}",
            (*values, ticket.id, ticket.status),
        ).fetchone()
        if changed is None:
            raise LookupError(f"ticket {ticket.id} is no longer {ticket.status}")
        if at_counter is None:
            at_counter = columns.get("counter", ticket.counter)
        service = columns.get("service", ticket.service)
        event_id = self.raw.execute(
            """
            INSERT INTO ticket_events (ticket_id, from_status, to_status, service, counter, staff_id, at, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            (ticket.id, ticket.status, to_status, service, at_counter, staff_id, to_utc_text(now), detail),
        ).fetchone()[0]
        if actor is None:
            actor = Actor("staff", staff_id) if staff_id is not None else SYSTEM
        self._audit(now, actor, ticket.id, event_id, ticket.status, to_status, service, at_counter, staff_id, None,
                    detail)
        return _ticket(changed)

    # -- reads --------------------------------------------------------------------------

    def get(self, ticket_id: int) -> Ticket | None:
        row = self.raw.execute(f"SELECT {_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return _ticket(row) if row else None

    def by_ids(self, ticket_ids: list[int]) -> list[Ticket]:
        """Several tickets in one query (chunked below SQLite's variable limit)."""
        tickets = []
        for chunk in _chunks(ticket_ids):
            rows = self.raw.execute(f"SELECT {_COLUMNS} FROM tickets WHERE id IN ({marks(chunk)})", chunk)
            tickets.extend(_ticket(row) for row in rows)
        return tickets

    def by_number(self, business_date: str, number: str) -> Ticket | None:
        """The day's ticket with this printed number (numbers are unique per day)."""
        row = self.raw.execute(
            f"SELECT {_COLUMNS} FROM tickets WHERE business_date = ? AND number = ?", (business_date, number)
        ).fetchone()
        return _ticket(row) if row else None

    def in_states(self, business_date: str, statuses: tuple[str, ...],
                  services: tuple[str, ...] | None = None, *, known: KnownTickets | None = None) -> list[Ticket]:
        """The day's tickets in these states (optionally of these services), oldest first; rows
        read before through `known` come back as the same tickets (read it in a snapshot, so the
        index's ids and the rows read after them are of one moment)."""
        where = f"WHERE business_date = ? AND status IN ({marks(statuses)})"
        params: list = [business_date, *statuses]
        if services is not None:
            where += f" AND service IN ({marks(services)})"
            params.extend(services)
        if known is None:
            rows = self.raw.execute(f"SELECT {_COLUMNS} FROM tickets {where} ORDER BY arrived_at, id", params)
            return [_ticket(row) for row in rows]
        # Ids and revisions come from the lines' index; only the rows changed since are read.
        keys = self.raw.execute(f"SELECT id, revision FROM tickets {where} ORDER BY arrived_at, id", params).fetchall()
        stale = known.stale(keys)
        for chunk in _chunks(stale):
            known.learn(self.raw.execute(f"SELECT revision, {_COLUMNS} FROM tickets WHERE id IN ({marks(chunk)})",
                                         chunk))
        return known.tickets(keys)

    def waiting(self, business_date: str, services: tuple[str, ...] | None = None) -> list[Ticket]:
        return self.in_states(business_date, (WAITING,), services)

    def active_at_counter(self, counter: int) -> Ticket | None:
        """The ticket called to or being served at this counter, if any."""
        row = self.raw.execute(
            f"SELECT {_COLUMNS} FROM tickets WHERE counter = ? AND status IN ({marks(ACTIVE_AT_COUNTER)}) "
            "ORDER BY called_at DESC LIMIT 1",
            (counter, *ACTIVE_AT_COUNTER),
        ).fetchone()
        return _ticket(row) if row else None

    def active_calls(self, business_date: str) -> list[Ticket]:
        """The day's tickets currently called to or served at a counter, newest call first."""
        rows = self.raw.execute(
            f"SELECT {_COLUMNS} FROM tickets WHERE business_date = ? "
            f"AND status IN ({marks(ACTIVE_AT_COUNTER)}) AND counter IS NOT NULL ORDER BY called_at DESC",
            (business_date, *ACTIVE_AT_COUNTER),
        )
        return [_ticket(row) for row in rows]

    def recent_calls(self, business_date: str, limit: int) -> list[dict]:
        """The last calls of the day (recalls included), newest first, for the display."""
        rows = self.raw.execute(
            """
            SELECT t.number, e.service, t.lane, e.counter, e.at
            FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
            WHERE e.to_status = ? AND t.business_date = ? AND e.counter IS NOT NULL
            ORDER BY e.id DESC LIMIT ?
            """,
            (CALLED, business_date, limit),
        )
        return [
            {"number": number, "service": service, "lane": lane, "counter": counter, "called_at": parse_utc(at)}
            for number, service, lane, counter, at in rows
        ]

    def recent_call_lanes(self, counter: int, business_date: str, limit: int) -> list[str]:
        """Lanes of this counter's latest calls of the day (recalls excluded), newest first."""
        rows = self.raw.execute(
            """
            SELECT t.lane FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
            WHERE e.counter = ? AND e.to_status = ? AND e.from_status != ? AND t.business_date = ?
            ORDER BY e.id DESC LIMIT ?
            """,
            (counter, CALLED, CALLED, business_date, limit),
        )
        return [lane for (lane,) in rows]

    def count_changes(self, ticket_id: int, detail: str) -> int:
        """How often the ticket's history records a change with this detail."""
        return self.raw.execute("SELECT COUNT(*) FROM ticket_events WHERE ticket_id = ? AND detail = ?",
                                (ticket_id, detail)).fetchone()[0]

    def last_change_to(self, ticket_id: int, status: str) -> datetime | None:
        """When the ticket last entered this status."""
        row = self.raw.execute(
            "SELECT at FROM ticket_events WHERE ticket_id = ? AND to_status = ? ORDER BY id DESC LIMIT 1",
            (ticket_id, status),
        ).fetchone()
        return parse_utc(row[0]) if row else None

    def count_in(self, business_date: str, statuses: tuple[str, ...]) -> int:
        """The day's tickets in these states (e.g. everyone inside)."""
        return self.raw.execute(
            f"SELECT COUNT(*) FROM tickets WHERE business_date = ? AND status IN ({marks(statuses)})",
            (business_date, *statuses),
        ).fetchone()[0]

    def count_channel(self, business_date: str, service: str, channel: str) -> int:
        """Tickets of one channel drawn for a service that day (the online line's share)."""
        return self.raw.execute(
            "SELECT COUNT(*) FROM tickets WHERE business_date = ? AND number_service = ? AND channel = ?",
            (business_date, service, channel),
        ).fetchone()[0]

    def issued_by_lane(self, business_date: str, service: str | None = None) -> dict[str, dict[str, int]]:
        """Tickets drawn that day per service letter and lane, cancelled ones included (the quotas' counts)."""
        sql = "SELECT number_service, lane, COUNT(*) FROM tickets WHERE business_date = ?"
        params: list = [business_date]
        if service is not None:
            sql += " AND number_service = ?"
            params.append(service)
        counts: dict[str, dict[str, int]] = {}
        for code, lane, count in self.raw.execute(sql + " GROUP BY number_service, lane", params):
            counts.setdefault(code, {})[lane] = count
        return counts

    def count_by_status(self, business_date: str) -> dict[tuple[str, str, str], int]:
        """Ticket counts keyed by (service, lane, status) for one business day."""
        rows = self.raw.execute(
            # The lines' index holds every column asked for: counted without reading a row.
            "SELECT service, lane, status, COUNT(*) FROM tickets INDEXED BY tickets_in_line WHERE business_date = ? "
            "GROUP BY service, lane, status",
            (business_date,),
        )
        return {(service, lane, status): count for service, lane, status, count in rows}

    def recent_service_minutes(self, business_date: str, service: str, limit: int = 20) -> float | None:
        """Average minutes from call to done over the service's latest finished tickets that day."""
        row = self.raw.execute(
            """
            SELECT AVG((julianday(e.at) - julianday(t.called_at)) * 1440), COUNT(*) FROM (
                SELECT ticket_id, at FROM ticket_events
                WHERE to_status = 'done' AND service = ? ORDER BY id DESC LIMIT ?
            ) e JOIN tickets t ON t.id = e.ticket_id
            WHERE t.business_date = ? AND t.called_at IS NOT NULL
            """,
            (service, limit, business_date),
        ).fetchone()
        return row[0] if row and row[1] else None

    def history(self, ticket_id: int) -> list[dict]:
        """The audit trail of one ticket, oldest first."""
        rows = self.raw.execute(
            "SELECT from_status, to_status, service, counter, staff_id, kiosk_id, at, detail FROM ticket_events "
            "WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        keys = ("from_status", "to_status", "service", "counter", "staff_id", "kiosk_id", "at", "detail")
        return [dict(zip(keys, row)) for row in rows]
