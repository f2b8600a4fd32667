"""The database schema as an ordered list of migrations, applied once each at start-up.

Each entry upgrades the schema by one version (`PRAGMA user_version`); `Store.migrate`
runs the missing ones in one immediate transaction each, so a crash mid-upgrade leaves
the previous version intact. Never edit an entry that has shipped: add a new one.
"""
from __future__ import annotations

import sqlite3

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
    """
    -- The durable event log (outbox): every service appends the events it caused in the
    -- same transaction as its writes. The row id is the event's sequence (`seq` on
    -- screens): AUTOINCREMENT never reuses an id, so it rises across restarts and across
    -- processes without a clock.
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        payload TEXT NOT NULL,
        at TEXT NOT NULL
    );

    -- How far each relay has handed the log to its subscribers, so a restart resumes there.
    CREATE TABLE relay_cursors (
        name TEXT PRIMARY KEY,
        last_id INTEGER NOT NULL
    );

    -- One officer works a counter at a time: who holds it, since when.
    ALTER TABLE counter_states ADD COLUMN held_by INTEGER REFERENCES users (id);
    ALTER TABLE counter_states ADD COLUMN held_since TEXT;
    """,
    """
    -- Appointments. `code` is what the visitor reads aloud or types at the kiosk.
    CREATE TABLE bookings (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        service TEXT NOT NULL,
        lane TEXT NOT NULL,
        business_date TEXT NOT NULL,
        start TEXT NOT NULL,
        "end" TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        status TEXT NOT NULL,
        -- Personal data, optional, for reminders only; purged after the retention period.
        contact TEXT,
        contact_key TEXT,
        ticket_id INTEGER REFERENCES tickets (id),
        created_at TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX bookings_by_day ON bookings (business_date, status);
    -- One active booking per contact, service and day, kept by the database itself.
    CREATE UNIQUE INDEX bookings_one_per_contact ON bookings (contact_key, service, business_date)
        WHERE contact_key IS NOT NULL AND status IN ('booked', 'checked_in');

    -- Places taken per slot: a guarded increment, so a slot never overbooks (like numbering).
    CREATE TABLE slot_places (
        service TEXT NOT NULL,
        business_date TEXT NOT NULL,
        start TEXT NOT NULL,
        taken INTEGER NOT NULL CHECK (taken >= 0),
        PRIMARY KEY (service, business_date, start)
    );
    """,
    """
    -- Notifications for the office's own webhook (reminders through its WhatsApp or SMS
    -- gateway). `key` queues each notification once only; `payload` holds the contact and
    -- is set to NULL once the delivery is sent or given up; `last_error` is a code, never text.
    CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload TEXT,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        changed_at TEXT NOT NULL
    );
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
    """,
    """
    -- A visitor who answered the reminder "yes, I will come": offices can tell likely no-shows.
    ALTER TABLE bookings ADD COLUMN confirmed_at TEXT;
    """,
    """
    -- Staff sessions and tokens carry their account's session version; signing out, a new
    -- password, a new role, disabling or removing the account raise it, which ends every
    -- cookie, bearer token and socket of that account at once. A removed account keeps its
    -- row (tickets' history names it) but is listed nowhere and cannot sign in.
    ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN removed_at TEXT;
    -- A kiosk registered from the browser gets a one-time registration link (stored hashed,
    -- consumed by the first kiosk that opens it); a retired kiosk is kept for the history.
    ALTER TABLE kiosks ADD COLUMN registration_hash TEXT;
    ALTER TABLE kiosks ADD COLUMN registration_expires_at TEXT;
    ALTER TABLE kiosks ADD COLUMN retired_at TEXT;
    CREATE UNIQUE INDEX kiosks_by_registration ON kiosks (registration_hash) WHERE registration_hash IS NOT NULL;
    """,
    """
    -- The silent alarm: who pressed it at which counter and when, and who answered it.
    CREATE TABLE alarms (
        id INTEGER PRIMARY KEY,
        counter INTEGER NOT NULL,
        staff_id INTEGER NOT NULL REFERENCES users (id),
        raised_at TEXT NOT NULL,
        acknowledged_by INTEGER REFERENCES users (id),
        acknowledged_at TEXT
    );
    CREATE INDEX alarms_unanswered ON alarms (id) WHERE acknowledged_at IS NULL;

    -- Other counters' lines a counter also serves while a colleague is away (a supervisor assigns them).
    CREATE TABLE counter_lines (
        counter INTEGER NOT NULL,
        line INTEGER NOT NULL,
        staff_id INTEGER REFERENCES users (id),
        assigned_at TEXT NOT NULL,
        PRIMARY KEY (counter, line)
    );
    """,
    """
    -- The audit trail: every ticket state change and every staff, admin and system action,
    -- hash-chained row to row (`domain.audit`). A ticket change's row names its
    -- `ticket_events` row and repeats it, so an edit of either is caught.
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_id INTEGER,
        action TEXT NOT NULL,
        ticket_id INTEGER,
        ticket_event INTEGER UNIQUE,
        counter INTEGER,
        detail TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE INDEX audit_by_at ON audit (at);
    -- Ticket history from before the trail began is not chained: the chain covers
    -- `ticket_events` from this id on.
    INSERT INTO settings (key, value, staff_id, changed_at)
        SELECT 'audit_from_ticket_event', COALESCE(MAX(id), 0) + 1, NULL, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')
        FROM ticket_events;
    """,
    """
    -- The satisfaction survey (PermenPANRB 14/2017): one answer per ticket, tied to the
    -- service, counter and day that earned it, never to a person. `score` is the overall
    -- 1–4 rating; a full SKM answer also fills u1–u9, one column per element, so the
    -- per-element means are plain SQL sums and each score is range-checked by the database.
    -- `comment` is personal data: emptied after `[privacy] retention_days`, the scores stay.
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY,
        ticket_id INTEGER NOT NULL UNIQUE REFERENCES tickets (id),
        business_date TEXT NOT NULL,
        service TEXT NOT NULL,
        counter INTEGER,
        mode TEXT NOT NULL CHECK (mode IN ('single', 'skm')),
        channel TEXT NOT NULL CHECK (channel IN ('phone', 'tablet')),
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4),
        u1 INTEGER CHECK (u1 BETWEEN 1 AND 4),
        u2 INTEGER CHECK (u2 BETWEEN 1 AND 4),
        u3 INTEGER CHECK (u3 BETWEEN 1 AND 4),
        u4 INTEGER CHECK (u4 BETWEEN 1 AND 4),
        u5 INTEGER CHECK (u5 BETWEEN 1 AND 4),
        u6 INTEGER CHECK (u6 BETWEEN 1 AND 4),
        u7 INTEGER CHECK (u7 BETWEEN 1 AND 4),
        u8 INTEGER CHECK (u8 BETWEEN 1 AND 4),
        u9 INTEGER CHECK (u9 BETWEEN 1 AND 4),
        comment TEXT,
        created_at TEXT NOT NULL,
        CHECK ((mode = 'single') = (u1 IS NULL AND u2 IS NULL AND u3 IS NULL AND u4 IS NULL AND u5 IS NULL
                                    AND u6 IS NULL AND u7 IS NULL AND u8 IS NULL AND u9 IS NULL)),
        CHECK (mode = 'single' OR (u1 IS NOT NULL AND u2 IS NOT NULL AND u3 IS NOT NULL AND u4 IS NOT NULL
               AND u5 IS NOT NULL AND u6 IS NOT NULL AND u7 IS NOT NULL AND u8 IS NOT NULL AND u9 IS NOT NULL))
    );
    CREATE INDEX feedback_by_date ON feedback (business_date, service, counter);
    CREATE INDEX feedback_comments ON feedback (created_at) WHERE comment IS NOT NULL;
    """,
    # 12: each (service, lane) line in arrival order, per state: the people ahead of a ticket are
    # counted with one index range per lane, the head of each line is one seek, and a console
    # reads the first of its lines without the whole queue (docs/PERFORMANCE.md).
    """
    CREATE INDEX tickets_in_line ON tickets (business_date, service, lane, status, arrived_at);
    """,
    # 13: the day's tickets drawn per service letter and lane (the quotas' counts) without reading
    # rows, and the booked tickets among those waiting (the only ones that may jump their line).
    """
    CREATE INDEX tickets_by_letter ON tickets (business_date, number_service, lane);
    CREATE INDEX tickets_booked ON tickets (business_date, status, service) WHERE appointment_at IS NOT NULL;
    """,
    # 14: each ticket's revision, raised by every change of its row (`Tickets.change`, the only
    # UPDATE of tickets; a later migration that rewrites rows must raise it too). The lines' index
    # carries it, so a reader that keeps the tickets it read (the relay, placing phones after
    # every call) learns from the index alone which rows changed since, and reads only those.
    """
    ALTER TABLE tickets ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
    DROP INDEX tickets_in_line;
    CREATE INDEX tickets_in_line ON tickets (business_date, service, lane, status, arrived_at, revision);
    """,
)


def split_statements(script: str) -> list[str]:
    """A migration script as single statements (sqlite3's executescript() would commit first)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return [statement for statement in statements if statement]
