"""A full office on a visitor's phone: wait outside → come in now → go to counter N, live.

The demo office with room for one (`[capacity] max_inside = 1`, written before the server
starts): the second visitor is sent outside. Their phone shows it, with the people ahead
and an estimate; when the first visitor is finished the phone says "come in now" and the
wall display lists the number; once let in and called, the phone shows the counter. No
reload at any step. axe-core checks the phone page in each state, so its context bypasses
the page's CSP (as in test_accessibility.py); the wall display keeps the CSP on.
"""
from __future__ import annotations

import re
import shutil

import pytest
import requests
from playwright.sync_api import Page, expect

from shared.domain.config import DEMO_TEMPLATE
from tests.helpers.live import launch

from .conftest import (
    PHONE, WALL_SCREEN, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, counter_cell,
    open_status_page, shoot, wait_display_ready,
)
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

SERVICE = "perizinan_berusaha"   # demo office, prefix A; counters 1 and 2 call it for the general lane
# The Indonesian texts (shared/translations/id/LC_MESSAGES/messages.po) the visitor must read.
OUTSIDE_TEXT = "Silakan menunggu di luar. Kami akan mempersilakan Anda masuk saat ada tempat."
INVITED_TEXT = "Silakan masuk sekarang."
INVITED_HINT = ("Pindai tiket Anda di kios dekat pintu masuk, atau tunjukkan kepada petugas di sana. "
                "Tempat Anda ditahan selama 10 menit.")
WAITING_TEXT = "Silakan menunggu. Nomor Anda akan dipanggil."
CALLED_TEXT = "Giliran Anda! Silakan menuju loket."
ESTIMATE = re.compile(r"^(\d+)–(\d+) menit$")


@pytest.fixture
def full_office(tmp_path, demo_template):
    """The demo office (its accounts copied from the session's template) with room for one."""
    instance = tmp_path / "instance"
    shutil.copytree(demo_template, instance)
    text = DEMO_TEMPLATE.read_text(encoding="utf-8")
    assert text.count("max_inside = 40") == 1, "the demo office.toml changed: update this test"
    (instance / "office.toml").write_text(text.replace("max_inside = 40", "max_inside = 1"), encoding="utf-8")
    server = launch(instance)
    yield server
    server.stop()   # quick: no graceful wait for the pages' websockets


def no_accessibility_violations(page: Page, name: str) -> None:
    passes, violations = axe_violations(page)
    print(report(name, violations) if violations else f"{name}: no violations ({passes} rules passed)")
    assert passes > 10, "axe did not really run"
    assert not violations, report(name, violations)


def test_outside_invited_called_on_the_phone(full_office, contexts, page_problems):
    server = full_office
    base = server.base_url

    # The wall display is up before anyone arrives.
    wall = contexts.new(viewport=WALL_SCREEN).new_page()
    wall.emulate_media(reduced_motion="reduce")
    wall.goto(f"{base}/display/")
    wait_display_ready(wall)
    expect(wall.locator("#occupancy")).to_have_text("0/1")
    expect(wall.locator("#invited-block")).to_be_hidden()

    first = api_ticket(server, SERVICE)
    ours = api_ticket(server, SERVICE)
    assert (first["number"], first["status"]) == ("A-001", "waiting")
    assert (ours["number"], ours["status"], ours["ahead"]) == ("A-002", "outside", 1)
    expect(wall.locator("#occupancy")).to_have_text("1/1")

    # -- outside --------------------------------------------------------------------------
    phone, navigations, texts = open_status_page(contexts.new(**PHONE, bypass_csp=True), ours["status_url"])
    assert (texts["outside"], texts["invited"], texts["called"]) == (OUTSIDE_TEXT, INVITED_TEXT, CALLED_TEXT)
    card = phone.locator("#status-card")
    expect(phone.locator(".status-card__number")).to_have_text("A-002")
    expect(card).to_have_class("status-card status-card--outside")
    expect(phone.locator("#status-text")).to_have_text(OUTSIDE_TEXT)
    expect(phone.locator("#status-hint")).to_be_hidden()
    expect(phone.locator("#status-ahead-line")).to_be_visible()
    expect(phone.locator("#status-ahead")).to_have_text("1")
    expect(phone.locator("#status-estimate-line")).to_be_visible()
    expect(phone.locator("#status-estimate")).to_have_text(ESTIMATE)
    status = requests.get(f"{base}/api/tickets/{ours['token']}", timeout=10).json()
    low, high = status["estimate_min"]
    expect(phone.locator("#status-estimate")).to_have_text(f"{low}–{high} menit")
    expect(phone.locator("#status-counter")).to_be_hidden()
    expect(phone.locator("#cancel-form button")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    phone.evaluate("window.__sameDocument = true")
    shoot(phone, "capacity-phone-outside")
    no_accessibility_violations(phone, "phone outside")

    # -- invited: the visitor before is finished --------------------------------------------
    officer = api_staff_headers(server)
    assert api_counter(server, officer, 1)["number"] == "A-001"
    assert api_counter(server, officer, 1, "done")["status"] == "done"
    expect(card).to_have_class("status-card status-card--invited")
    expect(phone.locator("#status-text")).to_have_text(INVITED_TEXT)
    expect(phone.locator("#status-hint")).to_have_text(INVITED_HINT)   # how to come in, and for how long
    expect(phone.locator("#status-ahead")).to_have_text("0")
    expect(phone.locator("#status-counter")).to_be_hidden()
    assert phone.evaluate("window.__sameDocument") is True and len(navigations) == 1, "the page reloaded"
    shoot(phone, "capacity-phone-invited")
    no_accessibility_violations(phone, "phone invited")

    expect(wall.locator("#occupancy")).to_have_text("1/1")      # the place is held for A-002
    expect(wall.locator("#invited-block")).to_be_visible()
    expect(wall.locator("#invited-list li")).to_have_text(["A-002"])
    shoot(wall, "capacity-display-invited", full_page=False)

    # -- in, then called ---------------------------------------------------------------------
    entered = requests.post(f"{base}/api/tickets/{ours['token']}/enter",
                            headers={"Authorization": f"Bearer {server.logins.kiosk_token}"}, timeout=10)
    assert entered.status_code == 200, entered.text
    assert entered.json()["status"] == "waiting"
    expect(card).to_have_class("status-card status-card--waiting")
    expect(phone.locator("#status-text")).to_have_text(WAITING_TEXT)
    expect(wall.locator("#invited-block")).to_be_hidden()
    expect(wall.locator("#occupancy")).to_have_text("1/1")

    called = api_counter(server, officer, 2)
    assert (called["number"], called["counter"]) == ("A-002", 2)
    expect(card).to_have_class("status-card status-card--called")
    expect(phone.locator("#status-text")).to_have_text(CALLED_TEXT)
    expect(phone.locator("#status-counter")).to_be_visible()
    expect(phone.locator("#status-counter-number")).to_have_text("2")
    expect(phone.locator("#status-ahead-line")).to_be_hidden()
    expect(phone.locator("#status-estimate-line")).to_be_hidden()
    expect(phone.locator("#cancel-form")).to_be_hidden()
    assert phone.evaluate("window.__sameDocument") is True and len(navigations) == 1, "the page reloaded"
    shoot(phone, "capacity-phone-called")
    no_accessibility_violations(phone, "phone called")

    expect(wall.locator("#latest-number")).to_have_text("A-002")
    expect(counter_cell(wall, "Loket 2")).to_have_text("A-002")
    shoot(wall, "capacity-display-called", full_page=False)
    assert_no_page_problems(page_problems)
