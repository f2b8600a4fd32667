"""The counter console refreshes itself on every queue event without losing the officer's work.

A busy office sends events every few seconds. Whatever the officer was doing when one arrives
must survive the refresh: the transfer target chosen for the visitor at the counter, a number
and reason typed into "call a specific number", the open section and the focused field.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import api_ticket, assert_no_page_problems, open_console, shoot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_refresh_keeps_what_the_officer_is_doing(live_server, contexts, page_problems):
    api_ticket(live_server)
    waiting = api_ticket(live_server)["number"]
    console = sign_in(contexts.new(), live_server, "petugas")
    open_console(console, live_server, 1)
    with console.expect_navigation():
        console.keyboard.press("n")
    expect(console.locator("#current-number")).to_have_text("A-001")

    console.select_option("#transfer-service", "konsultasi")
    console.locator("#console-more summary").click()
    console.fill("#call-number", waiting)
    console.fill("#call-reason", "dokumen sudah lengkap")
    console.focus("#call-reason")
    count = console.locator("#waiting-count")
    expect(count).to_have_text("1")

    api_ticket(live_server)   # another visitor: the panel refreshes
    expect(count).to_have_text("2")
    expect(console.locator("#transfer-service")).to_have_value("konsultasi")
    expect(console.locator("#console-more")).to_have_attribute("open", "")
    expect(console.locator("#call-number")).to_have_value(waiting)
    expect(console.locator("#call-reason")).to_have_value("dokumen sudah lengkap")
    expect(console.locator("#call-reason")).to_be_focused()
    shoot(console, "console-refresh-kept-input")

    with console.expect_navigation():
        console.get_by_role("button", name="Alihkan").click()
    expect(console.locator(".flash--info")).to_have_text("Nomor A-001 dialihkan ke Konsultasi & Pengaduan.")
    assert_no_page_problems(page_problems)
