"""The admin's office in a browser at 1366×768: an officer added and signing in, a kiosk
registered through its one-time link, and removal and retirement taking effect at once.

One server for the module; each test has its own browser contexts.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.live import demo_instance, launch

from .conftest import assert_no_page_problems, open_console, sign_in
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}
KIOSK = {"width": 1080, "height": 1920}
# Screenshots go to tests/artifacts (gitignored): a test run never rewrites the kept ones in docs/screens/.
SCREENS = "tests/artifacts"
NEW_PASSWORD = "meja-biru-kopi-pagi"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = launch(demo_instance(tmp_path_factory.mktemp("admin") / "instance"))
    yield started
    started.stop()


def screenshot(page: Page, name: str) -> None:
    """The screen as the admin sees it on the laptop, for a human to look at (tests/artifacts)."""
    from tests.helpers.live import REPO

    target = REPO / SCREENS / f"admin-1366x768-{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), animations="disabled")


def no_axe_violations(page: Page, name: str) -> None:
    passes, violations = axe_violations(page)
    assert passes > 10 and violations == [], report(name, violations)


def admin_page(contexts, server, path: str, *, bypass_csp: bool = False) -> Page:
    page = sign_in(contexts.new(viewport=LAPTOP, bypass_csp=bypass_csp), server, "admin")
    page.goto(f"{server.base_url}{path}")
    return page


def add_account(page: Page, username: str, password: str, role: str = "officer") -> None:
    page.fill("#new-username", username)
    page.select_option("#new-role", role)
    page.fill("#new-password", password)
    with page.expect_navigation():
        page.locator("#add-user button[type=submit]").click()


def test_an_admin_adds_an_officer_who_then_signs_in(contexts, server, page_problems):
    page = admin_page(contexts, server, "/admin/users")
    expect(page.locator("h1")).to_have_text("Akun staf")
    add_account(page, "budi", "password123")       # refused: too common
    expect(page.locator(".flash--error")).to_contain_text("terlalu umum")
    expect(page.locator("#user-budi")).to_have_count(0)
    add_account(page, "budi", NEW_PASSWORD)
    expect(page.locator(".flash--info")).to_contain_text("budi")
    expect(page.locator("#user-budi")).to_contain_text("Aktif")
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    screenshot(page, "users")

    officer = contexts.new(viewport=LAPTOP).new_page()
    officer.goto(f"{server.base_url}/counter/login")
    officer.fill("#username", "budi")
    officer.fill("#password", NEW_PASSWORD)
    with officer.expect_navigation():
        officer.locator("form.stack button[type=submit]").click()
    assert officer.url == f"{server.base_url}/counter/"
    assert_no_page_problems(page_problems)


def test_an_admin_registers_a_kiosk_through_its_one_time_link(contexts, server, page_problems):
    page = admin_page(contexts, server, "/admin/kiosks")
    page.fill("#kiosk-name", "Kiosk Lantai 2")
    with page.expect_navigation():
        page.locator("#add-kiosk button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Kiosk Lantai 2")
    expect(page.locator(".kiosk-link__qr svg")).to_be_visible()
    link = page.input_value("#kiosk-link")
    assert re.fullmatch(rf"{re.escape(server.base_url)}/kiosk/app#register=[\w-]+", link), link
    screenshot(page, "kiosk-link")

    kiosk = contexts.new(viewport=KIOSK, has_touch=True).new_page()
    kiosk.goto(link)
    frame = kiosk.frame_locator("#kiosk-frame")
    expect(frame.locator("#service-perizinan_berusaha")).to_be_visible()
    assert kiosk.url == f"{server.base_url}/kiosk/app"   # the token left the address bar
    frame.locator("#service-perizinan_berusaha").click()
    frame.locator("#lane-general").click()
    expect(frame.locator("#ticket-number")).to_have_text(re.compile(r"^A-\d{3}$"))

    # The same link on a second device does nothing: it was used up.
    second = contexts.new(viewport=KIOSK).new_page()
    second.goto(link)
    expect(second.frame_locator("#kiosk-frame").locator("#register-form")).to_be_visible()
    expect(second.frame_locator("#kiosk-frame").locator(".flash--error")).to_be_visible()

    page.goto(f"{server.base_url}/admin/kiosks")
    expect(page.locator("tbody")).to_contain_text("Kiosk Lantai 2")
    screenshot(page, "kiosks")
    assert_no_page_problems(page_problems, ignore="401")


def test_removing_a_user_signs_out_their_open_console_at_once(contexts, server):
    admin = admin_page(contexts, server, "/admin/users")
    add_account(admin, "sari", NEW_PASSWORD)
    console = contexts.new(viewport=LAPTOP).new_page()
    console.goto(f"{server.base_url}/counter/login")
    console.fill("#username", "sari")
    console.fill("#password", NEW_PASSWORD)
    with console.expect_navigation():
        console.locator("form.stack button[type=submit]").click()
    open_console(console, server, 2)
    row = admin.locator("#user-sari")
    row.locator("summary", has_text="Hapus").click()
    with admin.expect_navigation():
        row.get_by_role("button", name="Hapus sari sekarang").click()
    expect(admin.locator("#user-sari")).to_have_count(0)
    # No click on the console: its socket is closed by the server and the page goes to sign-in.
    console.wait_for_url(f"{server.base_url}/counter/login", timeout=10_000)
    expect(console.locator("#username")).to_be_visible()


def test_retiring_a_kiosk_stops_it_at_once(contexts, server):
    admin = admin_page(contexts, server, "/admin/kiosks")
    admin.fill("#kiosk-name", "Kiosk Sementara")
    with admin.expect_navigation():
        admin.locator("#add-kiosk button[type=submit]").click()
    link = admin.input_value("#kiosk-link")
    kiosk = contexts.new(viewport=KIOSK, has_touch=True).new_page()
    kiosk.goto(link)
    frame = kiosk.frame_locator("#kiosk-frame")
    expect(frame.locator("#service-perizinan_berusaha")).to_be_visible()

    admin.goto(f"{server.base_url}/admin/kiosks")
    row = admin.locator("tr", has_text="Kiosk Sementara")
    row.locator("summary", has_text="Pensiunkan").click()
    with admin.expect_navigation():
        row.get_by_role("button", name="Pensiunkan Kiosk Sementara sekarang").click()
    expect(admin.locator("tbody")).not_to_contain_text("Kiosk Sementara")

    # The kiosk's next touch issues nothing: it is back at the registration form.
    frame.locator("#service-perizinan_berusaha").click()
    expect(frame.locator("#register-form")).to_be_visible(timeout=15_000)
    expect(frame.locator("#ticket-number")).to_have_count(0)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/kiosks", "/account/password"])
def test_admin_pages_pass_axe(contexts, server, path):
    page = admin_page(contexts, server, path, bypass_csp=True)
    no_axe_violations(page, path)


def test_the_link_page_passes_axe(contexts, server):
    page = admin_page(contexts, server, "/admin/kiosks", bypass_csp=True)
    page.fill("#kiosk-name", "Kiosk Uji Aksesibilitas")
    with page.expect_navigation():
        page.locator("#add-kiosk button[type=submit]").click()
    no_axe_violations(page, "kiosk link")
