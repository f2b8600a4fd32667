"""The server errors the fuzzer (tests/test_fuzz.py) found, each kept as a plain example."""
from __future__ import annotations

import pytest

from shared.domain.hours import parse_day


@pytest.fixture
def supervisor(client, staff_headers):
    return staff_headers("supervisor")


@pytest.mark.parametrize("query", ["after=²", "limit=²", "after=١٢", "after=99999999999999999999999"])
def test_audit_paging_refuses_digits_int_cannot_read_and_ids_past_64_bits(client, supervisor, query):
    # "²" passes str.isdigit() and then int() raised; a 23-digit id overflowed SQLite's integer.
    answer = client.get(f"/api/audit?{query}", headers=supervisor)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/api/audit", "/api/audit.csv", "/api/reports/summary",
                                  "/api/reports/tickets.csv", "/api/reports/report.pdf"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_range_at_the_calendars_ends_is_refused_not_overflowed(client, supervisor, path, day):
    answer = client.get(path, query_string={"from": day, "to": day}, headers=supervisor)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_slots_and_bookings_on_a_date_at_the_calendars_ends_are_refused(client, day):
    slots = client.get("/api/slots", query_string={"service": "konsultasi", "date": day})
    assert slots.status_code == 422
    booked = client.post("/api/bookings", json={"service": "konsultasi", "date": day, "start": "08:00"})
    assert booked.status_code == 422, booked.get_json()
    assert booked.get_json()["error"]["code"] == "invalid_request"


def test_a_business_date_is_one_an_office_can_have():
    assert parse_day("2026-12-04").isoformat() == "2026-12-04"
    assert parse_day("0001-01-01") is None
    assert parse_day("9999-12-31") is None
    assert parse_day("2026-02-30") is None
    assert parse_day(20261204) is None


@pytest.mark.parametrize("path", ["/api/alarms/9223372036854775808/acknowledge", "/api/kiosks/99999999999999999999/link",
                                  "/api/counters/9223372036854775808/call-next"])
def test_an_id_in_a_path_past_64_bits_is_an_unknown_path(client, staff_headers, path):
    # It reached SQLite, which cannot hold it: OverflowError, 500.
    answer = client.post(path, headers=staff_headers("admin"))
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_a_sign_in_nested_thousands_deep_is_a_400(client):
    # The sign-in limiter reads the username from the body before the view, and its JSON reader
    # hit Python's recursion limit: 500.
    answer = client.post("/api/login", data=b"[" * 5000 + b"]" * 5000, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_request"
