"""The phone lets a visitor who is not ready yet give their turn to the next person, keeping the ticket."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, open_status_page, shoot

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_let_the_next_person_go_first(live_server, contexts, page_problems):
    mine = api_ticket(live_server)
    behind = api_ticket(live_server)
    phone, _navigations, _texts = open_status_page(contexts.new(**PHONE), mine["status_url"])
    expect(phone.locator("#status-ahead")).to_have_text("0")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Belum siap? Persilakan orang berikutnya lebih dulu").click()
    expect(phone.locator(".flash--info")).to_have_text("Orang di belakang Anda dilayani lebih dulu. Tiket Anda tetap berlaku.")
    expect(phone.locator(".status-card__number")).to_have_text("A-001")
    expect(phone.locator("#status-ahead")).to_have_text("1")
    shoot(phone, "phone-let-next-go-first")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    officer = api_staff_headers(live_server, "petugas")
    assert api_counter(live_server, officer, 1)["number"] == behind["number"]
    expect(phone.locator("#status-ahead")).to_have_text("0")   # live again after the reload
    with phone.expect_navigation():
        phone.get_by_role("button", name="Belum siap? Persilakan orang berikutnya lebih dulu").click()
    expect(phone.locator(".flash--error")).to_have_text("Tidak ada orang tepat di belakang Anda yang dapat didahulukan.")
    assert_no_page_problems(page_problems)
