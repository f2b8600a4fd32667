"""A number typed at the console: "E2", "E002" and "e-002" all mean today's `E-002`."""
from datetime import datetime, timezone

import pytest

from tests.helpers.offices import clocked_office

from shared.domain.model import StaffUser
from shared.domain.numbering import format_number, parse_number
from shared.services import calling, tickets

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB
OFFICER = StaffUser(1, "petugas", "officer")


@pytest.mark.parametrize("typed", ["E2", "E002", "e-002", "e2", " E-2 ", "E 002", "E - 2", "E–002", "E0002"])
def test_the_ways_an_officer_types_a_number(typed):
    assert parse_number(typed) == "E-002"


def test_long_days_keep_their_four_digits():
    assert parse_number("a1000") == "A-1000" == format_number("A", 1000)
    assert parse_number("A-012") == "A-012"


@pytest.mark.parametrize("typed", ["", "   ", "E", "002", "E-0", "EE2", "E2x", "E--2", "2E", "E-1234567", None, 5])
def test_what_cannot_be_a_number(typed):
    assert parse_number(typed) is None


@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.sqlite3", NOW)


def test_call_return_and_admit_accept_the_typed_forms(office):
    db = office.store.connect()
    try:
        for _ in range(2):
            tickets.issue(office, db, service="konsultasi", lane="general")
        called = calling.call_ticket(office, db, 6, "e2", "hanya ambil berkas", staff=OFFICER).called
        assert called.number == "E-002"
        calling.no_show(office, db, 6, staff=OFFICER)
        assert calling.return_ticket(office, db, 6, "E002", staff=OFFICER).status == "waiting"
        assert tickets.by_typed_number(db, office.today(), "e-001").number == "E-001"
        assert tickets.by_typed_number(db, office.today(), "nonsense") is None
    finally:
        db.close()
