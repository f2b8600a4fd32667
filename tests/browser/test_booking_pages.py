"""The public booking pages on a phone: book a slot, keep its code and QR, get the slip, cancel;
join the line from home; no accessibility violations; screenshots at phone and kiosk size."""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from .conftest import PHONE, assert_no_page_problems, shoot
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

SERVICE = "perizinan_berusaha"
START, FULL_START = "10:00", "10:30"
BOOKABLE = 3   # the demo's 6 places a slot × bookable share 0.5
TALL_SCREEN = {"width": 1080, "height": 1920}


def tomorrow() -> str:
    """Tomorrow in the demo office's zone: all of its slots are bookable, whatever the time now."""
    return (datetime.now(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=1)).isoformat()


def api_book(server, start: str) -> dict:
    response = requests.post(f"{server.base_url}/api/bookings", timeout=10,
                             json={"service": SERVICE, "date": tomorrow(), "start": start, "lane": "general"})
    assert response.status_code == 201, response.text
    return response.json()


def remaining(server, start: str = START) -> int:
    slots = requests.get(f"{server.base_url}/api/slots", params={"service": SERVICE, "date": tomorrow()},
                         timeout=10).json()
    return next(slot["remaining"] for slot in slots if slot["start"] == start)


def fits_the_screen(page: Page) -> bool:
    """Nothing scrolls sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def go(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def test_a_visitor_books_on_a_phone_keeps_the_code_and_cancels(live_server, contexts, page_problems):
    for _ in range(BOOKABLE):
        api_book(live_server, FULL_START)                 # someone took every place at 10:30
    page = contexts.new(**PHONE).new_page()
    page.goto(f"{live_server.base_url}/booking")
    expect(page.locator("h1")).to_have_text("Booking kunjungan")
    assert fits_the_screen(page)
    shoot(page, "booking-landing")

    go(page, page.locator("a.option--service", has_text="Perizinan Berusaha"))
    expect(page.locator("h1")).to_have_text("Pilih hari")
    shoot(page, "booking-day")
    go(page, page.locator(f"button[name=date][value='{tomorrow()}']"))

    expect(page.locator("h1")).to_have_text("Pilih jam")
    expect(page.locator(f"button[value='{FULL_START}']")).to_be_disabled()
    expect(page.locator(f"button[value='{FULL_START}']")).to_contain_text("Penuh")
    expect(page.locator(f"button[value='{START}']")).to_contain_text(f"Sisa tempat: {BOOKABLE}")
    assert fits_the_screen(page)
    shoot(page, "booking-time")
    go(page, page.locator(f"button[value='{START}']"))

    expect(page.locator("h1")).to_have_text("Pilih jalur antrean Anda")
    shoot(page, "booking-lane")
    go(page, page.locator("button[value=senior]"))

    page.get_by_label("Nomor HP atau e-mail").fill("0812 3456 7890")
    shoot(page, "booking-contact")
    go(page, page.get_by_role("button", name="Berikutnya"))

    expect(page.locator("h1")).to_have_text("Periksa dan konfirmasi")
    shoot(page, "booking-confirm")
    go(page, page.get_by_role("button", name="Konfirmasi booking"))

    assert re.search(r"/booking/[^/]+$", page.url), page.url
    code = page.locator("#booking-code")
    expect(code).to_have_text(re.compile(r"^[A-Z0-9]{3} [A-Z0-9]{3}$"))
    expect(page.locator(".booking-card__qr svg")).to_be_visible()
    expect(page.locator("#booking-status")).to_have_text("Terjadwal")
    assert fits_the_screen(page)
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#booking-code')).fontSize)") >= 40
    shoot(page, "booking-manage")
    assert remaining(live_server) == BOOKABLE - 1

    slip = page.request.get(live_server.base_url + page.locator("#booking-pdf").get_attribute("href"))
    assert slip.status == 200 and slip.headers["content-type"] == "application/pdf"
    assert slip.body().startswith(b"%PDF")

    go(page, page.locator("#booking-cancel"))
    expect(page.locator("h1")).to_have_text("Batalkan booking ini?")
    shoot(page, "booking-cancel")
    go(page, page.locator("#cancel-yes"))
    expect(page.locator("#booking-status")).to_have_text("Dibatalkan")
    expect(page.locator(".booking-card__qr")).to_have_count(0)
    shoot(page, "booking-cancelled")
    assert remaining(live_server) == BOOKABLE
    assert_no_page_problems(page_problems)


def test_the_online_line_button_leads_to_the_live_status_page(live_server, contexts, page_problems):
    page = contexts.new(**PHONE).new_page()
    page.goto(f"{live_server.base_url}/booking")
    go(page, page.get_by_role("link", name=re.compile(r"^Antre dari rumah\W+Izin Kesehatan$")))
    expect(page.locator("h1")).to_have_text("Antre dari rumah")
    shoot(page, "booking-line")
    with page.expect_websocket(lambda ws: "/socket.io/" in ws.url):
        go(page, page.locator("button[value=general]"))
    assert "/t/" in page.url
    expect(page.locator(".status-card__number")).to_have_text("B-001")
    assert_no_page_problems(page_problems)


def test_booking_pages_have_no_accessibility_violations(live_server, contexts):
    for _ in range(BOOKABLE):
        api_book(live_server, FULL_START)
    token = api_book(live_server, START)["token"]
    base = live_server.base_url
    screens = {
        "booking-a11y-landing": "/booking",
        "booking-a11y-landing-en": "/booking?lang=en",
        "booking-a11y-time": f"/booking/new/{SERVICE}?date={tomorrow()}",
        "booking-a11y-lane": f"/booking/new/{SERVICE}?date={tomorrow()}&start={START}",
        "booking-a11y-confirm": f"/booking/new/{SERVICE}?date={tomorrow()}&start={START}&lane=senior&contact=",
        "booking-a11y-manage": f"/booking/{token}",
        "booking-a11y-unknown": "/booking/forged.token",
        "booking-a11y-line": "/booking/line/izin_kesehatan",
    }
    context = contexts.new(**PHONE, bypass_csp=True)
    for name, path in screens.items():
        page = context.new_page()
        page.goto(base + path)
        page.locator("h1").wait_for()
        assert fits_the_screen(page), f"{name} scrolls sideways"
        shoot(page, name)
        passes, violations = axe_violations(page)
        assert passes > 10, "axe did not really run"
        assert not violations, report(name, violations)
        page.close()


def test_booking_pages_on_a_tall_screen(live_server, contexts):
    """A kiosk-sized portrait screen (1080×1920): the one column stays centred and readable."""
    token = api_book(live_server, START)["token"]
    page = contexts.new(viewport=TALL_SCREEN).new_page()
    for name, path in {"booking-tall-landing": "/booking", "booking-tall-manage": f"/booking/{token}",
                       "booking-tall-time": f"/booking/new/{SERVICE}?date={tomorrow()}"}.items():
        page.goto(live_server.base_url + path)
        assert fits_the_screen(page)
        shoot(page, name, full_page=False)
