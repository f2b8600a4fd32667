"""Storage: durable settings, idempotent migrations, numbering without gaps or duplicates."""
import threading
from datetime import datetime, timezone

import pytest

from shared.storage import MIGRATIONS, Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    return store


def test_durability_settings(store):
    db = store.connect()
    assert db.raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.raw.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL
    assert db.raw.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert db.raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_are_idempotent(store):
    assert store.migrate() == len(MIGRATIONS)
    assert store.migrate() == len(MIGRATIONS)


def test_numbers_restart_each_business_day_per_service(store):
    db = store.connect()
    with store.write(db):
        first = [db.next_ticket_sequence("2026-11-25", "a") for _ in range(3)]
        other_service = db.next_ticket_sequence("2026-11-25", "b")
        next_day = db.next_ticket_sequence("2026-11-26", "a")
    assert first == [1, 2, 3]
    assert other_service == 1
    assert next_day == 1


def test_concurrent_numbering_has_no_gaps_or_duplicates(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    numbers, errors = [], []

    def draw():
        db = store.connect()
        try:
            for _ in range(50):
                with store.write(db):
                    numbers.append(db.next_ticket_sequence("2026-11-25", "a"))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=draw) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 301))


def test_other_processes_numbering_is_serialised_by_the_database(tmp_path):
    """Two Store objects (as two processes would have) still never share a number."""
    path = tmp_path / "antrean.sqlite3"
    first, second = Store(path), Store(path)
    first.migrate()
    a, b = first.connect(), second.connect()
    with first.write(a):
        one = a.next_ticket_sequence("2026-11-25", "a")
    with second.write(b):
        two = b.next_ticket_sequence("2026-11-25", "a")
    assert (one, two) == (1, 2)


def test_unique_constraint_backs_the_counter(store):
    db = store.connect()
    with store.write(db):
        db.insert_ticket(business_date="2026-11-25", service="a", lane="general", sequence=1, number="A-001",
                         status="waiting", channel="walk_in", kiosk_id=None, now=NOW)
    with pytest.raises(Exception, match="UNIQUE"):
        with store.write(db):
            db.insert_ticket(business_date="2026-11-25", service="a", lane="general", sequence=1, number="A-001",
                             status="waiting", channel="walk_in", kiosk_id=None, now=NOW)


def test_failed_write_rolls_back_and_skips_callbacks(store):
    db = store.connect()
    called = []
    with pytest.raises(RuntimeError):
        with store.write(db):
            db.next_ticket_sequence("2026-11-25", "a")
            db.after_commit(lambda: called.append(True))
            raise RuntimeError("boom")
    assert called == []
    with store.write(db):
        assert db.next_ticket_sequence("2026-11-25", "a") == 1


def test_guarded_state_change_refuses_a_stale_ticket(store):
    db = store.connect()
    with store.write(db):
        ticket = db.insert_ticket(business_date="2026-11-25", service="a", lane="general", sequence=1,
                                  number="A-001", status="waiting", channel="walk_in", kiosk_id=None, now=NOW)
        db.change_ticket(ticket, "called", now=NOW, counter=1, called_at=NOW)
    with pytest.raises(LookupError):
        with store.write(db):
            db.change_ticket(ticket, "called", now=NOW, counter=2, called_at=NOW)   # stale: still says waiting
    assert [event["to_status"] for event in db.ticket_events(ticket.id)] == ["waiting", "called"]


def test_waiting_heads_reads_what_the_policy_would_keep(store):
    """The SQL shortcut for call-next returns exactly `policy.heads` of the waiting tickets."""
    from datetime import timedelta

    from shared.domain.policy import heads

    db = store.connect()
    plan = [("a", "general", 5), ("a", "general", 1), ("a", "senior", 3), ("b", "general", 2),
            ("a", "general", 1), ("a", "senior", 0), ("b", "disability", 4), ("c", "general", 0)]
    with store.write(db):
        tickets = []
        for sequence, (service, lane, minutes_ago) in enumerate(plan, start=1):
            ticket = db.insert_ticket(business_date="2026-11-25", service=service, lane=lane, sequence=sequence,
                                      number=f"X-{sequence:03d}", status="waiting", channel="walk_in",
                                      kiosk_id=None, now=NOW - timedelta(minutes=minutes_ago))
            tickets.append(ticket)
        # A booking late in its line, a ticket already called, and one of another day.
        db.change_ticket(tickets[1], "waiting", now=NOW, appointment_at=NOW + timedelta(minutes=5))
        db.change_ticket(tickets[5], "called", now=NOW, counter=1, called_at=NOW)
        db.insert_ticket(business_date="2026-11-24", service="a", lane="general", sequence=1, number="X-001",
                         status="waiting", channel="walk_in", kiosk_id=None, now=NOW - timedelta(days=1))
    waiting = db.waiting("2026-11-25", ("a", "b"))
    got = db.waiting_heads("2026-11-25", ("a", "b"))
    assert got == heads(waiting)
    assert [t.number for t in got] == ["X-001", "X-007", "X-003", "X-004", "X-002"]
