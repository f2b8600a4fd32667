"""The public booking pages through the test client: the flow step by step, refusals shown on
their step with nothing lost, the booking's own page, cancelling, moving, and the online line.

The office's clock stands at Monday 7 December 2026, 08:00 WIB, so the days offered and their
names are known; the visitor books Tuesday's 10:00 slot (3 of its 6 places may be booked).
"""
from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import pytest

from shared.clock import ManualClock
from shared.web import create_app
from tests.test_pages import csrf_of

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)   # Monday 08:00 WIB
SERVICE = "perizinan_berusaha"
DAY, START = "2026-12-08", "10:00"
BOOKABLE = 3   # slot_capacity 6 × bookable_share 0.5


class Forms(HTMLParser):
    """The forms of a page as a browser would send them: action, method, fields and buttons."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action"), "method": attrs.get("method", "get"),
                               "fields": {}, "buttons": []})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "button" and self.forms:
            self.forms[-1]["buttons"].append({"name": attrs.get("name"), "value": attrs.get("value"),
                                              "disabled": "disabled" in attrs})


def only_form(html: str) -> dict:
    forms = Forms(html).forms
    assert len(forms) == 1, forms
    return forms[0]


def press(client, html: str, name: str | None = None, value: str | None = None, **typed):
    """Submit the page's form with the button `name=value` (or its only submit button)."""
    form = only_form(html)
    data = {**form["fields"], **typed}
    if name is not None:
        button = next(b for b in form["buttons"] if b["name"] == name and b["value"] == value)
        assert not button["disabled"], f"{name}={value} is disabled"
        data[name] = value
    if form["method"] == "post":
        return client.post(form["action"], data=data)
    return client.get(form["action"], query_string=data)


def remaining(client, start: str = START, day: str = DAY) -> int:
    slots = client.get(f"/api/slots?service={SERVICE}&date={day}").get_json()
    return next(slot["remaining"] for slot in slots if slot["start"] == start)


def api_book(client, start: str = START, contact: str | None = None) -> dict:
    body = {"service": SERVICE, "date": DAY, "start": start, "lane": "general"}
    if contact:
        body["contact"] = contact
    response = client.post("/api/bookings", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def confirm_page(client, contact: str = "", lane: str = "general") -> str:
    response = client.get(f"/booking/new/{SERVICE}", query_string={"date": DAY, "start": START, "lane": lane,
                                                                 "contact": contact})
    assert response.status_code == 200 and "Periksa dan konfirmasi" in response.get_data(as_text=True)
    return response.get_data(as_text=True)


def office_with(instance_dir, old: str, new: str):
    config = instance_dir / "office.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": ManualClock(NOW)},
                      instance_path=instance_dir)


@pytest.fixture
def app(instance_dir):
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": ManualClock(NOW)},
                      instance_path=instance_dir)


def test_landing_offers_every_service_to_book_and_the_online_line(client):
    page = client.get("/booking").get_data(as_text=True)
    assert '<html lang="id">' in page and "Booking kunjungan" in page and "Perizinan Berusaha" in page
    assert page.count('href="/booking/new/') == 6 and page.count('href="/booking/line/') == 6
    assert "HP Anda memberi tahu kapan harus datang" in page
    english = client.get("/booking?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Join the line from home" in english and "Business licensing" in english


def test_landing_without_booking_says_so_and_shows_the_alternatives(instance_dir):
    client = office_with(instance_dir, "[booking]\nenabled = true", "[booking]\nenabled = false").test_client()
    page = client.get("/booking").get_data(as_text=True)
    assert "Kantor ini tidak menerima booking." in page and "OSS - Online Single Submission" in page
    assert 'href="/booking/new/' not in page and 'href="/booking/line/' in page   # the line stays on
    assert client.get(f"/booking/new/{SERVICE}").headers["Location"].endswith("/booking")


def test_the_whole_flow_books_step_by_step(client):
    days = client.get(f"/booking/new/{SERVICE}").get_data(as_text=True)
    assert "Langkah 2 dari 6" in days and "Pilih hari" in days
    assert "Senin, 7 Desember 2026" in days and "Hari ini" in days and "Selasa, 8 Desember 2026" in days

    times = press(client, days, "date", DAY).get_data(as_text=True)
    assert "Pilih jam" in times and f"Sisa tempat: {BOOKABLE}" in times and "WIB" in times

    lanes = press(client, times, "start", START).get_data(as_text=True)
    assert "Pilih jalur antrean Anda" in lanes and "Lansia (60+)" in lanes
    assert lanes.count("Petugas dapat meminta bukti") == 4, "each priority lane (the declared one too) says proof may be asked"
    assert "Ibu Hamil &amp; Anak" in lanes and "balita" in lanes

    contact = press(client, lanes, "lane", "senior").get_data(as_text=True)
    assert '<label for="contact">Nomor HP atau e-mail</label>' in contact and "tidak wajib" in contact

    confirm = press(client, contact, contact="0812-3456-7890").get_data(as_text=True)
    assert "Selasa, 8 Desember 2026" in confirm and "10:00–10:30 WIB" in confirm and "0812-3456-7890" in confirm

    booked = press(client, confirm)
    assert booked.status_code == 302 and "/booking/" in booked.headers["Location"]
    page = client.get(booked.headers["Location"]).get_data(as_text=True)
    code = client.get("/api/bookings/" + booked.headers["Location"].rsplit("/", 1)[1]).get_json()["code"]
    assert f"{code[:3]} {code[3:]}" in page and " ".join(code) in page, "spaced, and spelt out for screen readers"
    assert "Booking Anda sudah tercatat." in page and "Terjadwal" in page and "<svg" in page
    assert "/pdf" in page and ".ics" in page and "Lansia (60+)" in page
    assert remaining(client) == BOOKABLE - 1


def test_skipping_the_contact_books_without_one(client):
    contact = client.get(f"/booking/new/{SERVICE}", query_string={"date": DAY, "start": START, "lane": "general"})
    skip = next(part for part in contact.get_data(as_text=True).split('href="')[1:] if "contact=" in part)
    confirm = client.get(skip.split('"', 1)[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "Tanpa pengingat" in confirm
    assert press(client, confirm).status_code == 302


def test_a_full_slot_shows_the_times_again_with_the_choices_kept(client):
    confirm = confirm_page(client, contact="warga@contoh.id", lane="disability")
    for _ in range(BOOKABLE):
        api_book(client)
    response = press(client, confirm)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Jam ini sudah penuh. Silakan pilih jam lain." in page and "Pilih jam" in page
    form = only_form(page)
    assert form["fields"] == {"date": DAY, "lane": "disability", "contact": "warga@contoh.id"}
    assert next(b for b in form["buttons"] if b["value"] == START)["disabled"]
    # another time goes straight back to the confirm page: lane and contact were kept
    again = press(client, page, "start", "11:00").get_data(as_text=True)
    assert "Periksa dan konfirmasi" in again and "warga@contoh.id" in again and "11:00–11:30" in again


def test_a_second_booking_of_the_same_contact_shows_the_confirm_step_again(client):
    api_book(client, start="14:00", contact="0812 3456 7890")
    response = press(client, confirm_page(client, contact="+62 812-3456-7890"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Anda sudah punya booking untuk layanan ini pada hari itu." in page and "Periksa dan konfirmasi" in page
    assert only_form(page)["fields"]["contact"] == "+62 812-3456-7890"


def test_an_unusable_contact_is_explained_on_the_contact_step(client):
    page = client.get(f"/booking/new/{SERVICE}", query_string={"date": DAY, "start": START, "lane": "general",
                                                              "contact": "not a phone"}).get_data(as_text=True)
    assert "Isi nomor HP Indonesia (08…) atau alamat e-mail" in page and 'value="not a phone"' in page
    assert 'aria-invalid="true"' in page
    token = csrf_of(confirm_page(client))
    response = client.post(f"/booking/new/{SERVICE}", data={"csrf_token": token, "date": DAY, "start": START,
                                                            "lane": "general", "contact": "12"})
    assert response.status_code == 422 and "Nomor HP atau e-mail" in response.get_data(as_text=True)


def test_a_stale_choice_sends_the_visitor_back_to_its_step(client):
    past = client.get(f"/booking/new/{SERVICE}?date=2026-12-01&start=10:00&lane=general&contact=")
    assert "Hari itu sudah tidak dapat dibooking." in past.get_data(as_text=True)
    gone = client.get(f"/booking/new/{SERVICE}?date=2026-12-07&start=08:30&lane=general&contact=")
    assert "Jam itu sudah tidak dapat dibooking" in gone.get_data(as_text=True), "inside the hour's cutoff"


def test_the_confirm_form_needs_its_csrf_token(client):
    response = client.post(f"/booking/new/{SERVICE}", data={"date": DAY, "start": START, "lane": "general"})
    assert response.status_code == 400 and remaining(client) == BOOKABLE


def test_the_language_switch_keeps_the_choices(client):
    page = client.get(f"/booking/new/{SERVICE}?date={DAY}&start={START}").get_data(as_text=True)
    assert f'href="/booking/new/{SERVICE}?step=lane&amp;date={DAY}&amp;start=10%3A00&amp;lang=en"' in page


def test_a_forged_booking_link_gets_a_friendly_indonesian_404(client):
    response = client.get("/booking/not-a-real-token")
    page = response.get_data(as_text=True)
    assert response.status_code == 404 and '<html lang="id">' in page
    assert "Tautan booking ini tidak berlaku atau sudah kedaluwarsa." in page and 'href="/booking"' in page
    assert client.get("/api/bookings/not-a-real-token").get_json()["error"]["code"] == "unknown_booking"


def test_cancelling_asks_first_then_frees_the_place(client):
    token = api_book(client)["token"]
    assert remaining(client) == BOOKABLE - 1
    question = client.get(f"/booking/{token}/cancel").get_data(as_text=True)
    assert "Batalkan booking ini?" in question
    done = press(client, question)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/booking/{token}")
    page = client.get(f"/booking/{token}").get_data(as_text=True)
    assert "Dibatalkan" in page and "<svg" not in page and "/cancel" not in page
    assert remaining(client) == BOOKABLE
    assert client.get(f"/booking/{token}/cancel").status_code == 302, "nothing left to cancel"


def test_moving_a_booking_takes_the_new_place_and_frees_the_old(client):
    token = api_book(client)["token"]
    days = client.get(f"/booking/{token}/reschedule").get_data(as_text=True)
    assert "Pilih hari baru" in days
    times = press(client, days, "date", DAY).get_data(as_text=True)
    assert "Booking Anda saat ini" in times
    assert next(b for b in only_form(times)["buttons"] if b["value"] == START)["disabled"], "the current time"
    moved = press(client, times, "start", "13:00")
    assert moved.status_code == 302
    page = client.get(f"/booking/{token}").get_data(as_text=True)
    assert "13:00–13:30" in page and "Booking Anda sudah dipindah ke jam yang baru." in page
    assert remaining(client) == BOOKABLE and remaining(client, "13:00") == BOOKABLE - 1


def test_moving_to_a_full_slot_shows_the_times_again(client):
    token = api_book(client)["token"]
    times = client.get(f"/booking/{token}/reschedule?date={DAY}").get_data(as_text=True)
    for _ in range(BOOKABLE):
        api_book(client, start="15:00")
    response = press(client, times, "start", "15:00")
    assert response.status_code == 409 and "Jam ini sudah penuh" in response.get_data(as_text=True)
    assert remaining(client) == BOOKABLE - 1, "the booking kept its place"


def test_the_online_line_leads_to_the_live_status_page(client):
    page = client.get("/booking/line/izin_kesehatan").get_data(as_text=True)
    assert "Antre dari rumah" in page and "Tenaga Kesehatan" in page
    joined = press(client, page, "lane", "health_worker")
    assert joined.status_code == 302 and "/t/" in joined.headers["Location"]
    status = client.get(joined.headers["Location"])
    assert status.status_code == 200 and "B-001" in status.get_data(as_text=True)


def test_a_closed_online_line_shows_why_and_the_alternatives(instance_dir):
    client = office_with(instance_dir, "[online]\nenabled = true", "[online]\nenabled = false").test_client()
    page = client.get("/booking/line/izin_kesehatan").get_data(as_text=True)
    assert "Antrean daring sedang ditutup" in page and "OSS - Online Single Submission" in page
    assert "<form" not in page
    token = csrf_of(confirm_page(client))   # no form on the page: the session's token from another
    response = client.post("/booking/line/izin_kesehatan", data={"csrf_token": token, "lane": "general"})
    assert response.status_code == 409
    assert "Antrean daring sedang ditutup" in response.get_data(as_text=True)
    assert "Kirim berkas lewat pos atau kurir" in response.get_data(as_text=True)



def test_the_booking_page_takes_a_yes_i_will_come(client):
    from tests.test_pages import csrf_of

    token = client.post("/api/bookings", json={"service": "konsultasi", "date": DAY,
                                               "start": "10:00"}).get_json()["token"]
    page = client.get(f"/booking/{token}").get_data(as_text=True)
    assert "Ya, saya akan datang" in page
    answered = client.post(f"/booking/{token}/confirm", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    text = answered.get_data(as_text=True)
    assert "Terima kasih: kami menunggu Anda pada jam Anda." in text
    assert 'id="booking-confirmed"' in text and "Ya, saya akan datang" not in text
