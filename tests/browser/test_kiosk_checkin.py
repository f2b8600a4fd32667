"""Check-in at the kiosk in a real browser: a booked visitor taps the code on the keypad and gets a
ticket, the wall shows it called; a scanned booking QR that is too early says when to come back.

The office is the demo with one change: a slot may be booked until it starts (`cutoff_min = 0`).
With the demo's hour of cutoff a booking made now could never be checked in now (check-in opens
30 minutes before the slot), so no test could reach the ticket. The slot that starts next is then
at most 30 minutes away, and check-in for it is open at any time of day, except from 23:30 WIB,
when it is tomorrow's first slot: the test then expects the too-early page instead.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.live import Server, demo_instance

from .conftest import (
    WALL_SCREEN, api_counter, api_staff_headers, assert_no_page_problems, printed_tickets, register_kiosk, shoot,
    wait_display_ready,
)
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

WIB = ZoneInfo("Asia/Jakarta")
PORTRAIT = {"width": 1080, "height": 1920}
SERVICE = "perizinan_berusaha"
# 404 (unknown code) and 409 (too early) pages are answers, not faults of the page.
STATUS_ANSWERS = r"status of (404|409)"


@pytest.fixture
def office(tmp_path, servers) -> Server:
    instance = demo_instance(tmp_path / "checkin-instance")
    settings = instance / "office.toml"
    text = settings.read_text(encoding="utf-8")
    assert "\ncutoff_min = 60\n" in text
    settings.write_text(text.replace("\ncutoff_min = 60\n", "\ncutoff_min = 0\n"), encoding="utf-8")
    return servers(instance)


def book(server: Server, service: str, day: date, start: str) -> dict:
    response = requests.post(f"{server.base_url}/api/bookings", timeout=10,
                             json={"service": service, "date": day.isoformat(), "start": start, "lane": "general"})
    assert response.status_code == 201, response.text
    return response.json()


def book_next_slot(server: Server, service: str) -> tuple[dict, bool]:
    """Book the slot that starts next; whether its check-in is open now (it is, unless it is tomorrow's)."""
    today = datetime.now(WIB).date()
    for day in (today, today + timedelta(days=1)):
        slots = requests.get(f"{server.base_url}/api/slots", params={"service": service, "date": day.isoformat()},
                             timeout=10).json()
        free = [slot for slot in slots if slot["remaining"] > 0]
        if free:
            return book(server, service, day, free[0]["start"]), day == datetime.now(WIB).date()
    raise AssertionError("no free slot today or tomorrow")


def open_check_in(page: Page) -> None:
    page.locator("#booking-entry").tap()
    page.wait_for_url(re.compile(r"/kiosk/checkin$"))
    expect(page.locator("#checkin-keypad")).to_be_visible()
    expect(page.locator("#checkin-code")).to_be_focused()


def tap_code(page: Page, code: str) -> None:
    for character in code:
        page.locator(f'#checkin-keypad [data-key="{character}"]').tap()


def assert_big_keys(page: Page) -> None:
    for key in page.locator("#checkin-keypad button").all() + [page.locator("#checkin-ok")]:
        box = key.bounding_box()
        assert box["width"] >= 64 and box["height"] >= 64, f"{key.inner_text()!r} is {box}"


def assert_no_axe_violations(page: Page, name: str) -> None:
    passes, violations = axe_violations(page)
    assert passes > 10, "axe did not really run"
    assert not violations, report(name, violations)


def test_booked_visitor_checks_in_on_the_keypad_and_is_called(office, contexts, page_problems, pdf_requests):
    base = office.base_url
    booked, open_now = book_next_slot(office, SERVICE)
    later = book(office, "izin_kesehatan", datetime.now(WIB).date() + timedelta(days=2), "12:00")

    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    wall.goto(f"{base}/display/")
    wait_display_ready(wall)

    kiosk = register_kiosk(contexts.new(viewport=PORTRAIT, has_touch=True), office)
    expect(kiosk.locator("#booking-entry")).to_contain_text("Saya sudah booking")
    shoot(kiosk, "checkin-home-portrait")
    open_check_in(kiosk)
    assert_big_keys(kiosk)

    # A wrong key and backspace, then the code; the field keeps the focus for the scanner.
    tap_code(kiosk, "A")
    kiosk.locator('#checkin-keypad [data-key="backspace"]').tap()
    tap_code(kiosk, booked["code"])
    expect(kiosk.locator("#checkin-code")).to_have_value(booked["code"])
    expect(kiosk.locator("#checkin-code")).to_be_focused()
    kiosk.wait_for_timeout(300)   # the keys' press flash has passed
    shoot(kiosk, "checkin-typed-portrait")
    kiosk.locator("#checkin-ok").tap()

    if open_now:
        kiosk.wait_for_url(re.compile(r"/kiosk/tickets/"))
        number = kiosk.locator("#ticket-number").inner_text().strip()
        assert number == "A-001"
        kiosk.wait_for_function("() => (window.__antreanPrinted || []).length > 0")
        assert [ticket["number"] for ticket in printed_tickets(kiosk)] == [number], \
            "the appointment ticket prints like a walk-in one"
        shoot(kiosk, "checkin-ticket-portrait")

        called = api_counter(office, api_staff_headers(office), 1)
        assert called["number"] == number
        expect(wall.locator("#latest-number")).to_have_text(number)
        shoot(wall, "checkin-display-called")
    else:
        expect(kiosk.locator("#come-back-time")).to_be_visible()

    # The booking slip's QR at the scanner: it types the link and Enter. Two days ahead: too early.
    kiosk.goto(f"{base}/kiosk/checkin")
    kiosk.keyboard.type(later["manage_url"])
    with kiosk.expect_navigation():
        kiosk.keyboard.press("Enter")
    expect(kiosk.locator("h1")).to_have_text("Belum waktunya lapor hadir")
    expect(kiosk.locator("#come-back-time")).to_have_text("11:30 WIB")
    expect(kiosk.locator("#checkin-message")).to_contain_text("Anda datang terlalu awal")
    shoot(kiosk, "checkin-too-early-portrait")

    # An unknown code: said plainly, the keypad stays, the code can be corrected.
    kiosk.goto(f"{base}/kiosk/checkin")
    tap_code(kiosk, "WWWWWW")
    with kiosk.expect_navigation():
        kiosk.locator("#checkin-ok").tap()
    expect(kiosk.locator("#checkin-error")).to_contain_text("Kode booking ini tidak dikenal")
    expect(kiosk.locator("#checkin-code")).to_have_value("WWWWWW")
    expect(kiosk.locator("#checkin-code")).to_be_focused()
    kiosk.locator('#checkin-keypad [data-key="backspace"]').tap()
    expect(kiosk.locator("#checkin-code")).to_have_value("WWWWW")
    kiosk.wait_for_timeout(300)
    shoot(kiosk, "checkin-unknown-portrait")
    assert_no_page_problems(page_problems, ignore=STATUS_ANSWERS)


def test_one_field_at_the_door_also_lets_invited_visitors_in(office, contexts, page_problems):
    joined = requests.post(f"{office.base_url}/api/remote-tickets", json={"service": SERVICE}, timeout=10).json()
    assert joined["status"] == "invited", joined
    kiosk = register_kiosk(contexts.new(viewport=PORTRAIT), office)
    kiosk.goto(f"{office.base_url}/kiosk/checkin")
    # A stray touch left the focus on a key: the scanner's characters still reach the field.
    kiosk.locator('#checkin-keypad [data-key="A"]').focus()
    kiosk.keyboard.type(joined["status_url"])
    expect(kiosk.locator("#checkin-code")).to_have_value(joined["status_url"])
    with kiosk.expect_navigation():
        kiosk.keyboard.press("Enter")
    expect(kiosk.locator("h1")).to_have_text("Silakan masuk")
    expect(kiosk.locator(".ticket-card__number")).to_have_text(joined["number"])
    assert_no_page_problems(page_problems)


def test_check_in_pages_go_back_to_the_start_when_idle(office, contexts):
    later = book(office, SERVICE, datetime.now(WIB).date() + timedelta(days=2), "12:00")
    context = contexts.new(viewport=PORTRAIT)
    register_kiosk(context, office).close()
    for submit in (False, True):
        page = context.new_page()
        page.clock.install()
        page.goto(f"{office.base_url}/kiosk/checkin")
        if submit:
            page.locator("#checkin-code").fill(later["code"])
            with page.expect_navigation():
                page.locator("#checkin-ok").click()
            expect(page.locator("#come-back-time")).to_be_visible()
        page.clock.fast_forward("00:19")
        assert "/kiosk/checkin" in page.url, "not before idle_seconds (20)"
        expect(page.locator("#idle-warning")).to_be_hidden()
        page.clock.fast_forward("00:02")
        expect(page.locator("#idle-warning")).to_be_visible()   # then 20 s to say "I am still here"
        page.clock.fast_forward("00:18")
        assert "/kiosk/checkin" in page.url
        with page.expect_navigation(url=re.compile(r"/kiosk/\?lang=id&access=off$")):
            page.clock.fast_forward("00:03")
        page.close()


def test_check_in_screens_in_landscape(office, contexts, page_problems):
    later = book(office, SERVICE, datetime.now(WIB).date() + timedelta(days=2), "12:00")
    kiosk = register_kiosk(contexts.new(viewport=WALL_SCREEN, has_touch=True), office)
    shoot(kiosk, "checkin-home-landscape")
    open_check_in(kiosk)
    assert_big_keys(kiosk)
    keypad, field = kiosk.locator("#checkin-keypad").bounding_box(), kiosk.locator("#checkin-code").bounding_box()
    assert keypad["x"] > field["x"] + field["width"] - 1, "the keypad stands beside the field"
    ok = kiosk.locator("#checkin-ok").bounding_box()
    assert ok["y"] + ok["height"] <= WALL_SCREEN["height"], "OK is on the screen without scrolling"
    shoot(kiosk, "checkin-landscape", full_page=False)
    tap_code(kiosk, later["code"])
    with kiosk.expect_navigation():
        kiosk.locator("#checkin-ok").tap()
    expect(kiosk.locator("#come-back-time")).to_have_text("11:30 WIB")
    shoot(kiosk, "checkin-too-early-landscape", full_page=False)
    assert_no_page_problems(page_problems, ignore=STATUS_ANSWERS)


def test_check_in_pages_have_no_accessibility_violations(office, contexts):
    later = book(office, SERVICE, datetime.now(WIB).date() + timedelta(days=2), "12:00")
    kiosk = register_kiosk(contexts.new(viewport=PORTRAIT, bypass_csp=True), office)
    kiosk.goto(f"{office.base_url}/kiosk/checkin")
    expect(kiosk.locator("#checkin-keypad")).to_be_visible()
    assert_no_axe_violations(kiosk, "kiosk check-in")

    kiosk.goto(f"{office.base_url}/kiosk/checkin")
    kiosk.locator("#checkin-code").fill(later["code"])
    with kiosk.expect_navigation():
        kiosk.locator("#checkin-ok").click()
    expect(kiosk.locator("#come-back-time")).to_be_visible()
    assert_no_axe_violations(kiosk, "kiosk check-in, too early")

    kiosk.goto(f"{office.base_url}/kiosk/checkin")
    kiosk.locator("#checkin-code").fill("WWWWWW")
    with kiosk.expect_navigation():
        kiosk.locator("#checkin-ok").click()
    expect(kiosk.locator("#checkin-error")).to_be_visible()
    assert_no_axe_violations(kiosk, "kiosk check-in, unknown code")

    kiosk.goto(f"{office.base_url}/kiosk/checkin?lang=en")
    expect(kiosk.locator("h1")).to_have_text("I have a booking")
    assert_no_axe_violations(kiosk, "kiosk check-in, English")
