"""The officer console on a 1366×768 laptop: the officer never scrolls to call the next visitor.

In every state a working day brings (no call yet, a visitor at the counter, a priority lane to
check, a warning just shown, 40 people waiting, invited visitors, today's appointments) the
call-next button, the current visitor, done / not present / transfer and the start of the
waiting list are inside the viewport, not covered, and the page itself does not scroll. A
message takes room from the waiting list, never from the buttons: they stay where they were.
Each state is also checked with axe-core (WCAG 2.2 AA) on the page as served, CSP on.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from shared.clock import ManualClock
from shared.domain.config import load_config
from shared.office import Office
from shared.services import bookings
from shared.store import Store
from tests.helpers.live import Server, bearer, demo_instance, launch, login

from .conftest import AXE_JS, api_ticket, assert_no_page_problems, open_console, shoot, sign_in
from .test_accessibility import AXE_OPTIONS, RUN_AXE, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}
WIB = timezone(timedelta(hours=7))
# What the officer must reach without scrolling, in every state.
MAIN_ACTIONS = ("#call-next", "#current-number", "#action-done", "#action-no-show", "#action-recall",
                "#action-start", "#transfer-service", "#action-transfer", "#waiting-title")
FIRST_WAITING = "#waiting-list tbody tr:first-child"

# Bounding boxes of the given elements; each must lie inside the viewport and be the element
# actually shown at its centre (not clipped by a scrolling column, not covered by a message).
BOXES = """(selectors) => {
  const width = window.innerWidth, height = window.innerHeight, found = {}, problems = [];
  const page = document.scrollingElement;
  if (page.scrollHeight > height || page.scrollWidth > width) {
    problems.push(`the page scrolls: ${page.scrollWidth}x${page.scrollHeight}`);
  }
  for (const selector of selectors) {
    const element = document.querySelector(selector);
    if (!element) { problems.push(`${selector}: missing`); continue; }
    const box = element.getBoundingClientRect();
    found[selector] = [box.left, box.top, box.right, box.bottom].map(Math.round);
    if (!box.width || !box.height || box.left < 0 || box.top < 0 || box.right > width || box.bottom > height) {
      problems.push(`${selector}: outside the viewport at ${found[selector]}`);
      continue;
    }
    const shown = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    if (!shown || !(shown === element || element.contains(shown))) {
      problems.push(`${selector}: covered by ${shown ? shown.outerHTML.slice(0, 80) : "nothing"}`);
    }
  }
  return {found, problems};
}"""


def main_actions_in_view(page: Page, *extra: str) -> dict[str, list[int]]:
    """Assert the main actions (and `extra`) are in view without scrolling; their boxes."""
    result = page.evaluate(BOXES, [*MAIN_ACTIONS, *extra])
    assert result["problems"] == [], "\n".join(result["problems"])
    return result["found"]


def axe_clean(page: Page, name: str) -> None:
    """axe-core on the page as served: evaluated through the browser's debugger, which the
    page's CSP does not govern, so the console is checked with its CSP on."""
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core missing at {AXE_JS}: run `make setup` (npm ci)", pytrace=False)
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(RUN_AXE, AXE_OPTIONS)
    assert result["passes"] > 10, "axe did not really run"
    assert result["violations"] == [], report(name, result["violations"])


def go(page: Page, action) -> None:
    """Press a console button (or key) and wait for the page it leads to."""
    with page.expect_navigation():
        action()
    page.wait_for_load_state()


def book_today(instance: Path) -> None:
    """Three of today's appointments for counter 6's services, booked before the server starts.

    The clock stands at 00:05 WIB today, so every later slot of the day may still be booked.
    """
    today = datetime.now(WIB).date()
    office = Office(load_config(instance / "office.toml"), Store(instance / "antrean.sqlite3"),
                    ManualClock(datetime(today.year, today.month, today.day, 0, 5, tzinfo=WIB)))
    office.store.migrate()
    db = office.store.connect()
    try:
        for service, start in (("konsultasi", "10:00"), ("konsultasi", "13:30"), ("pengambilan_dokumen", "15:00")):
            bookings.book(office, db, service=service, day=today.isoformat(), start=start)
    finally:
        db.close()


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Server:
    instance = demo_instance(tmp_path_factory.mktemp("laptop") / "instance")
    book_today(instance)
    server = launch(instance)
    # No occupancy cap until the invited visitors' test sets one: the demo's 40 would send the
    # busy morning's later visitors outside.
    response = requests.put(f"{server.base_url}/api/capacity", json={"max_inside": 0},
                            headers=headers(server, "supervisor"), timeout=10)
    assert response.status_code == 200, response.text
    yield server
    server.stop()


def headers(server: Server, username: str = "petugas") -> dict:
    return bearer(login(server.base_url, username, server.logins.passwords[username]))


def test_the_main_actions_stay_in_view_through_a_busy_morning(office, contexts, page_problems):
    console = sign_in(contexts.new(viewport=LAPTOP), office, "petugas")

    # No call yet, a short line.
    for lane in ("general", "senior", "general"):
        api_ticket(office, lane=lane)
    open_console(console, office, 1)
    expect(console.locator("#current-number")).to_have_text("Belum ada pengunjung di loket ini.")
    main_actions_in_view(console, FIRST_WAITING)
    shoot(console, "console-1366x768-idle", full_page=False)
    axe_clean(console, "console idle")

    # Forty people waiting, the first visitor called and never coming: call-next marks them
    # absent and says so in a warning, next to the call's own message.
    for index in range(37):
        api_ticket(office, lane="senior" if index % 4 == 0 else "general")
    go(console, lambda: console.keyboard.press("n"))
    first = console.locator("#current-number").text_content()
    go(console, lambda: console.keyboard.press("n"))
    expect(console.locator(".flash--warning")).to_contain_text(f"{first} tidak datang ke loket")
    expect(console.locator(".flash--info")).to_contain_text("dipanggil")
    expect(console.locator("#waiting-count")).to_have_text("38")
    with_messages = main_actions_in_view(console, FIRST_WAITING)
    shoot(console, "console-1366x768-warning-40-waiting", full_page=False)
    axe_clean(console, "console after a warning, 40 waiting")
    # The same state without the messages (they show once): not one button moved.
    go(console, console.reload)
    expect(console.locator(".flash--info, .flash--warning")).to_have_count(0)
    without_messages = main_actions_in_view(console, FIRST_WAITING)
    controls = [selector for selector in MAIN_ACTIONS if selector != "#waiting-title"]
    assert {key: with_messages[key] for key in controls} == {key: without_messages[key] for key in controls}
    assert with_messages["#waiting-title"][1] > without_messages["#waiting-title"][1]   # the list made room

    # A visitor being served; and the same in English, whose labels are longer or shorter.
    go(console, lambda: console.keyboard.press("s"))
    expect(console.locator("#current-status")).to_have_text("Sedang dilayani")
    main_actions_in_view(console, FIRST_WAITING)
    go(console, lambda: console.goto(f"{office.base_url}/counter/1?lang=en"))
    expect(console.locator("#call-next")).to_contain_text("Call next")
    main_actions_in_view(console, FIRST_WAITING, "#lane-confirm", "#lane-general")
    shoot(console, "console-1366x768-serving-en", full_page=False)
    axe_clean(console, "console in English")
    assert_no_page_problems(page_problems)


def test_lane_check_and_shortcuts_that_never_fire_while_typing(office, contexts, page_problems):
    for _ in range(3):
        api_ticket(office, service="kartu_kuning", lane="disability")
    api_ticket(office, service="kartu_kuning", lane="general")
    console = sign_in(contexts.new(viewport=LAPTOP), office, "petugas")
    open_console(console, office, 4)   # counter 4 serves kartu_kuning, every lane
    go(console, lambda: console.keyboard.press("n"))
    expect(console.locator("#current-lane")).to_have_text("Penyandang Disabilitas")
    main_actions_in_view(console, "#lane-confirm", "#move-reason", "#lane-general")
    shoot(console, "console-1366x768-lane-check", full_page=False)
    axe_clean(console, "console lane check")

    go(console, lambda: console.keyboard.press("c"))   # one tap (or key): confirmed, service starts
    expect(console.locator("#lane-confirmed")).to_contain_text("Jalur dikonfirmasi oleh petugas")
    expect(console.locator("#current-status")).to_have_text("Sedang dilayani")
    main_actions_in_view(console, "#lane-confirmed", "#lane-general")

    console.select_option("#move-reason", "visitor_asked")
    go(console, lambda: console.locator("#lane-general").click())
    expect(console.locator(".flash--info")).to_contain_text("dipindahkan ke jalur umum")
    expect(console.locator("#current-lane")).to_have_text("Umum")
    expect(console.locator("#lane-moved")).to_contain_text("Pengunjung meminta jalur umum")
    expect(console.locator("#lane-confirm")).to_have_count(0)

    # Typing a number and a reason: the letters n, d, x, s, c are text here, not shortcuts.
    current = console.locator("#current-number").text_content()
    console.locator("#console-more summary").click()
    console.fill("#call-number", "")
    console.locator("#call-number").press_sequentially("d4")
    console.locator("#call-reason").press_sequentially("n dokumen sudah lengkap, xs c")
    expect(console.locator("#call-reason")).to_have_value("n dokumen sudah lengkap, xs c")
    expect(console.locator("#current-number")).to_have_text(current)   # nothing was called or finished
    go(console, lambda: console.locator("#call-reason").press("Enter"))   # "d4" finds D-004
    expect(console.locator("#current-number")).to_have_text("D-004")
    assert_no_page_problems(page_problems)


def test_invited_visitors_are_let_in_and_called_in_one_tap(office, contexts, page_problems):
    boss, officer = headers(office, "supervisor"), headers(office, "petugas")
    inside = requests.get(f"{office.base_url}/api/capacity", timeout=10).json()["inside"]
    assert requests.put(f"{office.base_url}/api/capacity", json={"max_inside": inside}, headers=boss,
                        timeout=10).status_code == 200
    outside = [api_ticket(office, service="non_perizinan")["number"] for _ in range(2)]
    # Counter 1 finishes its visitor, then marks the next one absent: two places free up and
    # both visitors outside are invited in. Neither scans their ticket at the door.
    for _ in range(2):
        assert requests.post(f"{office.base_url}/api/counters/1/call-next", headers=officer,
                             timeout=10).status_code == 200
    console = sign_in(contexts.new(viewport=LAPTOP), office, "petugas")
    open_console(console, office, 5)   # counter 5 serves kartu_kuning and non_perizinan
    rows = console.locator("#invited li")
    expect(rows).to_have_count(2)
    expect(rows.first.locator(".invited-list__number")).to_have_text(outside[0])
    main_actions_in_view(console, FIRST_WAITING, "#invited-title", "#invited li:first-child button")
    shoot(console, "console-1366x768-invited", full_page=False)
    axe_clean(console, "console with invited visitors")

    go(console, lambda: console.get_by_role("button", name=f"Izinkan masuk & panggil {outside[0]}").click())
    expect(console.locator("#current-number")).to_have_text(outside[0])
    expect(console.locator(".flash--info")).to_contain_text("diizinkan masuk di loket")
    expect(rows).to_have_count(1)
    main_actions_in_view(console, FIRST_WAITING, "#invited li:first-child button")
    assert requests.put(f"{office.base_url}/api/capacity", json={"max_inside": 0}, headers=boss,
                        timeout=10).status_code == 200
    assert_no_page_problems(page_problems)


def test_todays_appointments_share_the_queue_column(office, contexts, page_problems):
    for service in ("konsultasi", "pengambilan_dokumen", "konsultasi"):
        api_ticket(office, service=service)
    console = sign_in(contexts.new(viewport=LAPTOP), office, "petugas")
    open_console(console, office, 6)   # counter 6 serves konsultasi and pengambilan_dokumen
    expect(console.locator("#appointment-count")).to_have_text("3")
    go(console, lambda: console.keyboard.press("n"))
    main_actions_in_view(console, FIRST_WAITING, "#appointments-title")
    shoot(console, "console-1366x768-appointments", full_page=False)
    axe_clean(console, "console with appointments")
    assert_no_page_problems(page_problems)
