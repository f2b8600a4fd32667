"""The one module that speaks SQL: schema, migrations, reads and the write transaction.

SQLite in WAL mode with `synchronous=FULL`, so a ticket the kiosk printed or a call the
officer saw survives a power cut. Multi-step writes run inside `Store.write()`, which takes
a process-wide lock and `BEGIN IMMEDIATE`: the lock keeps writers of this server in line
without busy-waiting, the immediate transaction keeps other processes (the CLI) out, and
callbacks registered with `after_commit` run in commit order, which keeps realtime events
in order. Everything returned is a dataclass or plain data, never a cursor.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from .domain.officetime import parse_utc, to_utc_text
from .domain.model import ACTIVE_AT_COUNTER, CALLED, WAITING, Ticket

BUSY_TIMEOUT_MS = 5000

# Each entry upgrades the schema by one version; applied once, in order, at start-up.
MIGRATIONS: tuple[str, ...] = (
    """
    -- The last number given per service per business day; a new day starts a new row,
    -- so numbering restarts at 001 without any reset job.
    CREATE TABLE ticket_numbers (
        business_date TEXT NOT NULL,
        service TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (business_date, service)
    );

    CREATE TABLE tickets (
        id INTEGER PRIMARY KEY,
        business_date TEXT NOT NULL,
        service TEXT NOT NULL,
        lane TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        number TEXT NOT NULL,
        -- The service the number was drawn from; `service` changes on transfer, the
        -- printed number does not.
        number_service TEXT NOT NULL,
        status TEXT NOT NULL,
        channel TEXT NOT NULL DEFAULT 'walk_in',
        kiosk_id INTEGER REFERENCES kiosks (id),
        issued_at TEXT NOT NULL,
        arrived_at TEXT NOT NULL,
        called_at TEXT,
        counter INTEGER,
        recalls INTEGER NOT NULL DEFAULT 0,
        UNIQUE (business_date, number_service, sequence)
    );
    CREATE INDEX tickets_by_status ON tickets (business_date, status, service);
    CREATE INDEX tickets_by_counter ON tickets (counter, status);

    -- Every state change of every ticket: the audit trail and the source of statistics.
    CREATE TABLE ticket_events (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL REFERENCES tickets (id),
        from_status TEXT,
        to_status TEXT NOT NULL,
        -- The service at the time of the change (a transfer changes the ticket's service).
        service TEXT NOT NULL,
        counter INTEGER,
        staff_id INTEGER REFERENCES users (id),
        kiosk_id INTEGER REFERENCES kiosks (id),
        at TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id);
    CREATE INDEX ticket_events_by_status ON ticket_events (to_status, id);

    CREATE TABLE counter_states (
        number INTEGER PRIMARY KEY,
        state TEXT NOT NULL,
        staff_id INTEGER REFERENCES users (id),
        changed_at TEXT NOT NULL
    );

    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );

    CREATE TABLE kiosks (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );

    -- First answers to requests sent with an Idempotency-Key, so a double press or a
    -- retried request returns the same ticket instead of calling another.
    CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
    );
    """,
    """
    -- Queue policy: booked time of a checked-in appointment; how often a no-show came back.
    ALTER TABLE tickets ADD COLUMN appointment_at TEXT;
    ALTER TABLE tickets ADD COLUMN returns INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX ticket_events_by_counter ON ticket_events (counter, id);
    """,
    """
    -- Capacity: when a place inside was offered, and how often an invitation lapsed.
    ALTER TABLE tickets ADD COLUMN invited_at TEXT;
    ALTER TABLE tickets ADD COLUMN invite_misses INTEGER NOT NULL DEFAULT 0;

    -- Settings changed live by supervisors (they override office.toml until changed again).
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        staff_id INTEGER REFERENCES users (id),
        changed_at TEXT NOT NULL
    );

    -- Health self-screening keeps only a daily count of visitors advised to postpone.
    CREATE TABLE screening_counts (
        business_date TEXT PRIMARY KEY,
        advised INTEGER NOT NULL
    );
    """,
)

_TICKET_COLUMNS = (
    "id, business_date, service, lane, sequence, number, status, channel, "
    "arrived_at, issued_at, called_at, counter, recalls, appointment_at, returns, invited_at, invite_misses"
)


def hash_token(token: str) -> str:
    """Kiosk tokens are stored hashed, so a copied database does not leak working tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ticket(row: sqlite3.Row | tuple) -> Ticket:
    (ticket_id, business_date, service, lane, sequence, number, status, channel,
     arrived_at, issued_at, called_at, counter, recalls, appointment_at, returns, invited_at, invite_misses) = row
    return Ticket(
        id=ticket_id,
        business_date=business_date,
        service=service,
        lane=lane,
        sequence=sequence,
        number=number,
        status=status,
        channel=channel,
        arrived_at=parse_utc(arrived_at),
        issued_at=parse_utc(issued_at),
        called_at=parse_utc(called_at),
        counter=counter,
        recalls=recalls,
        appointment_at=parse_utc(appointment_at),
        returns=returns,
        invited_at=parse_utc(invited_at),
        invite_misses=invite_misses,
    )


class Store:
    """The office database: opens connections, migrates, and runs write transactions."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        self._write_lock = threading.Lock()

    def connect(self) -> Connection:
        """A new connection with the durability settings; one per request or worker."""
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        raw.execute("PRAGMA synchronous = FULL")
        raw.execute("PRAGMA foreign_keys = ON")
        return Connection(raw, self)

    def migrate(self) -> int:
        """Bring the schema up to date; safe to call at every start. Returns the version."""
        connection = self.connect()
        try:
            connection.raw.execute("PRAGMA journal_mode = WAL")
            while True:
                with connection.immediate():
                    version = connection.raw.execute("PRAGMA user_version").fetchone()[0]
                    if version >= len(MIGRATIONS):
                        return version
                    connection.sqlite_utils.executescript_in_transaction(MIGRATIONS[version])
                    connection.raw.execute(f"PRAGMA user_version = {version + 1}")
        finally:
            connection.close()

    @contextmanager
    def write(self, connection: Connection) -> Iterator[Connection]:
        """One multi-step write: in-process lock, `BEGIN IMMEDIATE`, commit, then callbacks."""
        with self._write_lock:
            with connection.immediate():
                yield connection
            callbacks, connection._after_commit = connection._after_commit, []
            for callback in callbacks:
                callback()


class _Database(sqlite_utils.Database):
    """sqlite-utils' wrapper, plus a script runner that stays inside our transaction."""

    def executescript_in_transaction(self, script: str) -> None:
        # sqlite3's executescript() commits first; run the statements one by one instead.
        for statement in _split_statements(script):
            self.conn.execute(statement)


def _split_statements(script: str) -> list[str]:
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [statement for statement in statements if statement]


class Connection:
    """A connection and the queries the product needs; every SQL statement lives here."""

    def __init__(self, raw: sqlite3.Connection, store: Store):
        self.raw = raw
        self.store = store
        self.sqlite_utils = _Database(raw)
        self._after_commit: list[Callable[[], None]] = []

    def close(self) -> None:
        self.raw.close()

    @contextmanager
    def immediate(self) -> Iterator[None]:
        """`BEGIN IMMEDIATE` … `COMMIT`, rolled back on any exception."""
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            self._after_commit = []
            raise
        self.raw.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction, so several reads see one consistent state."""
        if self.raw.in_transaction:
            yield
            return
        self.raw.execute("BEGIN")
        try:
            yield
        finally:
            self.raw.execute("COMMIT")

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the current write has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    # -- tickets ----------------------------------------------------------------------

    def next_ticket_sequence(self, business_date: str, service: str) -> int:
        """Reserve the next number of the day for a service (no read-max-then-insert)."""
        return self.raw.execute(
            """
            INSERT INTO ticket_numbers (business_date, service, last) VALUES (?, ?, 1)
            ON CONFLICT (business_date, service) DO UPDATE SET last = last + 1
            RETURNING last
            """,
            (business_date, service),
        ).fetchone()[0]

    def insert_ticket(self, *, business_date: str, service: str, lane: str, sequence: int, number: str,
                      status: str, channel: str, kiosk_id: int | None, now: datetime) -> Ticket:
        """Insert a new ticket and its first event row."""
        stamp = to_utc_text(now)
        ticket_id = self.raw.execute(
            """
            INSERT INTO tickets (business_date, service, lane, sequence, number, number_service, status,
                                 channel, kiosk_id, issued_at, arrived_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            (business_date, service, lane, sequence, number, service, status, channel, kiosk_id, stamp, stamp),
        ).fetchone()[0]
        self.raw.execute(
            "INSERT INTO ticket_events (ticket_id, from_status, to_status, service, kiosk_id, at) "
            "VALUES (?, NULL, ?, ?, ?, ?)",
            (ticket_id, status, service, kiosk_id, stamp),
        )
        return self.ticket(ticket_id)

    def ticket(self, ticket_id: int) -> Ticket | None:
        row = self.raw.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)).fetchone()
        return _ticket(row) if row else None

    def tickets_by_id(self, ticket_ids: list[int]) -> list[Ticket]:
        """Several tickets in one query (chunked below SQLite's variable limit)."""
        tickets = []
        for start in range(0, len(ticket_ids), 900):
            chunk = ticket_ids[start:start + 900]
            rows = self.raw.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id IN ({_marks(chunk)})", chunk)
            tickets.extend(_ticket(row) for row in rows)
        return tickets

    def tickets_in(self, business_date: str, statuses: tuple[str, ...], services: tuple[str, ...] | None = None) -> list[Ticket]:
        """Today's tickets in these states (optionally of these services), oldest first."""
        sql = f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE business_date = ? AND status IN ({_marks(statuses)})"
        params: list = [business_date, *statuses]
        if services is not None:
            sql += f" AND service IN ({_marks(services)})"
            params.extend(services)
        sql += " ORDER BY arrived_at, id"
        return [_ticket(row) for row in self.raw.execute(sql, params)]

    def waiting(self, business_date: str, services: tuple[str, ...] | None = None) -> list[Ticket]:
        return self.tickets_in(business_date, (WAITING,), services)

    def waiting_heads(self, business_date: str, services: tuple[str, ...]) -> list[Ticket]:
        """`policy.heads` of the waiting tickets of these services, read without the whole queue.

        The first ticket of each (service, lane) line plus every booked one, oldest first:
        all that the queue policy needs to choose, however long the queue is.
        """
        sql = f"""
            SELECT {_TICKET_COLUMNS} FROM (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY service, lane ORDER BY arrived_at, id) AS place
                FROM tickets WHERE business_date = ? AND status = ? AND service IN ({_marks(services)})
            ) WHERE place = 1 OR appointment_at IS NOT NULL ORDER BY arrived_at, id
        """
        return [_ticket(row) for row in self.raw.execute(sql, (business_date, WAITING, *services))]

    def active_at_counter(self, counter: int) -> Ticket | None:
        """The ticket called to or being served at this counter, if any."""
        row = self.raw.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE counter = ? AND status IN ({_marks(ACTIVE_AT_COUNTER)}) "
            "ORDER BY called_at DESC LIMIT 1",
            (counter, *ACTIVE_AT_COUNTER),
        ).fetchone()
        return _ticket(row) if row else None

    def active_calls(self, business_date: str) -> list[Ticket]:
        """Today's tickets currently called to or served at a counter, newest call first."""
        rows = self.raw.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE business_date = ? "
            f"AND status IN ({_marks(ACTIVE_AT_COUNTER)}) AND counter IS NOT NULL ORDER BY called_at DESC",
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
        """Lanes of this counter's latest calls today (recalls excluded), newest first."""
        rows = self.raw.execute(
            """
            SELECT t.lane FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
            WHERE e.counter = ? AND e.to_status = ? AND e.from_status != ? AND t.business_date = ?
            ORDER BY e.id DESC LIMIT ?
            """,
            (counter, CALLED, CALLED, business_date, limit),
        )
        return [lane for (lane,) in rows]

    def ticket_by_number(self, business_date: str, number: str) -> Ticket | None:
        """Today's ticket with this printed number (numbers are unique per day)."""
        row = self.raw.execute(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE business_date = ? AND number = ?", (business_date, number)
        ).fetchone()
        return _ticket(row) if row else None

    def last_change_to(self, ticket_id: int, status: str) -> datetime | None:
        """When the ticket last entered this status."""
        row = self.raw.execute(
            "SELECT at FROM ticket_events WHERE ticket_id = ? AND to_status = ? ORDER BY id DESC LIMIT 1",
            (ticket_id, status),
        ).fetchone()
        return parse_utc(row[0]) if row else None

    def count_in(self, business_date: str, statuses: tuple[str, ...]) -> int:
        """Today's tickets in these states (e.g. everyone inside)."""
        return self.raw.execute(
            f"SELECT COUNT(*) FROM tickets WHERE business_date = ? AND status IN ({_marks(statuses)})",
            (business_date, *statuses),
        ).fetchone()[0]

    def count_issued(self, business_date: str, service: str, lane: str | None = None) -> int:
        """Tickets drawn today for a service (and lane), cancelled ones included: the quota's count."""
        sql = "SELECT COUNT(*) FROM tickets WHERE business_date = ? AND number_service = ?"
        params: list = [business_date, service]
        if lane is not None:
            sql += " AND lane = ?"
            params.append(lane)
        return self.raw.execute(sql, params).fetchone()[0]

    def recent_service_minutes(self, business_date: str, service: str, limit: int = 20) -> float | None:
        """Average minutes from call to done over the service's latest finished tickets today."""
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

    def setting(self, key: str) -> str | None:
        row = self.raw.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str, staff_id: int | None, now: datetime) -> None:
        self.raw.execute(
            """
            INSERT INTO settings (key, value, staff_id, changed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, staff_id = excluded.staff_id,
                changed_at = excluded.changed_at
            """,
            (key, value, staff_id, to_utc_text(now)),
        )

    def count_screening_advice(self, business_date: str) -> None:
        """One more visitor advised to postpone today (nothing else about them is kept)."""
        self.raw.execute(
            """
            INSERT INTO screening_counts (business_date, advised) VALUES (?, 1)
            ON CONFLICT (business_date) DO UPDATE SET advised = advised + 1
            """,
            (business_date,),
        )

    def screening_advice_count(self, business_date: str) -> int:
        row = self.raw.execute("SELECT advised FROM screening_counts WHERE business_date = ?", (business_date,)).fetchone()
        return row[0] if row else 0

    def count_by_status(self, business_date: str) -> dict[tuple[str, str, str], int]:
        """Ticket counts keyed by (service, lane, status) for one business day."""
        rows = self.raw.execute(
            "SELECT service, lane, status, COUNT(*) FROM tickets WHERE business_date = ? GROUP BY service, lane, status",
            (business_date,),
        )
        return {(service, lane, status): count for service, lane, status, count in rows}

    def change_ticket(self, ticket: Ticket, to_status: str, *, now: datetime, staff_id: int | None = None,
                      detail: str | None = None, at_counter: int | None = None, **columns) -> Ticket:
        """Move a ticket to a new state and record the event; guarded by its current state.

        `columns` are further ticket columns to set (`counter`, `called_at`, `service`, …);
        `at_counter` is the counter recorded in the event (default: the ticket's counter).
        The `WHERE status = ?` guard means a ticket changed by someone else since it was
        read is not changed again: the caller gets a LookupError instead.
        """
        assignments = {"status": to_status, **columns}
        sets = ", ".join(f"{column} = ?" for column in assignments)
        values = [to_utc_text(value) if isinstance(value, datetime) else value for value in assignments.values()]
        updated = self.raw.execute(
            f"UPDATE tickets SET {sets} WHERE id = ? AND status = ?",
            (*values, ticket.id, ticket.status),
        ).rowcount
        if updated != 1:
            raise LookupError(f"ticket {ticket.id} is no longer {ticket.status}")
        if at_counter is None:
            at_counter = columns.get("counter", ticket.counter)
        self.raw.execute(
            """
            INSERT INTO ticket_events (ticket_id, from_status, to_status, service, counter, staff_id, at, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (ticket.id, ticket.status, to_status, columns.get("service", ticket.service), at_counter, staff_id,
             to_utc_text(now), detail),
        )
        return self.ticket(ticket.id)

    def ticket_events(self, ticket_id: int) -> list[dict]:
        """The audit trail of one ticket, oldest first."""
        rows = self.raw.execute(
            "SELECT from_status, to_status, service, counter, staff_id, kiosk_id, at, detail FROM ticket_events "
            "WHERE ticket_id = ? ORDER BY id",
            (ticket_id,),
        )
        keys = ("from_status", "to_status", "service", "counter", "staff_id", "kiosk_id", "at", "detail")
        return [dict(zip(keys, row)) for row in rows]

    # -- counters ---------------------------------------------------------------------

    def counter_states(self) -> dict[int, str]:
        return dict(self.raw.execute("SELECT number, state FROM counter_states"))

    def set_counter_state(self, number: int, state: str, staff_id: int | None, now: datetime) -> None:
        self.raw.execute(
            """
            INSERT INTO counter_states (number, state, staff_id, changed_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (number) DO UPDATE SET state = excluded.state, staff_id = excluded.staff_id,
                changed_at = excluded.changed_at
            """,
            (number, state, staff_id, to_utc_text(now)),
        )

    # -- idempotency ------------------------------------------------------------------

    def remembered_answer(self, scope: str, key: str) -> tuple[int, object] | None:
        row = self.raw.execute("SELECT status, body FROM idempotency WHERE scope = ? AND key = ?", (scope, key)).fetchone()
        if row is None:
            return None
        status, body = row
        return status, (json.loads(body) if body is not None else None)

    def remember_answer(self, scope: str, key: str, status: int, body: object, now: datetime) -> None:
        self.raw.execute(
            "INSERT INTO idempotency (scope, key, status, body, created_at) VALUES (?, ?, ?, ?, ?)",
            (scope, key, status, json.dumps(body) if body is not None else None, to_utc_text(now)),
        )

    # -- staff and kiosks -------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str, now: datetime) -> int:
        return self.sqlite_utils["users"].insert(
            {"username": username, "password_hash": password_hash, "role": role, "active": 1,
             "created_at": to_utc_text(now)}
        ).last_pk

    def set_user_password(self, username: str, password_hash: str, role: str) -> bool:
        return self.raw.execute(
            "UPDATE users SET password_hash = ?, role = ? WHERE username = ?", (password_hash, role, username)
        ).rowcount == 1

    def user_by_name(self, username: str) -> dict | None:
        row = self.raw.execute(
            "SELECT id, username, password_hash, role FROM users WHERE username = ? AND active = 1", (username,)
        ).fetchone()
        return dict(zip(("id", "username", "password_hash", "role"), row)) if row else None

    def user_by_id(self, user_id: int) -> dict | None:
        row = self.raw.execute(
            "SELECT id, username, role FROM users WHERE id = ? AND active = 1", (user_id,)
        ).fetchone()
        return dict(zip(("id", "username", "role"), row)) if row else None

    def add_kiosk(self, name: str, token: str, now: datetime) -> int:
        return self.sqlite_utils["kiosks"].insert(
            {"name": name, "token_hash": hash_token(token), "active": 1, "created_at": to_utc_text(now)}
        ).last_pk

    def kiosk_by_token(self, token: str) -> dict | None:
        row = self.raw.execute(
            "SELECT id, name FROM kiosks WHERE token_hash = ? AND active = 1", (hash_token(token),)
        ).fetchone()
        return {"id": row[0], "name": row[1]} if row else None

    def kiosk_by_id(self, kiosk_id: int) -> dict | None:
        row = self.raw.execute("SELECT id, name FROM kiosks WHERE id = ? AND active = 1", (kiosk_id,)).fetchone()
        return {"id": row[0], "name": row[1]} if row else None


def _marks(values: tuple | list) -> str:
    return ", ".join("?" for _ in values)
