"""HTML and script typed into every free-text field that reaches a screen show as text, never run.

The office's names (office, service, counter, screening question) come from office.toml, the
running text from the API, a kiosk's name from the command line and a survey comment from a
visitor's phone. Every screen that shows them is opened with the Content-Security-Policy
bypassed, so only escaping stands between the text and the page: no dialog may open, no
element may be made from the text, and the text itself must be there to read.
"""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.helpers.live import WAIT, add_kiosk, bearer, demo_instance, launch, login

from .conftest import (
    PHONE, WALL_SCREEN, api_counter, api_staff_headers, api_ticket, open_console, register_kiosk, shoot, sign_in,
    wait_display_ready,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]


def payload(field: str) -> str:
    """Markup that would open a dialog and leave a `[data-xss]` element if it were rendered."""
    return f"{field}<img src=x data-xss onerror=alert(1)>"  # kiosk names stop at 60 characters


OFFICE, SERVICE, COUNTER, QUESTION = payload("office"), payload("service"), payload("counter"), payload("question")
KIOSK, COMMENT, ALTERNATIVE, NOTE = payload("kiosk"), payload("comment"), payload("alternative"), payload("note")
RUNNING = "running<script>alert('running')</script><img src=x data-xss onerror=alert('running')>"


def hostile_office(instance) -> None:
    """Put markup in the office's, a service's, a counter's and an alternative's names, an
    alternative's note and a screening question."""
    toml = instance / "office.toml"
    text = toml.read_text()
    for old, new in (('name = "DPMPTSP Kota Contoh (Demo)"', f'name = "{OFFICE}"'),
                     ('name = "Perizinan Berusaha"', f'name = "{SERVICE}"'),
                     ('name_en = "Business licensing"', f'name_en = "{SERVICE}"'),
                     ('name = "Loket 1"', f'name = "{COUNTER}"'),
                     ('name = "OSS - Online Single Submission"', f'name = "{ALTERNATIVE}"'),
                     ('note = "Perizinan berusaha secara daring"', f'note = "{NOTE}"')):
        assert old in text, old
        text = text.replace(old, new, 1)
    text += f'\n[screening]\nquestions = [{{ id = "{QUESTION}", en = "{QUESTION}" }}]\n'
    toml.write_text(text)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    instance = demo_instance(tmp_path_factory.mktemp("xss") / "instance")
    hostile_office(instance)
    server = launch(instance)
    add_kiosk(instance, KIOSK)
    supervisor = bearer(login(server.base_url, "supervisor", server.logins.passwords["supervisor"]))
    shown = requests.put(server.url("/api/announcement"), json={"text": RUNNING}, headers=supervisor, timeout=WAIT)
    assert shown.status_code == 200, shown.text
    # A finished visit rated with a comment (for the reports), and a visitor waiting (for the phone).
    officer = api_staff_headers(server)
    rated = api_ticket(server)
    api_counter(server, officer, 1)
    api_counter(server, officer, 1, "done")
    token = rated["status_url"].rsplit("/t/", 1)[1]
    answer = requests.post(server.url(f"/api/tickets/{token}/feedback"), json={"score": 4, "comment": COMMENT},
                           timeout=WAIT)
    assert answer.status_code in (200, 201), answer.text
    server.waiting = api_ticket(server)
    yield server
    server.stop()


@pytest.fixture
def dialogs() -> list[str]:
    return []


def open_unprotected(contexts, dialogs: list[str], **options):
    """A browser context without the CSP, recording any dialog a script opens."""
    context = contexts.new(bypass_csp=True, **options)
    context.on("page", lambda page: page.on("dialog", lambda dialog: (dialogs.append(dialog.message),
                                                                     dialog.dismiss())))
    return context


def assert_shown_as_text(page: Page, dialogs: list[str], *texts: str) -> None:
    page.wait_for_timeout(300)  # an image's onerror fires once its load fails
    assert dialogs == [], f"a script ran on {page.url}: {dialogs}"
    assert page.locator("[data-xss]").count() == 0, f"markup became elements on {page.url}"
    body = page.evaluate("document.body.textContent")
    for text in texts:
        assert text in body, f"{text!r} is not shown as text on {page.url}"
    # The office's name at least is in view, not only in the page source.
    if OFFICE in texts:
        expect(page.get_by_text(OFFICE).first).to_be_visible()


def test_kiosk_shows_names_and_questions_as_text(office, contexts, dialogs):
    page = register_kiosk(open_unprotected(contexts, dialogs), office)
    assert_shown_as_text(page, dialogs, OFFICE, SERVICE)
    page.get_by_text(SERVICE).first.click()
    page.wait_for_timeout(300)
    assert_shown_as_text(page, dialogs, QUESTION)
    shoot(page, "xss-kiosk-screening", full_page=False)
    # Answering "yes" advises postponing and lists the other channels (the alternatives).
    page.locator("label[for=q0-yes]").click()
    page.locator("#screening-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert_shown_as_text(page, dialogs, ALTERNATIVE, NOTE)


def test_wall_display_shows_names_and_running_text_as_text(office, contexts, dialogs):
    page = open_unprotected(contexts, dialogs, viewport=WALL_SCREEN).new_page()
    page.goto(office.url("/display/"))
    wait_display_ready(page)
    assert_shown_as_text(page, dialogs, OFFICE, SERVICE, RUNNING)
    shoot(page, "xss-display", full_page=False)


def test_console_and_floor_show_names_as_text(office, contexts, dialogs):
    console = sign_in(open_unprotected(contexts, dialogs), office)
    open_console(console, office, 1)
    assert_shown_as_text(console, dialogs, SERVICE, COUNTER)
    floor = sign_in(open_unprotected(contexts, dialogs), office, "supervisor")
    floor.goto(office.url("/counter/floor"))
    floor.wait_for_load_state("networkidle")
    assert_shown_as_text(floor, dialogs, SERVICE, RUNNING)


def test_admin_and_reports_show_kiosk_names_and_comments_as_text(office, contexts, dialogs):
    admin = sign_in(open_unprotected(contexts, dialogs), office, "admin")
    admin.goto(office.url("/admin/kiosks"))
    assert_shown_as_text(admin, dialogs, KIOSK)
    admin.goto(office.url("/admin/office"))
    assert_shown_as_text(admin, dialogs)
    # The office editor shows the name in its field, as the value typed (not as markup).
    assert OFFICE in admin.evaluate("[...document.querySelectorAll('input, textarea')].map(e => e.value).join(' ')")
    reports = sign_in(open_unprotected(contexts, dialogs), office, "supervisor")
    reports.goto(office.url("/counter/reports"))
    reports.wait_for_load_state("networkidle")
    assert_shown_as_text(reports, dialogs, COMMENT, SERVICE)


def test_phone_shows_names_as_text(office, contexts, dialogs):
    page = open_unprotected(contexts, dialogs, **PHONE).new_page()
    page.goto(office.waiting["status_url"])
    page.wait_for_load_state("networkidle")
    assert_shown_as_text(page, dialogs, OFFICE, SERVICE)
