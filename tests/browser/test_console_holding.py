"""One officer per counter, on the console: a second officer is told who works it, a supervisor
can take it over, and call-next over a visitor who never came says they were marked absent."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers.live import add_officer

from .conftest import api_ticket, assert_no_page_problems, open_console, shoot, sign_in
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}
HELD = "Loket 1 sedang dipegang oleh petugas. Minta supervisor untuk mengambil alih."


def test_second_officer_is_refused_and_a_supervisor_takes_over(live_server, contexts, page_problems):
    api_ticket(live_server), api_ticket(live_server)
    add_officer(live_server.instance, "andi", "kata-sandi-andi-panjang")
    live_server.logins.passwords["andi"] = "kata-sandi-andi-panjang"

    first = sign_in(contexts.new(viewport=LAPTOP), live_server, "petugas")
    open_console(first, live_server, 1)
    with first.expect_navigation():
        first.keyboard.press("n")
    expect(first.locator("#current-number")).to_have_text("A-001")
    expect(first.locator("#counter-holder")).to_have_text("Anda bertugas di loket ini.")
    # A-001 never came to the counter: the next call marks them absent, and says so.
    with first.expect_navigation():
        first.keyboard.press("n")
    expect(first.locator("#current-number")).to_have_text("A-002")
    expect(first.locator(".flash--warning")).to_have_text(
        "A-001 tidak datang ke loket: ditandai tidak hadir. Pengunjung dapat kembali dalam 30 menit "
        "dengan tiket yang sama.")
    shoot(first, "console-absent-warning", full_page=False)

    second = sign_in(contexts.new(viewport=LAPTOP, bypass_csp=True), live_server, "andi")   # axe is injected
    expect(second.locator(".counter-link", has_text="Loket 1")).to_contain_text("Dipegang oleh petugas")
    open_console(second, live_server, 1)
    expect(second.locator("#counter-held")).to_contain_text(HELD)
    expect(second.get_by_role("button", name="Ambil alih loket ini")).to_have_count(0)   # officers cannot
    with second.expect_navigation():
        second.keyboard.press("n")
    expect(second.locator(".flash--error", has_text="Loket 1")).to_have_text(HELD)
    expect(second.locator("#current-number")).to_have_text("A-002")   # petugas's visitor, untouched
    shoot(second, "console-counter-taken", full_page=False)
    violations = axe_violations(second)[1]
    assert violations == [], report("console-counter-taken", violations)

    boss = sign_in(contexts.new(viewport=LAPTOP), live_server, "supervisor")
    open_console(boss, live_server, 1)
    with boss.expect_navigation():
        boss.get_by_role("button", name="Ambil alih loket ini").click()
    expect(boss.locator(".flash--info")).to_have_text("Anda kini memegang loket ini.")
    expect(boss.locator("#counter-holder")).to_be_visible()
    assert_no_page_problems(page_problems)
