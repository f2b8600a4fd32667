"""The live screens say when their connection is lost, and the wall display tells the server on
every reconnect which `seq` it had, so that the calls it missed can be replayed to it."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .conftest import (
    PHONE, WALL_SCREEN, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, open_status_page, shoot,
    wait_display_ready,
)
from .test_display_recovery import restartable  # noqa: F401  (the fixture: one server, stopped and started at will)

pytestmark = [pytest.mark.browser, pytest.mark.server]

# While the server is down the browser logs its failed connection attempts; those are expected.
NETWORK_NOISE = r"WebSocket connection|ERR_CONNECTION_REFUSED|Failed to load resource"
CONNECT_TO_DISPLAY = "40/display,"   # Socket.IO v5: CONNECT packet to the namespace, then its auth payload


def open_wall(contexts, base_url: str):
    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    wall.goto(f"{base_url}/display/")
    wait_display_ready(wall)
    return wall


def test_reconnect_notice_on_phone_and_display(restartable, contexts, page_problems):  # noqa: F811
    server = restartable.server
    ticket = api_ticket(server)
    phone, navigations, texts = open_status_page(contexts.new(**PHONE), ticket["status_url"])
    wall = open_wall(contexts, server.base_url)
    notices = {phone: phone.locator("#status-connection"), wall: wall.locator("#connection-status")}
    for notice in notices.values():
        expect(notice).to_be_hidden()

    restartable.stop()
    for notice in notices.values():
        expect(notice).to_be_visible(timeout=10_000)
        expect(notice).to_have_text("Menghubungkan kembali…")
    shoot(phone, "phone-reconnecting")
    shoot(wall, "wall-reconnecting", full_page=False)

    restartable.start()
    for notice in notices.values():
        expect(notice).to_be_hidden(timeout=20_000)
    # The phone watches its ticket again on the new connection and goes on following it.
    api_counter(restartable.server, api_staff_headers(restartable.server), 1)
    expect(phone.locator("#status-text")).to_have_text(texts["called"])
    assert len(navigations) == 1, "the phone page reloaded"
    assert_no_page_problems(page_problems, ignore=NETWORK_NOISE)


def test_display_sends_its_last_seq_on_every_connect(restartable, contexts):  # noqa: F811
    server = restartable.server
    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    connects: list[dict] = []

    def on_websocket(ws):
        ws.on("framesent", lambda payload: isinstance(payload, str) and payload.startswith(CONNECT_TO_DISPLAY)
              and connects.append(json.loads(payload[len(CONNECT_TO_DISPLAY):])))

    wall.on("websocket", on_websocket)
    wall.goto(f"{server.base_url}/display/")
    wait_display_ready(wall)
    assert connects == [{"since": -1}], "the first connect has nothing to replay"

    api_ticket(server)
    assert api_counter(server, api_staff_headers(server), 1)["number"] == "A-001"
    expect(wall.locator("#latest-number")).to_have_text("A-001")

    restartable.stop()
    expect(wall.locator("#connection-status")).to_be_visible(timeout=10_000)
    last_seq = wall.evaluate("window.antreanDisplay.lastSeq()")   # nothing arrives while cut off
    assert last_seq >= 0

    restartable.start()
    expect(wall.locator("#connection-status")).to_be_hidden(timeout=20_000)
    assert connects[-1] == {"since": last_seq}
    assert len(connects) == 2, connects
