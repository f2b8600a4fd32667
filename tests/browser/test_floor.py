"""The supervisor's floor in a real browser: live without a reload while officers work in other
tabs, the silent alarm from a console to every supervisor and to no visitor's screen, and the
running text from the floor to the wall displays. Laid out for 1366×768 and 1920×1080.

One server for the module; each test opens its own browser contexts.
"""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.live import Server, demo_instance, launch

from .conftest import (
    WALL_SCREEN, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, open_console,
    record_navigations, shoot, sign_in, wait_display_ready,
)
from .test_accessibility import axe_violations, report
from .test_wall_layout import busy_floor

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}
MONITOR = {"width": 1920, "height": 1080}
PORTRAIT_WALL = {"width": 1080, "height": 1920}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    started = launch(demo_instance(tmp_path_factory.mktemp("floor") / "instance"))
    yield started
    started.stop()


def open_floor(contexts, server: Server, viewport: dict = LAPTOP, **options) -> Page:
    """A supervisor signs in (landing on the floor) and the floor's live channel is up."""
    page = sign_in(contexts.new(viewport=viewport, **options), server, "supervisor")
    assert page.url == server.url("/counter/floor")
    page.wait_for_function("() => window.antreanFloor !== undefined")
    expect(page.locator("#floor-connection")).to_be_hidden()
    page.wait_for_timeout(300)   # the refresh a connect makes has come back
    return page


def fits(page: Page) -> None:
    """Nothing to scroll on the page itself (lists scroll in their own boxes)."""
    width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    viewport = page.viewport_size
    assert (width, height) == (viewport["width"], viewport["height"]), f"the page scrolls: {width}x{height}"


def socketio_events(frames: list[str], since: int = 0) -> list[str]:
    """Socket.IO event packets among the websocket frames a page received (pings left out)."""
    return [frame for frame in frames[since:] if isinstance(frame, str) and frame.startswith("42")]


def test_a_call_in_one_tab_shows_on_the_supervisors_floor_live(server, contexts, page_problems):
    first = api_ticket(server)["number"]
    api_ticket(server, service="izin_kesehatan")
    floor = open_floor(contexts, server, bypass_csp=True)
    navigations = record_navigations(floor)
    expect(floor.locator("#tile-waiting")).to_have_text("2")
    expect(floor.locator("#counter-card-1 .counter-card__visitor")).to_have_text("Tidak ada pengunjung")

    console = sign_in(contexts.new(viewport=LAPTOP), server, "petugas")
    open_console(console, server, 1)
    with console.expect_navigation():
        console.keyboard.press("n")
    expect(console.locator("#current-number")).to_have_text(first)

    card = floor.locator("#counter-card-1")
    expect(card.locator(".counter-card__number")).to_have_text(first)
    expect(card.locator(".counter-card__officer")).to_contain_text("petugas sejak")
    expect(floor.locator("#tile-waiting")).to_have_text("1")
    with console.expect_navigation():
        console.get_by_role("button", name="Istirahat sejenak").click()
    expect(card.locator(".tag--state")).to_have_text("Istirahat")
    assert navigations == [], "the floor changed without reloading"
    fits(floor)
    shoot(floor, "floor-1366x768-live", full_page=False)
    passes, violations = axe_violations(floor)
    assert passes > 10 and violations == [], report("floor", violations)
    with console.expect_navigation():
        console.get_by_role("button", name="Buka loket").click()
    assert_no_page_problems(page_problems)


def test_the_silent_alarm_reaches_the_supervisor_and_not_the_display(server, contexts, page_problems):
    floor = open_floor(contexts, server)
    display = contexts.new(viewport=WALL_SCREEN).new_page()
    frames: list[str] = []
    display.on("websocket", lambda socket: socket.on("framereceived", lambda frame: frames.append(frame)))
    display.goto(server.url("/display/"))
    wait_display_ready(display)
    console = sign_in(contexts.new(viewport=LAPTOP), server, "petugas")
    open_console(console, server, 3)
    alarm = console.locator("#alarm-button")
    assert "Ctrl+Alt+A" in alarm.get_attribute("title")
    navigations = record_navigations(console)
    before = len(frames)

    console.focus("#call-reason")   # typing a reason: the shortcut works all the same
    console.keyboard.press("Control+Alt+KeyA")
    banner = floor.locator(".floor__alarm")
    expect(banner).to_have_count(1)
    expect(banner).to_contain_text(re.compile(r"Alarm senyap\s+Loket 3 · petugas · \d\d:\d\d"))
    expect(alarm).to_have_text("Terkirim")
    assert floor.evaluate("window.antreanFloor.alarmsHeard()") == 1
    assert floor.title().startswith("⚠ Alarm senyap")
    assert console.evaluate("window.antreanAlarm.sent()") == 1
    assert navigations == [], "the console stays as it was: nothing for a visitor to notice"
    shoot(floor, "floor-1366x768-alarm", full_page=False)
    fits(floor)

    with floor.expect_navigation():
        banner.get_by_role("button", name="Saya segera ke sana").click()
    expect(floor.locator(".flash--info")).to_have_text("Alarm di Loket 3 sudah ditanggapi.")
    expect(floor.locator(".floor__alarm")).to_have_count(0)
    expect(console.locator(".flash--notice")).to_contain_text("supervisor menanggapi panggilan Anda")
    shoot(console, "console-1366x768-alarm", full_page=False)

    api_ticket(server, service="konsultasi")   # a change every screen hears, to know the display is listening
    display.wait_for_function("(seq) => window.antreanDisplay.lastSeq() > seq",
                              arg=display.evaluate("window.antreanDisplay.lastSeq()") - 1)
    heard = socketio_events(frames, before)
    assert heard and not any("alarm" in frame for frame in heard), heard
    assert all(frame.startswith('42/display,["queue"') for frame in heard), heard
    assert_no_page_problems(page_problems)


def test_the_running_text_goes_from_the_floor_to_every_display(server, contexts, page_problems):
    walls = {}
    for name, viewport, path in (("landscape", WALL_SCREEN, "/display/"), ("portrait", PORTRAIT_WALL, "/display/"),
                                 ("entrance", WALL_SCREEN, "/display/entrance")):
        page = contexts.new(viewport=viewport).new_page()
        page.goto(server.url(path))
        wait_display_ready(page)
        walls[name] = page
    officer = api_staff_headers(server)
    api_ticket(server), api_ticket(server, service="izin_kesehatan")
    api_counter(server, officer, 1), api_counter(server, officer, 3)

    floor = open_floor(contexts, server)
    text = ("Pelayanan istirahat pukul 12.00–13.00 WIB. <b>Loket 5</b> khusus pengambilan dokumen hari ini. "
            "Terima kasih atas kesabaran Anda.")
    floor.fill("#announcement-text", text)
    with floor.expect_navigation():
        floor.get_by_role("button", name="Tampilkan").click()
    expect(floor.locator(".flash--info")).to_have_text("Layar kini menampilkan teks berjalan.")
    for name, wall in walls.items():
        ticker = wall.locator("#ticker")
        expect(ticker).to_be_visible()
        expect(wall.locator("#ticker-text")).to_have_text(text)
        assert wall.locator("#ticker b").count() == 0, "shown as text, never markup"
        boxes = wall.evaluate("""() => [document.getElementById('ticker').getBoundingClientRect().bottom,
                                        document.querySelector('main').getBoundingClientRect().top,
                                        document.documentElement.scrollHeight, window.innerHeight]""")
        assert boxes[0] <= boxes[1] + 1, f"{name}: the running text covers the screen below it"
        assert boxes[2] <= boxes[3], f"{name}: the page scrolls"
        assert "is-running" in ticker.get_attribute("class"), f"{name}: a long text runs across"
    walls["landscape"].wait_for_timeout(2500)   # under way, as a visitor sees it
    shoot(walls["landscape"], "display-1920x1080-announcement", full_page=False)
    shoot(walls["portrait"], "display-1080x1920-announcement", full_page=False)

    requests.put(server.url("/api/announcement"), json={"text": ""}, headers=api_staff_headers(server, "supervisor"),
                 timeout=10).raise_for_status()
    for wall in walls.values():
        expect(wall.locator("#ticker")).to_be_hidden()
    assert_no_page_problems(page_problems)


@pytest.fixture(scope="module")
def busy(tmp_path_factory):
    """The busy MPP floor of the wall display's tests: 17 counters serving, every line waiting."""
    floor = busy_floor(tmp_path_factory.mktemp("busy-floor") / "instance")
    supervisor = floor.supervisor
    for number, state in ((4, "paused"), (9, "closed")):
        requests.put(floor.server.url(f"/api/counters/{number}/state"), json={"state": state}, headers=supervisor,
                     timeout=10).raise_for_status()
    requests.put(floor.server.url("/api/counters/8/lines"), json={"counters": [9]}, headers=supervisor,
                 timeout=10).raise_for_status()
    requests.put(floor.server.url("/api/announcement"), json={"text": "Istirahat siang 12.00–13.00"},
                 headers=supervisor, timeout=10).raise_for_status()
    yield floor
    floor.server.stop()


@pytest.mark.parametrize("viewport", [LAPTOP, MONITOR], ids=["laptop", "monitor"])
def test_a_busy_floor_fits_the_supervisors_screen(busy, contexts, page_problems, viewport):
    floor = open_floor(contexts, busy.server, viewport)
    expect(floor.locator(".counter-card")).to_have_count(17)
    expect(floor.locator("#floor-lines tbody tr")).to_have_count(14)
    expect(floor.locator("#counter-card-8 .chip-button")).to_have_text(re.compile(r"Loket 9"))
    fits(floor)
    for box in ("#counter-cards", ".floor__queue", ".floor__actions"):
        inside = floor.evaluate(f"""() => {{ const r = document.querySelector('{box}').getBoundingClientRect();
                                          return r.bottom <= window.innerHeight + 1 && r.right <= window.innerWidth + 1; }}""")
        assert inside, f"{box} runs off the screen"
    size = f"{viewport['width']}x{viewport['height']}"
    shoot(floor, f"floor-{size}-busy", full_page=False)
    assert_no_page_problems(page_problems)
