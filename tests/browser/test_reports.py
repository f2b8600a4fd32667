"""The reports page in a real browser at 1366×768 (the supervisor's laptop) and 1920×1080: the
seeded October's figures as the API gives them, charts drawn, filters that change the figures,
no accessibility violation, no script or CSP error; and the PDF rendered to PNG.

One server for the module, its office holding the known October (`tests/helpers/history.py`)
and a plausible November (`shared.services.history.demo_month`) for the screenshots.
"""
from __future__ import annotations

from datetime import date

import pypdfium2
import pytest
import requests
from playwright.sync_api import Page

from shared.domain.config import load_config
from shared.office import Office
from shared.services import history as past
from shared.store import Store
from tests.helpers import history
from tests.helpers.live import Server, demo_instance, launch

from .conftest import ARTIFACTS, api_staff_headers, assert_no_page_problems, shoot, sign_in
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}
MONITOR = {"width": 1920, "height": 1080}
OCTOBER = "from=2026-10-01&to=2026-10-31"
NOVEMBER = "from=2026-11-02&to=2026-11-30"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Server:
    instance = demo_instance(tmp_path_factory.mktemp("reports") / "instance")
    store = Store(instance / "antrean.sqlite3")
    store.migrate()
    office = Office(load_config(instance / "office.toml"), store)
    history.seed_october(office)
    ids = history.officers(office, past.DEMO_OFFICERS)   # one officer per counter
    db = store.connect()
    try:
        past.record(office, db, past.demo_month(office, date(2026, 11, 30), 29, list(ids.values()), scale=2))
    finally:
        db.close()
    started = launch(instance)
    yield started
    started.stop()


@pytest.fixture(scope="module")
def boss_headers(server) -> dict:
    return api_staff_headers(server, "supervisor")


def open_reports(contexts, server: Server, query: str, viewport: dict = LAPTOP, **options) -> Page:
    page = sign_in(contexts.new(viewport=viewport, **options), server, "supervisor")
    page.goto(f"{server.base_url}/counter/reports?{query}")
    page.wait_for_function("() => document.querySelectorAll('canvas').length === 4 && "
                           "[...document.querySelectorAll('canvas')].every(c => c.width > 0)")
    return page


def figure(page: Page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').inner_text().strip()


def drawn(page: Page, canvas_id: str) -> int:
    """How many pixels of the chart's canvas are painted (0 for an empty canvas)."""
    return page.evaluate("""(id) => {
        const canvas = document.getElementById(id);
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
        return painted;
    }""", canvas_id)


def test_the_page_shows_the_apis_figures_and_draws_its_charts(contexts, page_problems, server, boss_headers):
    api = requests.get(f"{server.base_url}/api/reports/summary?{OCTOBER}", headers=boss_headers, timeout=10).json()
    page = open_reports(contexts, server, OCTOBER)
    assert figure(page, "tickets") == str(api["tickets"]) == str(history.OCTOBER["tickets"])
    assert figure(page, "served") == str(api["served"])
    assert figure(page, "no_show") == str(api["no_show"])
    assert figure(page, "cancelled") == str(api["cancelled"])
    assert (figure(page, "wait_p50"), figure(page, "wait_p90")) == ("5.0", "20.0")
    assert (figure(page, "service_p50"), figure(page, "service_p90")) == ("9.0", "20.0")
    for code, count in api["by_channel"].items():
        assert page.locator(f'[data-channel="{code}"]').inner_text() == str(count)
    # Thursday 08:00 is the busiest cell: five Thursdays × four tickets.
    assert page.locator('#heat-map td[data-weekday="3"][data-hour="8"]').inner_text() == "20"
    assert "heat__cell--5" in page.locator('#heat-map td[data-weekday="3"][data-hour="8"]').get_attribute("class")
    for canvas in ("chart-days", "chart-channels", "chart-services", "chart-counters"):
        assert drawn(page, canvas) > 500, f"{canvas} is empty"
    assert page.locator("html").get_attribute("lang") == "id"
    assert_no_page_problems(page_problems)


def test_filters_change_the_figures(contexts, server, boss_headers):
    page = open_reports(contexts, server, OCTOBER)
    page.select_option("#report-channel", "online")
    with page.expect_navigation():
        page.locator(".reports__fields button[type=submit]").click()
    page.wait_for_function("() => [...document.querySelectorAll('canvas')].every(c => c.width > 0)")
    api = requests.get(f"{server.base_url}/api/reports/summary?{OCTOBER}&channel=online", headers=boss_headers,
                       timeout=10).json()
    assert figure(page, "tickets") == str(api["tickets"]) == str(history.DAYS)
    assert figure(page, "wait_p50") == "10.0"
    assert page.locator("#report-channel").input_value() == "online"
    assert "channel=online" in page.locator(".reports__downloads a").first.get_attribute("href")


def test_quick_ranges_and_english(contexts, server):
    page = open_reports(contexts, server, f"{NOVEMBER}&channel=online")
    with page.expect_navigation():
        page.locator(".language-switch a[hreflang=en]").click()
    assert page.locator("h1").inner_text().startswith("Reports")
    # The language changed; the range and the filter stayed.
    assert page.locator("#report-from").input_value() == "2026-11-02"
    assert page.locator("#report-channel").input_value() == "online"
    page.locator(".reports__presets a", has_text="Last semester").click()
    page.wait_for_load_state()
    assert page.locator("#report-from").input_value().endswith(("-01-01", "-07-01"))


@pytest.mark.parametrize("viewport, name", [(LAPTOP, "reports-1366x768-month"), (MONITOR, "reports-1920x1080-month")])
def test_the_month_at_the_laptop_and_the_monitor(contexts, page_problems, server, viewport, name):
    page = open_reports(contexts, server, NOVEMBER, viewport=viewport, bypass_csp=True)
    # The range, the filters and the headline figures are on the first screen.
    for selector in ("#report-from", "#report-counter", ".reports__tiles", ".reports__downloads"):
        box = page.locator(selector).bounding_box()
        assert box and box["y"] + box["height"] <= viewport["height"], selector
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shoot(page, name, full_page=False)
    shoot(page, f"{name}-full")
    _passes, violations = axe_violations(page)
    assert not violations, report(name, violations)
    assert_no_page_problems(page_problems)


def test_the_pdf_renders_every_page(server, boss_headers):
    response = requests.get(f"{server.base_url}/api/reports/report.pdf?{NOVEMBER}", headers=boss_headers, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    document = pypdfium2.PdfDocument(response.content)
    try:
        assert len(document) >= 2
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for index in range(len(document)):
            image = document[index].render(scale=1.3).to_pil()
            assert image.size[0] > 700 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
            image.save(ARTIFACTS / f"report-pdf-page{index + 1}.png", optimize=True)
    finally:
        document.close()
