"""A visitor transferred to another service sees the new service (and lane) on the phone at once."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from .conftest import (
    PHONE, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, open_status_page, shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_phone_names_the_new_service_after_a_transfer(live_server, contexts, page_problems):
    # A health worker's health-permit ticket; "Pengambilan Dokumen" has no health-worker lane,
    # so the transfer also moves the ticket to the general lane.
    ticket = api_ticket(live_server, service="izin_kesehatan", lane="health_worker")
    phone, navigations, texts = open_status_page(contexts.new(**PHONE), ticket["status_url"])
    expect(phone.locator("#status-service")).to_have_text("Izin Kesehatan")
    expect(phone.locator("#status-lane")).to_have_text("Tenaga Kesehatan")
    phone.evaluate("window.__sameDocument = true")

    officer = api_staff_headers(live_server)
    assert api_counter(live_server, officer, 3)["number"] == ticket["number"]
    expect(phone.locator("#status-text")).to_have_text(texts["called"])

    response = requests.post(f"{live_server.base_url}/api/counters/3/transfer", json={"service": "pengambilan_dokumen"},
                             headers=officer, timeout=10)
    assert response.status_code == 200, response.text

    expect(phone.locator("#status-service")).to_have_text("Pengambilan Dokumen")
    expect(phone.locator("#status-lane")).to_have_text("Umum")
    expect(phone.locator("#status-card")).to_have_class("status-card status-card--waiting")
    expect(phone.locator("#status-text")).to_have_text(texts["waiting"])
    expect(phone.locator("#status-counter")).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    assert phone.evaluate("window.__sameDocument") is True and len(navigations) == 1, "the page reloaded"
    shoot(phone, "phone-transferred")
    assert_no_page_problems(page_problems)
