"""The admin edits the office in the browser and every screen follows, without a restart.

One real server for the module, with a registered kiosk (in its shell, as kiosks run), a wall
display with its sound on, and the admin on a 1366×768 laptop. The admin adds a service and the
counter that calls it through the form: office.toml has them, the API lists them, the kiosk's
start screen offers the service and the display shows the counter, with no restart and no reload
of the display. Then office.toml is edited by hand: a valid edit reaches the display, an invalid
one is logged with its field and changes nothing.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.live import demo_instance, launch

from .conftest import KIOSK_SCREEN, WALL_SCREEN, Contexts, assert_no_page_problems, counter_cell, register_kiosk, \
    sign_in, wait_display_ready
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}
# Screenshots go to tests/artifacts (gitignored): a test run never rewrites the kept ones in docs/screens/.
SCREENS = Path(__file__).resolve().parents[2] / "tests" / "artifacts"
SCREENS.mkdir(parents=True, exist_ok=True)
# The kiosk shell asks the server every 5 s; the server looks at office.toml every 5 s.
FOLLOWS = 15_000


@pytest.fixture(scope="module")
def office(browser, tmp_path_factory):
    server = launch(demo_instance(tmp_path_factory.mktemp("office-edit") / "instance"))
    contexts = Contexts(browser)
    try:
        yield server, contexts
    finally:
        contexts.close()
        server.stop()


@pytest.fixture(scope="module")
def screens(office):
    """The kiosk in its shell, the wall display (sound on) and the admin's editor, all open."""
    server, contexts = office
    kiosk_context = contexts.new(viewport=KIOSK_SCREEN)
    register_kiosk(kiosk_context, server).close()
    kiosk = kiosk_context.new_page()
    kiosk.goto(f"{server.base_url}/kiosk/app")
    expect(kiosk.frame_locator("#kiosk-frame").locator("#service-konsultasi")).to_be_visible()
    display = contexts.new(viewport=WALL_SCREEN).new_page()
    display.goto(f"{server.base_url}/display/")
    wait_display_ready(display)
    display.locator("#sound-toggle").click()
    display.evaluate("window.__sameDocument = true")   # gone if the page reloads
    admin = sign_in(contexts.new(viewport=LAPTOP), server, "admin")
    return kiosk, display, admin


def office_toml(server) -> dict:
    return tomllib.loads((server.instance / "office.toml").read_text())


def test_a_service_added_with_its_counter_reaches_the_kiosk_and_the_display_at_once(office, screens):
    server, contexts = office
    kiosk, display, admin = screens
    admin.goto(f"{server.base_url}/admin/office/services")
    new_service, new_counter = admin.locator("#f-services-6"), admin.locator("#f-counters-7")
    new_service.get_by_label("Kode").fill("paspor")
    new_service.get_by_label("Nama (Bahasa Indonesia)").fill("Paspor")
    new_service.get_by_label("Nama (Bahasa Inggris)").fill("Passports")
    new_service.get_by_label("Huruf tiket").fill("P")
    new_service.get_by_role("checkbox", name="Lansia (60+)").check()
    new_counter.get_by_label("Nomor").fill("8")
    new_counter.get_by_label("Nama di layar").fill("Loket 8 (Paspor)")
    new_counter.get_by_role("checkbox", name="Layanan baru di atas").check()
    new_counter.scroll_into_view_if_needed()
    admin.screenshot(path=str(SCREENS / "admin-office-1366x768-new-service.png"))
    with admin.expect_navigation():
        admin.get_by_role("button", name="Simpan dan terapkan").click()
    expect(admin.locator(".flash")).to_contain_text("Tersimpan")

    saved = office_toml(server)
    assert saved["services"][-1] == {"code": "paspor", "name": "Paspor", "name_en": "Passports", "prefix": "P",
                                     "lanes": ["general", "senior"]}
    assert saved["counters"][-1] == {"number": 8, "name": "Loket 8 (Paspor)", "services": ["paspor"]}
    listed = requests.get(f"{server.base_url}/api/services", timeout=10).json()
    assert "paspor" in [service["code"] for service in listed]

    expect(counter_cell(display, "Loket 8 (Paspor)")).to_have_text("—")
    assert display.evaluate("window.__sameDocument === true"), "the display re-read its setup without reloading"
    assert display.locator("#sound-toggle").get_attribute("aria-pressed") == "true"
    tile = kiosk.frame_locator("#kiosk-frame").locator("#service-paspor")
    expect(tile).to_be_visible(timeout=FOLLOWS)
    expect(tile).to_contain_text("Paspor")
    kiosk.screenshot(path=str(SCREENS / "kiosk-1080x1500-new-service.png"))
    assert_no_page_problems(contexts.problems)


def test_an_error_is_shown_next_to_its_field_and_nothing_is_saved(office, screens):
    server, _contexts = office
    _kiosk, _display, admin = screens
    before = (server.instance / "office.toml").read_bytes()
    admin.goto(f"{server.base_url}/admin/office/services")
    admin.locator("#f-services-0-prefix").fill("B")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Simpan dan terapkan").click()
    error = admin.locator("#f-services-1-prefix-error")
    expect(error).to_have_text("B dipakai dua kali.")
    expect(admin.locator("#f-services-1-prefix")).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#office-errors")).to_contain_text("B dipakai dua kali.")
    admin.locator("#office-errors a").first.click()
    error.scroll_into_view_if_needed()
    admin.screenshot(path=str(SCREENS / "admin-office-1366x768-error.png"))
    assert (server.instance / "office.toml").read_bytes() == before


def test_a_hand_edit_is_applied_and_an_invalid_one_logged_and_ignored(office, screens):
    server, _contexts = office
    _kiosk, display, _admin = screens
    path = server.instance / "office.toml"
    path.write_text(path.read_text().replace('name = "Loket 1"', 'name = "Loket Satu"'))
    expect(counter_cell(display, "Loket Satu")).to_have_text("—", timeout=FOLLOWS)
    before = requests.get(f"{server.base_url}/api/services", timeout=10).headers["X-Antrean-Config"]

    path.write_text(path.read_text().replace('prefix = "C"', 'prefix = "cc"'))
    wanted = "office.toml was edited on disk but is not applied: services[2].prefix: 'cc' must be one capital letter A-Z"
    page_wait(display, lambda: wanted in server.log.read_text())
    services = requests.get(f"{server.base_url}/api/services", timeout=10).json()
    assert [service["prefix"] for service in services if service["code"] == "non_perizinan"] == ["C"]
    assert server.log.read_text().count(wanted) == 1
    expect(counter_cell(display, "Loket Satu")).to_have_text("—")

    path.write_text(path.read_text().replace('prefix = "cc"', 'prefix = "C"'))   # fixed: the version in force
    assert requests.get(f"{server.base_url}/api/services", timeout=10).headers["X-Antrean-Config"] == before


def page_wait(page: Page, condition, timeout_ms: int = FOLLOWS) -> None:
    """Wait (in the page's event loop, so its sockets keep running) until `condition()` holds."""
    for _ in range(timeout_ms // 250):
        if condition():
            return
        page.wait_for_timeout(250)
    assert condition(), "timed out"


@pytest.mark.parametrize("section", ["", "/services", "/lanes", "/hours", "/screening", "/alternatives"])
def test_every_section_fits_the_laptop_and_passes_axe(office, section):
    server, contexts = office
    context = contexts.new(viewport=LAPTOP, bypass_csp=True)
    page = sign_in(context, server, "admin")
    page.goto(f"{server.base_url}/admin/office{section}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= LAPTOP["width"], f"{section or '/office'} scrolls sideways ({width}px)"
    name = (section or "/office").strip("/")
    if name in ("office", "services", "hours"):
        page.screenshot(path=str(SCREENS / f"admin-office-1366x768-{name}.png"))
    passes, violations = axe_violations(page)
    assert passes > 10 and not violations, report(f"admin office {name}", violations)


def test_the_error_state_passes_axe(office):
    server, contexts = office
    page = sign_in(contexts.new(viewport=LAPTOP, bypass_csp=True), server, "admin")
    page.goto(f"{server.base_url}/admin/office/hours")
    page.locator("#f-hours-always_open").uncheck()
    page.locator("#f-hours-monday").fill("7 sampai 12")
    with page.expect_navigation():
        page.get_by_role("button", name="Simpan dan terapkan").click()
    expect(page.locator("#f-hours-monday-error")).to_contain_text("07:00-12:00")
    passes, violations = axe_violations(page)
    assert passes > 10 and not violations, report("admin office error", violations)
    assert re.search(r"always_open = true", (server.instance / "office.toml").read_text())
