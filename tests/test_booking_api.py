"""The appointment and online-line endpoints through the Flask test client: shapes and refusals."""
from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from tests.test_kiosk_api import assert_error

SERVICE = "konsultasi"
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB


@pytest.fixture
def clock(app):
    """Pin the office clock; `clock(minutes)` moves it from NOW."""
    office = app.extensions["antrean.office"]

    def move(minutes: int = 0) -> None:
        office.clock = lambda: NOW + timedelta(minutes=minutes)

    move()
    return move


def book(client, **body):
    return client.post("/api/bookings", json={"service": SERVICE, "date": "2026-11-25", "start": "10:00",
                                              "lane": "general", **body})


def test_slots_list_places_left(client, clock):
    slots = client.get(f"/api/slots?service={SERVICE}&date=2026-11-25").get_json()
    assert slots[0] == {"start": "10:00", "end": "10:30", "capacity": 3, "remaining": 3}   # 09:30 is past the cutoff
    assert slots[-1]["start"] == "23:30"
    book(client)
    assert client.get(f"/api/slots?service={SERVICE}&date=2026-11-25").get_json()[0]["remaining"] == 2
    assert client.get(f"/api/slots?service={SERVICE}&date=2026-12-09").get_json() == []   # beyond the window
    assert_error(client.get("/api/slots?service=nope&date=2026-11-25"), 404, "unknown_service")
    assert_error(client.get(f"/api/slots?service={SERVICE}&date=kemarin"), 422, "invalid_request")


def test_book_see_move_and_cancel(client, clock):
    created = book(client, contact="0812 3456 7890")
    assert created.status_code == 201
    body = created.get_json()
    assert set(body) == {"code", "token", "manage_url", "qr_url", "pdf_url"}
    assert body["manage_url"].endswith(f"/booking/{body['token']}")
    token = body["token"]
    assert client.get(f"/api/bookings/{token}").get_json() == {
        "code": body["code"], "service": SERVICE, "lane": "general", "date": "2026-11-25", "start": "10:00",
        "end": "10:30", "status": "booked", "confirmed": False}
    moved = client.post(f"/api/bookings/{token}/reschedule", json={"date": "2026-11-26", "start": "08:00"})
    assert moved.status_code == 200 and (moved.get_json()["date"], moved.get_json()["start"]) == ("2026-11-26", "08:00")
    assert client.post(f"/api/bookings/{token}/cancel").get_json() == {"status": "cancelled"}
    assert client.get(f"/api/bookings/{token}").get_json()["status"] == "cancelled"


def test_refusals_of_booking(client, clock):
    for _ in range(3):
        assert book(client).status_code == 201
    assert_error(book(client), 409, "slot_full")
    assert_error(book(client, start="09:30"), 422, "invalid_request")
    assert_error(book(client, service="nope"), 404, "unknown_service")
    assert_error(book(client, start="11:00", lane="health_worker", service="pengambilan_dokumen"), 422, "invalid_lane")
    assert_error(book(client, start="11:00", contact="<b>ini</b>"), 422, "invalid_contact")
    assert_error(book(client, start="11:00", contact=42), 422, "invalid_request")
    assert book(client, start="11:00", contact="siti@contoh.go.id").status_code == 201
    assert_error(book(client, start="11:30", contact="SITI@contoh.go.id"), 409, "already_booked")
    assert_error(client.post("/api/bookings", data="{", content_type="application/json"), 400, "invalid_request")
    assert_error(client.post("/api/bookings", json={"service": SERVICE}), 400, "invalid_request")


def test_forged_and_malformed_booking_tokens_look_alike(client):
    for token in ("forged", "WzEsMTc5NjM5OTAyMV0.nAJ5QmlE_fkYZPMEYTTlqKkcBzE"):
        assert_error(client.get(f"/api/bookings/{token}"), 404, "unknown_booking")
        assert_error(client.post(f"/api/bookings/{token}/cancel"), 404, "unknown_booking")
        assert_error(client.get(f"/api/calendar/{token}.ics"), 404, "unknown_booking")


def test_a_ticket_token_is_not_a_booking_token(client, clock, kiosk_headers):
    ticket = client.post("/api/tickets", json={"service": SERVICE}, headers=kiosk_headers).get_json()
    assert_error(client.get(f"/api/bookings/{ticket['token']}"), 404, "unknown_booking")


def test_slip_qr_and_calendar(client, clock):
    body = book(client).get_json()
    pdf = client.get(f"/api/bookings/{body['token']}/pdf")
    assert pdf.headers["Content-Type"] == "application/pdf" and pdf.data.startswith(b"%PDF")
    svg = client.get(f"/api/bookings/{body['token']}/qr.svg")
    assert svg.headers["Content-Type"].startswith("image/svg+xml") and b"<svg" in svg.data
    ics = client.get(f"/api/calendar/{body['token']}.ics")
    assert ics.headers["Content-Type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)
    assert body["code"] in str(event.get("description"))


def test_check_in_at_the_kiosk_by_code_or_scanned_link(client, clock, kiosk_headers):
    first, second = book(client).get_json(), book(client).get_json()
    late = book(client, start="11:00").get_json()
    assert_error(client.post("/api/checkin", json={"code": first["code"]}, headers=kiosk_headers), 409, "too_early")
    clock(35)
    ticket = client.post("/api/checkin", json={"code": f" {first['code'].lower()} "}, headers=kiosk_headers)
    assert ticket.status_code == 201 and ticket.get_json()["status"] == "waiting"
    scanned = client.post("/api/checkin", json={"code": second["manage_url"]}, headers=kiosk_headers)
    assert scanned.status_code == 201 and scanned.get_json()["number"] != ticket.get_json()["number"]
    summary = client.get(f"/api/tickets/{ticket.get_json()['token']}").get_json()
    assert summary["service"] == SERVICE
    assert_error(client.post("/api/checkin", json={"code": "AAAAAA"}, headers=kiosk_headers), 404, "unknown_booking")
    assert_error(client.post("/api/checkin", json={"code": first["code"]}), 401, "unauthorized")
    clock(60 + 60 + 16)   # 11:16, past the 11:00 booking's late window
    assert_error(client.post("/api/checkin", json={"code": late["code"]}, headers=kiosk_headers), 409, "too_late")


def test_join_the_line_from_home(client, clock):
    joined = client.post("/api/remote-tickets", json={"service": SERVICE, "lane": "general"})
    assert joined.status_code == 201
    body = joined.get_json()
    assert set(body) >= {"id", "number", "service", "lane", "status", "token", "status_url", "pdf_url", "ahead"}
    assert body["status"] in ("outside", "invited")   # invited at once while there is room inside
    assert_error(client.post("/api/remote-tickets", json={"service": "nope"}), 404, "unknown_service")


def test_public_writes_are_limited_per_address(client, clock):
    statuses = [client.post("/api/remote-tickets", json={"service": SERVICE}).status_code for _ in range(31)]
    assert statuses[:30] == [201] * 30
    assert_error(client.post("/api/bookings", json={"service": SERVICE}), 429, "rate_limited")


def test_the_phone_lets_the_next_person_go_first(client, clock, kiosk_headers):
    mine = client.post("/api/tickets", json={"service": SERVICE}, headers=kiosk_headers).get_json()
    clock(1)
    client.post("/api/tickets", json={"service": SERVICE}, headers=kiosk_headers)
    moved = client.post(f"/api/tickets/{mine['token']}/let-next-go-first")
    assert moved.status_code == 200 and (moved.get_json()["number"], moved.get_json()["ahead"]) == (mine["number"], 1)
    client.post(f"/api/tickets/{mine['token']}/let-next-go-first")   # nobody behind now
    assert_error(client.post(f"/api/tickets/{mine['token']}/let-next-go-first"), 409, "nobody_behind")
    assert_error(client.post("/api/tickets/forged/let-next-go-first"), 404, "unknown_ticket")


def test_slip_and_calendar_follow_the_language_chosen_on_the_page(client, clock):
    body = book(client).get_json()
    english_phone = {"Accept-Language": "en"}
    slip = client.get(f"/api/bookings/{body['token']}/pdf?lang=id", headers=english_phone)
    assert slip.status_code == 200
    ics = client.get(f"/api/calendar/{body['token']}.ics?lang=id", headers=english_phone).data.decode()
    assert "Kode booking" in ics
    assert "Booking code" in client.get(f"/api/calendar/{body['token']}.ics", headers=english_phone).data.decode()


def test_a_visitor_confirms_they_will_come(client, clock):
    body = book(client).get_json()
    assert client.get(f"/api/bookings/{body['token']}").get_json()["confirmed"] is False
    confirmed = client.post(f"/api/bookings/{body['token']}/confirm")
    assert confirmed.status_code == 200 and confirmed.get_json()["confirmed"] is True
    assert client.post(f"/api/bookings/{body['token']}/confirm").get_json()["confirmed"] is True   # again: same
    client.post(f"/api/bookings/{body['token']}/cancel")
    assert_error(client.post(f"/api/bookings/{body['token']}/confirm"), 409, "invalid_state")
