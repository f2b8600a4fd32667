"""Browser fixtures: one Debian Chromium per session, a fresh context per screen.

Every context gets two hooks:

- the ticket PDF (`/api/tickets/<token>/pdf`) is intercepted and answered with a tiny HTML
  page, because headless Chromium + Playwright crash ("Frame has been detached") when a frame
  loads a real PDF; the requested URLs are recorded in `pdf_requests`. The kiosk prints its
  ticket page itself, so printing requests no PDF: `pdf_requests` stays empty;
- `window.print` is replaced in every frame by a recorder, so a test can assert that the
  kiosk really asked to print, which document (`printed_urls(page)`) and which ticket was on
  the page to print (`printed_tickets(page)`). `fail_printing(page)` makes the next prints
  throw, as a kiosk without a printer might.

Console errors and uncaught exceptions of every page are collected in `page_problems`, so a
test can assert the screens ran without a script error or a CSP violation.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.helpers.live import REPO, Server, bearer, demo_instance, launch, login

CHROMIUM = os.environ.get("ANTREAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = REPO / "tests" / "artifacts"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
PDF_ROUTE = "**/api/tickets/*/pdf*"
DESKTOP = {"width": 1366, "height": 900}
KIOSK_SCREEN = {"width": 1080, "height": 1500}   # a portrait kiosk touch screen
WALL_SCREEN = {"width": 1920, "height": 1080}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}

# Runs in every frame before the page's own scripts: record print() instead of opening a dialog.
PRINT_RECORDER = """
(() => {
  window.print = function () {
    var top = window;
    try {
      top = window.top;
      top.__antreanPrinted = (top.__antreanPrinted || []).concat([window.location.href]);
      var ticket = document.getElementById("printed-ticket");
      top.__antreanPrintedTickets = (top.__antreanPrintedTickets || []).concat([ticket ? {
        number: ticket.querySelector(".printed-ticket__number").textContent.trim(),
        lang: ticket.getAttribute("lang"),
        text: ticket.textContent.replace(/\\s+/g, " ").trim(),
      } : null]);
    } catch (error) { /* cross-origin frame */ }
    if (top.__antreanPrintFails) { throw new Error("printer offline"); }
  };
})();
"""


# -- the browser ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium; a missing browser is a failure (not a skip): `make test` installs it."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM!r}. The browser tests need Debian's chromium: run "
            "`make chromium` (apt-get install chromium) or point ANTREAN_CHROMIUM at a chromium binary.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path) -> Browser:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Problem:
    page_url: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"[{self.kind}] {self.page_url}: {self.text}"


@dataclass
class Contexts:
    """Factory of browser contexts for one test; all are closed when the test ends."""

    browser: Browser
    pdf_requests: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    opened: list[BrowserContext] = field(default_factory=list)

    def new(self, *, viewport: dict | None = None, **options) -> BrowserContext:
        context = self.browser.new_context(viewport=viewport or DESKTOP, **options)
        context.set_default_timeout(10_000)
        context.route(PDF_ROUTE, self._fake_pdf)
        context.add_init_script(PRINT_RECORDER)
        context.on("page", self._watch)
        self.opened.append(context)
        return context

    def _fake_pdf(self, route) -> None:
        self.pdf_requests.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body="<!doctype html><title>ticket</title><p>printed ticket</p>")

    def _watch(self, page: Page) -> None:
        page.on("console", lambda message: message.type == "error" and self.problems.append(
            Problem(page.url, "console", message.text)))
        page.on("pageerror", lambda error: self.problems.append(Problem(page.url, "pageerror", str(error))))

    def close(self) -> None:
        for context in self.opened:
            try:
                context.close()
            except Exception:  # the browser may already be gone after a crash
                pass


@pytest.fixture
def contexts(browser) -> Contexts:
    made = Contexts(browser)
    yield made
    made.close()


@pytest.fixture
def pdf_requests(contexts) -> list[str]:
    return contexts.pdf_requests


@pytest.fixture
def page_problems(contexts) -> list[Problem]:
    return contexts.problems


def assert_no_page_problems(problems: list[Problem], ignore: str | None = None) -> None:
    left = [p for p in problems if not (ignore and re.search(ignore, p.text))]
    assert not left, "script errors on the pages:\n" + "\n".join(map(str, left))


def printed_urls(page: Page) -> list[str]:
    """The documents `print()` was called on (recorded by PRINT_RECORDER)."""
    return page.evaluate("window.__antreanPrinted || []")


def printed_tickets(page: Page) -> list[dict | None]:
    """At each `print()`, the printed ticket on the page: `{"number", "lang", "text"}`."""
    return page.evaluate("window.__antreanPrintedTickets || []")


def fail_printing(page: Page) -> None:
    """From now on `print()` throws on this page, like a kiosk whose printer is gone."""
    page.evaluate("window.__antreanPrintFails = true")


# -- driving the screens ----------------------------------------------------------------

def register_kiosk(context: BrowserContext, server: Server) -> Page:
    """Open the registration link `/kiosk/register#TOKEN`; the page submits itself."""
    page = context.new_page()
    page.goto(f"{server.base_url}/kiosk/register#{server.logins.kiosk_token}")
    page.wait_for_url(f"{server.base_url}/kiosk/")
    return page


def sign_in(context: BrowserContext, server: Server, username: str = "petugas") -> Page:
    page = context.new_page()
    page.goto(f"{server.base_url}/counter/login")
    page.fill("#username", username)
    page.fill("#password", server.logins.passwords[username])
    with page.expect_navigation():
        page.locator("form.stack button[type=submit]").click()
    # Officers land on the counter picker, supervisors on the floor.
    assert page.url in (f"{server.base_url}/counter/", f"{server.base_url}/counter/floor"), \
        f"sign-in failed, ended on {page.url}"
    return page


def open_console(page: Page, server: Server, number: int) -> None:
    """Open a counter console; wait until its live channel is up and its first refresh is done
    (the console re-fetches its panel when the socket connects)."""
    with page.expect_response(lambda response: response.url.endswith(f"/counter/{number}/panel")):
        page.goto(f"{server.base_url}/counter/{number}")
    page.wait_for_timeout(100)  # the fetched panel replaces the old one


def record_navigations(page: Page) -> list[str]:
    """The URLs the page's main frame loads from now on: a live screen must stay on the first."""
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url))
    return navigations


def open_status_page(context: BrowserContext, status_url: str) -> tuple[Page, list[str], dict]:
    """A visitor's phone opens the ticket's link; returns once its websocket is up.

    Gives the page, its navigations, and the status texts the page script shows per status.
    """
    phone = context.new_page()
    navigations = record_navigations(phone)
    with phone.expect_websocket(lambda ws: "/socket.io/" in ws.url):
        response = phone.goto(status_url)
    assert response.status == 200
    texts = json.loads(phone.locator("#antrean-vocabulary").text_content())["statuses"]
    return phone, navigations, texts


def wait_display_ready(page: Page) -> None:
    """The wall has received its first snapshot."""
    page.wait_for_function("() => window.antreanDisplay && window.antreanDisplay.lastSeq() >= 0")


def counter_cell(page: Page, name: str):
    """The number shown for one counter in the wall's counter grid."""
    return page.locator("#counter-grid li").filter(
        has=page.locator(".counter-grid__name", has_text=re.compile(rf"^{re.escape(name)}$"))
    ).locator(".counter-grid__number")


def waiting_cell(page: Page, service_name: str):
    """The waiting count shown for one service in the wall's waiting list."""
    return page.locator("#waiting-list li").filter(
        has=page.locator("span", has_text=re.compile(rf"^{re.escape(service_name)}$"))
    ).locator("strong")


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to tests/artifacts/NAME.png (gitignored) for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


# -- the JSON API (to set the scene quickly) ----------------------------------------------

def api_ticket(server: Server, service: str = "perizinan_berusaha", lane: str = "general") -> dict:
    response = requests.post(f"{server.base_url}/api/tickets", json={"service": service, "lane": lane},
                             headers={"Authorization": f"Bearer {server.logins.kiosk_token}"}, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()


def api_staff_headers(server: Server, username: str = "petugas") -> dict:
    return bearer(login(server.base_url, username, server.logins.passwords[username]))


def api_counter(server: Server, headers: dict, number: int, action: str = "call-next") -> dict | None:
    response = requests.post(f"{server.base_url}/api/counters/{number}/{action}", json={},
                             headers=headers, timeout=10)
    assert response.status_code in (200, 204), response.text
    return response.json() if response.status_code == 200 else None


# -- one populated office for the page-by-page checks (accessibility, language) ----------------

@dataclass
class Scene:
    """A running office with calls and a waiting list, and signed-in browser contexts."""

    server: Server
    contexts: Contexts
    kiosk: BrowserContext          # a registered kiosk
    staff: BrowserContext          # petugas, signed in
    waiting: dict                  # A-003, waiting (issue body)
    called: dict                   # A-001, called at counter 1 (issue body)

    def page(self, context: BrowserContext, path: str) -> Page:
        page = context.new_page()
        page.goto(f"{self.server.base_url}{path}")
        return page


@pytest.fixture(scope="session")
def scene(browser, tmp_path_factory) -> Scene:
    """Started once: A-001 called at counter 1, A-002 (senior) at counter 7, A-003 and B-001 waiting.

    The contexts bypass the pages' CSP, so that axe-core can be injected as a script tag."""
    server = launch(demo_instance(tmp_path_factory.mktemp("scene") / "instance"))
    made = Contexts(browser)
    try:
        kiosk = made.new(viewport=KIOSK_SCREEN, bypass_csp=True)
        register_kiosk(kiosk, server).close()
        staff = made.new(bypass_csp=True)
        sign_in(staff, server, "petugas").close()
        called = api_ticket(server)
        api_ticket(server, lane="senior")
        waiting = api_ticket(server)
        api_ticket(server, service="izin_kesehatan")
        officer = api_staff_headers(server)
        assert api_counter(server, officer, 7)["number"] == "A-002"    # priority lanes go first
        assert api_counter(server, officer, 1)["number"] == called["number"] == "A-001"
        yield Scene(server, made, kiosk, staff, waiting, called)
    finally:
        made.close()
        server.stop()
