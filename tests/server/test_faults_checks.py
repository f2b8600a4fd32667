"""The kill -9 test's checks can fail: each catches the loss or the double it is there for.

No server: a migrated database with rows written by hand, and a ledger of what clients saw.
"""
from __future__ import annotations

import sqlite3

import pytest

from shared.store import Store
from tests.helpers.crashes import Ledger, check_database, office_today

AT = "2026-12-04T08:00:00+07:00"


@pytest.fixture
def db(tmp_path):
    Store(tmp_path / "antrean.sqlite3").migrate()
    connection = sqlite3.connect(tmp_path / "antrean.sqlite3", isolation_level=None)
    today = office_today()
    connection.execute("INSERT INTO ticket_numbers VALUES (?, 'A', 3)", (today,))
    for sequence, status in ((1, "called"), (2, "waiting"), (3, "waiting")):
        connection.execute(
            "INSERT INTO tickets (id, business_date, service, lane, sequence, number, number_service, status, "
            "issued_at, arrived_at, counter) VALUES (?, ?, 'umum', 'general', ?, ?, 'A', ?, ?, ?, ?)",
            (sequence, today, sequence, f"A-{sequence:03d}", status, AT, AT, 1 if status == "called" else None))
    event(connection, 1, "waiting", "called", 1)
    yield connection
    connection.close()


def event(connection, ticket_id: int, from_status: str | None, to_status: str, counter: int | None = None) -> None:
    connection.execute("INSERT INTO ticket_events (ticket_id, from_status, to_status, service, counter, at) "
                       "VALUES (?, ?, ?, 'umum', ?, ?)", (ticket_id, from_status, to_status, counter, AT))


def ledger() -> Ledger:
    seen = Ledger()
    seen.tickets.update({"A-001": "t1", "A-002": "t2", "A-003": "t3"})
    seen.calls.append((1, "A-001"))
    return seen


def test_a_consistent_database_passes(db):
    check_database(db, ledger())


@pytest.mark.parametrize("kind, key, message", [
    ("tickets", "A-004", "tickets a kiosk was given"), ("bookings", "ABCDEF", "bookings a visitor was given")])
def test_a_ticket_or_booking_a_client_was_given_must_be_stored(db, kind, key, message):
    seen = ledger()
    getattr(seen, kind)[key] = "token"
    with pytest.raises(AssertionError, match=message):
        check_database(db, seen)


def test_a_call_an_officer_was_answered_must_be_stored(db):
    seen = ledger()
    seen.calls.append((2, "A-002"))
    with pytest.raises(AssertionError, match="call to counter 2 is not stored"):
        check_database(db, seen)


def test_a_ticket_called_twice_from_the_line_is_caught_unless_it_went_back(db):
    event(db, 1, "waiting", "called", 2)
    with pytest.raises(AssertionError, match="more than once"):
        check_database(db, ledger())
    event(db, 1, "no_show", "waiting")   # returned after a no-show: a second call is right
    check_database(db, ledger())


def test_gaps_and_a_counter_behind_the_tickets_are_caught(db):
    db.execute("UPDATE tickets SET sequence = 4, number = 'A-004' WHERE id = 3")
    with pytest.raises(AssertionError, match="gaps or repeats"):
        check_database(db, _without(ledger(), "A-003"))
    db.execute("UPDATE tickets SET sequence = 3, number = 'A-003' WHERE id = 3")
    db.execute("UPDATE ticket_numbers SET last = 2")
    with pytest.raises(AssertionError, match="the counter says 2"):
        check_database(db, ledger())


def _without(seen: Ledger, number: str) -> Ledger:
    seen.tickets.pop(number)
    return seen
