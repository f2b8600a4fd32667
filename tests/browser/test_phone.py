"""The visitor's phone: the QR link follows the ticket live, a forged link gets a kind 404."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import (
    PHONE, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, open_status_page, shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_status_page_turns_to_called_without_reload(live_server, contexts, page_problems):
    api_ticket(live_server)                      # someone is ahead
    ticket = api_ticket(live_server)             # ours
    assert ticket["number"] == "A-002"

    phone, navigations, texts = open_status_page(contexts.new(**PHONE), ticket["status_url"])
    card = phone.locator("#status-card")
    expect(phone.locator(".status-card__number")).to_have_text("A-002")
    expect(card).to_have_class("status-card status-card--waiting")
    expect(phone.locator("#status-ahead")).to_have_text("1")
    expect(phone.locator("#status-counter")).to_be_hidden()
    expect(phone.locator("#cancel-form button")).to_be_visible()
    # The page fits the phone: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.evaluate("window.__sameDocument = true")
    shoot(phone, "phone-waiting")

    officer = api_staff_headers(live_server, "petugas")
    assert api_counter(live_server, officer, 1)["number"] == "A-001"
    expect(phone.locator("#status-ahead")).to_have_text("0")       # moved up, live
    assert api_counter(live_server, officer, 1)["number"] == "A-002"

    expect(card).to_have_class("status-card status-card--called")
    expect(phone.locator("#status-text")).to_have_text(texts["called"])
    expect(phone.locator("#status-counter")).to_be_visible()
    expect(phone.locator("#status-counter-number")).to_have_text("1")
    expect(phone.locator("#status-ahead-line")).to_be_hidden()
    expect(phone.locator("#cancel-form")).to_be_hidden()
    assert phone.evaluate("window.__sameDocument") is True and len(navigations) == 1, "the page reloaded"
    shoot(phone, "phone-called")
    assert_no_page_problems(page_problems)


def test_forged_link_shows_friendly_404(live_server, contexts):
    real = api_ticket(live_server)["token"]
    forgeries = {
        "made-up": "WzEsMTc5NTYyNzIzNV0.not-a-real-signature",
        "tampered": real[:-3] + ("AAA" if real[-3:] != "AAA" else "BBB"),
    }
    phone = contexts.new(**PHONE).new_page()
    for forgery, token in forgeries.items():
        response = phone.goto(f"{live_server.base_url}/t/{token}")
        assert response.status == 404, forgery
        assert response.headers["content-type"].startswith("text/html")
        expect(phone.locator("h1")).to_be_visible()
        lead = phone.locator(".panel--error .lead")
        expect(lead).to_be_visible()
        assert lead.inner_text().strip(), "the error page explains nothing"
        expect(phone.locator("#status-card")).to_have_count(0)
        expect(phone.locator(".panel--error a.button")).to_have_count(0)   # no path into staff pages
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page_text = phone.locator("body").inner_text()
        assert "Traceback" not in page_text and token not in page_text
        shoot(phone, f"phone-forged-{forgery}")
