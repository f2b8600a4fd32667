"""A display that lost its server says so over the whole screen, instead of showing the last
calls as if they were current, and comes back by itself, without a reload."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import (
    WALL_SCREEN, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, record_navigations, shoot,
    wait_display_ready,
)
from .test_display_recovery import restartable  # noqa: F401  (the fixture: one server, stopped and started at will)
from .test_reconnect import NETWORK_NOISE

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_connection_lost_is_shown_and_recovers_without_a_reload(restartable, contexts, page_problems):  # noqa: F811
    server = restartable.server
    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    navigations = record_navigations(wall)
    wall.goto(server.url("/display/"))
    wait_display_ready(wall)
    api_ticket(server)
    assert api_counter(server, api_staff_headers(server), 1)["number"] == "A-001"
    expect(wall.locator("#latest-number")).to_have_text("A-001")
    offline = wall.locator("#offline")
    expect(offline).to_be_hidden()
    calls = wall.locator(".wall__latest")
    assert float(calls.evaluate("node => getComputedStyle(node).opacity")) == 1.0

    restartable.stop()
    expect(offline).to_be_visible(timeout=10_000)
    expect(offline.locator(".wall__offline-title")).to_have_text("Koneksi terputus")
    expect(wall.locator("body")).to_have_class(re.compile(r"\bis-offline\b"))
    # The last call is still there to see, but greyed out behind the notice: not shown as current.
    assert float(calls.evaluate("node => getComputedStyle(node).opacity")) < 0.5
    box, screen = offline.bounding_box(), wall.locator("main").bounding_box()
    assert box["width"] >= screen["width"] - 1 and box["height"] >= screen["height"] - 1, "the notice covers the calls"
    shoot(wall, "display-1920x1080-connection-lost", full_page=False)

    restartable.start()
    server = restartable.server
    expect(offline).to_be_hidden(timeout=20_000)
    expect(wall.locator("body")).not_to_have_class(re.compile(r"\bis-offline\b"))
    assert float(calls.evaluate("node => getComputedStyle(node).opacity")) == 1.0
    api_ticket(server)
    assert api_counter(server, api_staff_headers(server), 1)["number"] == "A-002"
    expect(wall.locator("#latest-number")).to_have_text("A-002")
    assert len(navigations) == 1, f"the display reloaded: {navigations}"
    assert_no_page_problems(page_problems, ignore=NETWORK_NOISE)
