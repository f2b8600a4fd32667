"""The whole office in three tabs: kiosk issues, counter calls, wall display shows it live."""
from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import (
    KIOSK_SCREEN, WALL_SCREEN, assert_no_page_problems, counter_cell, open_console, printed_tickets, printed_urls,
    record_navigations, register_kiosk, shoot, sign_in, wait_display_ready, waiting_cell,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]


def take_ticket_at_kiosk(kiosk, service_name: str, lane: str) -> str:
    """Kiosk: touch a service, then a lane; the ticket number shown."""
    kiosk.get_by_role("link", name=re.compile(re.escape(service_name))).click()
    kiosk.wait_for_url(re.compile(r"/kiosk/services/"))
    with kiosk.expect_navigation(url=re.compile(r"/kiosk/tickets/")):
        kiosk.locator(f"button.choice--{lane}").click()
    return kiosk.locator("#ticket-number").inner_text().strip()


def test_kiosk_to_counter_to_display(live_server, contexts, pdf_requests, page_problems):
    base = live_server.base_url

    # The wall display is up before anything happens; record everything it asks the server.
    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    wall_requests: list[str] = []
    wall_navigations = record_navigations(wall)
    wall.on("request", lambda request: wall_requests.append(request.url))
    with wall.expect_websocket(lambda ws: "/socket.io/" in ws.url and "transport=websocket" in ws.url):
        wall.goto(f"{base}/display/")
    wait_display_ready(wall)
    expect(wall.locator("#latest-number")).to_have_text("—")
    wall.evaluate("window.__sameDocument = true")

    # Kiosk: registered through the link, service, lane, ticket A-001, printed.
    kiosk = register_kiosk(contexts.new(viewport=KIOSK_SCREEN), live_server)
    shoot(kiosk, "e2e-kiosk-home")
    number = take_ticket_at_kiosk(kiosk, "Perizinan Berusaha", "general")
    assert number == "A-001"
    token = urlsplit(kiosk.url).path.rsplit("/", 1)[1]
    expect(kiosk.locator(".ticket-card__qr svg")).to_be_visible()
    kiosk.wait_for_function("() => (window.__antreanPrinted || []).length > 0")
    assert pdf_requests == [], "the kiosk prints its ticket page, not a PDF"
    assert [urlsplit(url).path for url in printed_urls(kiosk)] == [f"/kiosk/tickets/{token}"], \
        "print() was not called on the ticket"
    assert [(ticket["number"], ticket["lang"]) for ticket in printed_tickets(kiosk)] == [("A-001", "id")]
    shoot(kiosk, "e2e-kiosk-ticket")

    # The wall heard about the new ticket (queue event) without reloading.
    expect(waiting_cell(wall, "Perizinan Berusaha")).to_have_text("1")

    # Counter 1: the officer presses N.
    officer = sign_in(contexts.new(), live_server, "petugas")
    open_console(officer, live_server, 1)
    expect(officer.locator("#waiting-count")).to_have_text("1")
    expect(officer.locator(".waiting-table")).to_contain_text("A-001")
    deadline = time.monotonic() + 2.0
    with officer.expect_navigation(url=f"{base}/counter/1"):
        officer.keyboard.press("n")
    expect(officer.locator("#current-number")).to_have_text("A-001")

    # The wall shows the call within 2 s of the key press, in the same document.
    def left_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    expect(wall.locator("#latest-number")).to_have_text("A-001", timeout=left_ms())
    expect(counter_cell(wall, "Loket 1")).to_have_text("A-001", timeout=left_ms())
    assert time.monotonic() < deadline + 0.3, "the display took more than 2 s"
    shoot(officer, "e2e-counter-called")
    expect(wall.locator("#latest-counter")).to_have_text("Loket 1")
    expect(wall.locator("#recent-list li").first).to_contain_text("A-001")
    assert wall.evaluate("window.__sameDocument") is True, "the display reloaded"
    assert len(wall_navigations) == 1, wall_navigations
    shoot(wall, "e2e-display-called")

    # Done: the wall no longer shows A-001 as being called, but keeps it in the last calls.
    with officer.expect_navigation(url=f"{base}/counter/1"):
        officer.keyboard.press("d")
    expect(counter_cell(wall, "Loket 1")).to_have_text("—")
    expect(wall.locator("#latest-number")).to_have_text("—")
    expect(wall.locator("#recent-list li").first).to_contain_text("A-001")

    # No polling: everything arrived over the websocket.
    assert not [u for u in wall_requests if urlsplit(u).path.startswith("/api/queue")], wall_requests
    assert not [u for u in wall_requests if "transport=polling" in u], wall_requests
    assert_no_page_problems(page_problems)


def test_priority_counter_calls_reserved_lanes(live_server, contexts, page_problems):
    kiosk = register_kiosk(contexts.new(viewport=KIOSK_SCREEN), live_server)
    general = take_ticket_at_kiosk(kiosk, "Perizinan Berusaha", "general")
    kiosk.goto(f"{live_server.base_url}/kiosk/")
    senior = take_ticket_at_kiosk(kiosk, "Perizinan Berusaha", "senior")
    assert (general, senior) == ("A-001", "A-002")

    staff = contexts.new()
    priority = sign_in(staff, live_server, "petugas")
    open_console(priority, live_server, 7)
    expect(priority.locator("#console-title")).to_contain_text("Prioritas")
    # Counter 7 serves reserved lanes only: the general ticket is not in its list.
    expect(priority.locator("#waiting-count")).to_have_text("1")
    expect(priority.locator(".waiting-table__number")).to_have_text([re.compile(rf"^{senior}\b")])
    with priority.expect_navigation():
        priority.keyboard.press("n")
    expect(priority.locator("#current-number")).to_have_text(senior)
    shoot(priority, "priority-counter7-called")

    regular = staff.new_page()
    open_console(regular, live_server, 1)
    with regular.expect_navigation():
        regular.keyboard.press("n")
    expect(regular.locator("#current-number")).to_have_text(general)
    expect(regular.locator("#waiting-count")).to_have_text("0")

    # Counter 7's console followed the queue live: nothing left for it either.
    expect(priority.locator("#waiting-count")).to_have_text("0")
    assert_no_page_problems(page_problems)
