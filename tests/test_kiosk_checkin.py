"""Check-in at the kiosk: a booked visitor types the code or scans the booking's QR and gets a
ticket, or is told when to come back, or is offered a walk-in ticket; a scanned ticket link at
the same field lets an invited visitor in."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shared.domain.bookings import CODE_ALPHABET
from shared.services import bookings as booking_service
from shared.views import tickets as ticket_views
from tests.test_pages import csrf_of, register_kiosk

WIB = ZoneInfo("Asia/Jakarta")
DAY = "2026-12-07"
BOOKED_AT = datetime(2026, 12, 7, 8, 0, tzinfo=WIB)     # booked at 08:00 for the 10:00 slot
ON_TIME = datetime(2026, 12, 7, 9, 50, tzinfo=WIB)      # check-in is open 09:30-10:15
TOO_EARLY = datetime(2026, 12, 7, 9, 0, tzinfo=WIB)
TOO_LATE = datetime(2026, 12, 7, 10, 20, tzinfo=WIB)


@pytest.fixture
def office(app):
    office = app.extensions["antrean.office"]
    office.clock = lambda: BOOKED_AT
    return office


@pytest.fixture
def kiosk(app, client, demo, office):
    """The test client as a registered kiosk (the office clock at 08:00 on the booking day)."""
    register_kiosk(client, demo)
    return client


def book(office, service="perizinan_berusaha", lane="general", day=DAY, start="10:00"):
    db = office.store.connect()
    try:
        return booking_service.book(office, db, service=service, day=day, start=start, lane=lane)
    finally:
        db.close()


def book_by_api(app, service="izin_kesehatan", lane="general", start="10:00") -> dict:
    """Through `POST /api/bookings` (its own client: the kiosk's session cookie would want CSRF)."""
    response = app.test_client().post("/api/bookings", json={"service": service, "date": DAY, "start": start,
                                                             "lane": lane})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def check_in(client, code: str):
    page = client.get("/kiosk/checkin").get_data(as_text=True)
    return client.post("/kiosk/checkin", data={"code": code, "csrf_token": csrf_of(page)})


def check_in_at(client, office, moment: datetime, code: str) -> tuple[int, str]:
    """Check in with the office clock at `moment`: the answer's status and page."""
    office.clock = lambda: moment
    response = check_in(client, code)
    return response.status_code, response.get_data(as_text=True)


def ticket_behind(app, office, location: str):
    token = location.rsplit("/kiosk/tickets/", 1)[1]
    ticket_id = app.extensions["antrean.tokens"].read(token, office.clock())
    db = office.store.connect()
    try:
        return ticket_views.find(db, ticket_id)
    finally:
        db.close()


def test_start_screen_leads_to_the_check_in_page(kiosk):
    home = kiosk.get("/kiosk/").get_data(as_text=True)
    assert "Saya sudah booking" in home and 'href="/kiosk/checkin"' in home
    page = kiosk.get("/kiosk/checkin").get_data(as_text=True)
    assert '<html lang="id">' in page and "Kode booking" in page
    field = re.search(r"<input id=\"checkin-code\"[^>]*>", page, re.S).group(0)
    assert "autofocus" in field and 'name="code"' in field
    assert "inputmode" not in field, "the field itself must take typing; only the script hides a tablet keyboard"
    keys = re.findall(r'data-key="([^"]+)"', page)
    assert keys == [*CODE_ALPHABET, "backspace"]
    assert 'type="submit"' in page and 'name="csrf_token"' in page, "works without the script too"
    assert "I have a booking" in kiosk.get("/kiosk/checkin?lang=en").get_data(as_text=True)


def test_only_a_registered_kiosk_checks_in(client, office):
    assert client.get("/kiosk/checkin").status_code == 401
    assert client.post("/kiosk/checkin", data={"code": "AAAAAA"}).status_code in (400, 401)


def test_the_form_needs_its_csrf_token(kiosk):
    response = kiosk.post("/kiosk/checkin", data={"code": "AAAAAA"})
    assert response.status_code == 400 and "Mohon maaf" in response.get_data(as_text=True)


def test_typed_code_on_time_gives_an_appointment_ticket(app, kiosk, office):
    booking = book(office)
    office.clock = lambda: ON_TIME
    typed = f" {booking.code[:3].lower()} {booking.code[3:].lower()} "
    response = check_in(kiosk, typed)
    assert response.status_code == 302 and "/kiosk/tickets/" in response.headers["Location"]
    ticket = ticket_behind(app, office, response.headers["Location"])
    assert (ticket.channel, ticket.service, ticket.number) == ("appointment", "perizinan_berusaha", "A-001")
    page = kiosk.get(response.headers["Location"]).get_data(as_text=True)
    assert "A-001" in page and 'id="printed-ticket"' in page, "it prints like a walk-in ticket"
    again = check_in(kiosk, booking.code)
    assert again.headers["Location"] == response.headers["Location"], "a second check-in: the same ticket"


def test_scanned_booking_link_on_time_gives_an_appointment_ticket(app, kiosk, office):
    booked = book_by_api(app)
    assert "/booking/" in booked["manage_url"]
    office.clock = lambda: ON_TIME
    response = check_in(kiosk, booked["manage_url"])
    assert response.status_code == 302
    ticket = ticket_behind(app, office, response.headers["Location"])
    assert (ticket.channel, ticket.service, ticket.number) == ("appointment", "izin_kesehatan", "B-001")


def test_too_early_says_when_to_come_back(kiosk, office):
    status, page = check_in_at(kiosk, office, TOO_EARLY, book(office).code)
    assert status == 409 and "<title>Belum waktunya lapor hadir" in page
    assert "Anda datang terlalu awal" in page and "07-12-2026 09:30 WIB" in page
    assert re.search(r'id="come-back-time">09:30 WIB<', page)
    assert re.search(r'id="come-back-day">Hari ini<', page)
    assert 'id="kiosk-setup"' in page, "the page returns to the start when idle"


def test_too_early_on_another_day_names_the_day(kiosk, office):
    page = check_in(kiosk, book(office, day="2026-12-08").code).get_data(as_text=True)
    assert re.search(r'id="come-back-time">09:30 WIB<', page)
    assert re.search(r'id="come-back-day">Selasa, 08 Desember 2026<', page)


def test_too_late_offers_a_walk_in_ticket_in_one_tap(app, kiosk, office):
    booked = book_by_api(app, service="perizinan_berusaha", lane="senior")
    status, page = check_in_at(kiosk, office, TOO_LATE, booked["manage_url"])
    assert status == 409 and "<title>Mohon maaf" in page and "Waktu booking ini sudah lewat" in page
    form = re.search(r'<form method="post" action="/kiosk/tickets".*?</form>', page, re.S).group(0)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert fields["service"] == "perizinan_berusaha" and fields["lane"] == "senior" and fields["request_key"]
    assert "Ambil tiket antrean biasa" in form and "Lansia" in form
    taken = kiosk.post("/kiosk/tickets", data=fields)
    assert taken.status_code == 302
    ticket = ticket_behind(app, office, taken.headers["Location"])
    assert (ticket.channel, ticket.service, ticket.lane) == ("walk_in", "perizinan_berusaha", "senior")


def test_too_late_with_a_typed_code_also_offers_the_walk_in_ticket(kiosk, office):
    status, page = check_in_at(kiosk, office, TOO_LATE, book(office).code)
    assert status == 409 and "Waktu booking ini sudah lewat" in page
    form = re.search(r'<form method="post" action="/kiosk/tickets".*?</form>', page, re.S).group(0)
    assert dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))["service"] == "perizinan_berusaha"


def test_unknown_code_keeps_the_keypad_and_what_was_typed(kiosk, office):
    response = check_in(kiosk, "kx7 mpa")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Kode booking ini tidak dikenal" in page and 'role="alert"' in page
    assert 'value="kx7 mpa"' in page and 'data-key="backspace"' in page
    scanned = check_in(kiosk, "http://kiosk.local/booking/forged.token").get_data(as_text=True)
    assert "tidak dikenal" in scanned and "forged" not in scanned, "a scanned link is not put back in the field"


def test_scanned_ticket_link_lets_an_invited_visitor_in(app, kiosk, office):
    office.clock = lambda: ON_TIME
    joined = app.test_client().post("/api/remote-tickets", json={"service": "perizinan_berusaha"})
    assert joined.status_code == 201 and joined.get_json()["status"] == "invited", joined.get_json()
    response = check_in(kiosk, joined.get_json()["status_url"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Silakan masuk" in page and joined.get_json()["number"] in page
    assert app.test_client().get(f"/api/tickets/{joined.get_json()['token']}").get_json()["status"] == "waiting"


def test_check_in_shares_the_kiosk_ticket_limit(kiosk, office, kiosk_headers):
    statuses = {kiosk.post("/api/tickets", json={"service": "perizinan_berusaha"}, headers=kiosk_headers).status_code
                for _ in range(60)}
    assert statuses == {201}
    assert check_in(kiosk, "AAAAAA").status_code == 429
