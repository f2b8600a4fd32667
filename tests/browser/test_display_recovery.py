"""The wall display survives a server restart on its own: it reconnects, resyncs, goes on."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from shared.web import create_app
from tests.helpers.live import Server, demo_instance, free_port, launch

from .conftest import (
    WALL_SCREEN, api_counter, api_staff_headers, api_ticket, counter_cell, record_navigations, shoot, waiting_cell,
    wait_display_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]


class RestartableServer:
    """`antrean serve` for one instance on one fixed port, stopped and started at will."""

    def __init__(self, instance: Path):
        self.instance = instance
        self.port = free_port()
        self.server: Server = launch(instance, port=self.port)

    def stop(self) -> None:
        """Quick shutdown: no graceful wait for the pages' websockets (like a crash)."""
        self.server.stop()

    def start(self) -> None:
        assert self.server.process.poll() is not None, "still running"
        self.server = launch(self.instance, port=self.port)


@pytest.fixture
def restartable(tmp_path):
    server = RestartableServer(demo_instance(tmp_path / "instance"))
    yield server
    server.stop()


def while_server_is_down(instance: Path, kiosk_token: str, staff: dict) -> None:
    """Change the office while no server runs (a second process after a crash, say):
    a display can only learn about this from the snapshot it gets when it reconnects."""
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance)
    client = app.test_client()
    for _ in range(2):
        response = client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "general"},
                               headers={"Authorization": f"Bearer {kiosk_token}"})
        assert response.status_code == 201, response.get_json()
    token = client.post("/api/login", json=staff).get_json()["token"]
    response = client.post("/api/counters/2/call-next", json={}, headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["number"] == "A-002"


def test_display_recovers_after_server_restart(restartable, contexts):
    server = restartable.server
    logins = server.logins

    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    snapshots: list[float] = []
    sockets: list[str] = []

    def on_websocket(ws):
        sockets.append(ws.url)
        ws.on("framereceived", lambda payload: isinstance(payload, str) and payload.startswith("42/display,")
              and '["snapshot"' in payload[:40] and snapshots.append(time.monotonic()))

    wall.on("websocket", on_websocket)
    navigations = record_navigations(wall)
    wall.goto(f"{server.base_url}/display/")
    wait_display_ready(wall)
    wall.evaluate("window.__sameDocument = true")

    api_ticket(server)
    officer = api_staff_headers(server)
    assert api_counter(server, officer, 1)["number"] == "A-001"
    expect(wall.locator("#latest-number")).to_have_text("A-001")
    seq_before = wall.evaluate("window.antreanDisplay.lastSeq()")
    assert len(snapshots) == 1 and len(sockets) == 1

    # The server goes away: the display says so instead of showing stale data silently.
    restartable.stop()
    expect(wall.locator("#connection-status")).to_be_visible(timeout=10_000)
    shoot(wall, "display-reconnecting")

    while_server_is_down(restartable.instance, logins.kiosk_token,
                         {"username": "petugas", "password": logins.passwords["petugas"]})

    # Back on the same port: the page reconnects by itself and gets a fresh snapshot.
    restartable.start()
    server = restartable.server
    expect(wall.locator("#connection-status")).to_be_hidden(timeout=20_000)
    expect(wall.locator("#latest-number")).to_have_text("A-002")
    expect(counter_cell(wall, "Loket 2")).to_have_text("A-002")
    expect(counter_cell(wall, "Loket 1")).to_have_text("A-001")
    expect(waiting_cell(wall, "Perizinan Berusaha")).to_have_text("1")
    assert len(snapshots) >= 2, "no snapshot after the reconnect"
    assert len(sockets) >= 2, sockets
    assert wall.evaluate("window.antreanDisplay.lastSeq()") > seq_before

    # And live calls flow again, without a reload.
    officer = api_staff_headers(server)
    started = time.monotonic()
    assert api_counter(server, officer, 1)["number"] == "A-003"
    expect(wall.locator("#latest-number")).to_have_text("A-003", timeout=2000)
    expect(counter_cell(wall, "Loket 1")).to_have_text("A-003")
    assert time.monotonic() - started < 2.5
    expect(waiting_cell(wall, "Perizinan Berusaha")).to_have_text("0")
    assert wall.evaluate("window.__sameDocument") is True and len(navigations) == 1, "the display reloaded"
    shoot(wall, "display-after-restart")
