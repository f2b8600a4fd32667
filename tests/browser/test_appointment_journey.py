"""An appointment from end to end, as the visitor lives it: booked on a phone through the booking
pages, the code typed on the kiosk's keypad, called to a counter on the wall display.

The office is the demo with `cutoff_min = 0` (see test_kiosk_checkin.py): the slot that starts
next can then be booked now and, unless it is tomorrow's first slot, checked in now.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, WALL_SCREEN, api_counter, api_staff_headers, register_kiosk, shoot, wait_display_ready
from .test_booking_pages import go
from .test_kiosk_checkin import PORTRAIT, office, open_check_in, tap_code  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.server]

SERVICE_NAME = "Konsultasi & Pengaduan"   # konsultasi, called at counter 6


def test_booked_on_a_phone_checked_in_at_the_kiosk_called_on_the_wall(office, contexts):  # noqa: F811
    phone = contexts.new(**PHONE).new_page()
    phone.goto(f"{office.base_url}/booking")
    go(phone, phone.locator("a.option--service", has_text=SERVICE_NAME))
    go(phone, phone.locator("button[name=date]:not([disabled])").first)   # the first day with free time
    go(phone, phone.locator("button[name=start]:not([disabled])").first)   # the slot that starts next
    go(phone, phone.locator("button[value=general]"))
    go(phone, phone.get_by_role("link", name=re.compile("Lewati")))
    go(phone, phone.get_by_role("button", name="Konfirmasi booking"))
    code = phone.locator("#booking-code").text_content().replace(" ", "")
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    shoot(phone, "journey-booked")

    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    wall.goto(f"{office.base_url}/display/")
    wait_display_ready(wall)

    kiosk = register_kiosk(contexts.new(viewport=PORTRAIT, has_touch=True), office)
    open_check_in(kiosk)
    tap_code(kiosk, code)
    with kiosk.expect_navigation():
        kiosk.locator("#checkin-ok").tap()
    if "/kiosk/tickets/" not in kiosk.url:
        # From 23:30 WIB the next free slot is tomorrow's first, checked in from midnight: the
        # kiosk says when to come back, and that is the whole journey at this hour.
        expect(kiosk.locator("#come-back-time")).to_have_text("00:00 WIB")
        return
    number = kiosk.locator(".ticket__number, #ticket-number").first.text_content().strip()
    shoot(kiosk, "journey-checked-in")

    officer = api_staff_headers(office, "petugas")
    called = api_counter(office, officer, 6)
    assert called["number"] == number and called["reason"]["rule"] in ("appointment", "arrival")
    expect(wall.locator("#latest-number")).to_have_text(number)
    shoot(wall, "journey-called")
