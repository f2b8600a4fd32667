"""The audit trail page in a supervisor's browser at 1366×768: a morning's actions listed newest
first, filtered by ticket, the chain checked, accessible; and a tampered row caught on screen."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

from shared.instance import DATABASE_NAME
from tests.helpers.live import demo_instance, launch

from .conftest import api_counter, api_staff_headers, api_ticket, assert_no_page_problems, shoot, sign_in
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    started = launch(demo_instance(tmp_path_factory.mktemp("audit") / "instance"))
    officer = api_staff_headers(started)
    tickets = [api_ticket(started) for _ in range(3)]
    api_counter(started, officer, 1)
    api_counter(started, officer, 1, "start")
    api_counter(started, officer, 1)
    started.tickets = tickets
    yield started
    started.stop()


def test_a_supervisor_reads_the_morning_and_checks_the_trail(contexts, server, page_problems):
    # axe is injected as a script tag, which the page's CSP would refuse.
    page = sign_in(contexts.new(viewport=LAPTOP, bypass_csp=True), server, "supervisor")
    page.goto(f"{server.base_url}/counter/audit")
    rows = page.locator("#audit-rows tbody tr")
    expect(rows.first).to_be_visible()
    actions = rows.evaluate_all("rows => rows.map(row => row.dataset.action)")
    # Newest first: the supervisor's own sign-in tops the list, the first ticket is at the bottom.
    assert actions[0] == "staff.signed_in" and actions[-1] != "staff.signed_in"
    assert actions.count("ticket.issued") == 3 and "ticket.done" in actions
    assert page.locator("#audit-rows tbody tr[data-action='ticket.called'] td").nth(1).inner_text() == "petugas"
    # The Indonesian words, not the action codes.
    assert "Dipanggil" in page.locator("#audit-rows").inner_text()
    passes, violations = axe_violations(page)
    assert passes > 10 and violations == [], report("audit page", violations)
    # No sideways scroll on the laptop.
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]

    page.fill("#audit-ticket", server.tickets[0]["number"].replace("-", "").lower())
    with page.expect_navigation():
        page.get_by_role("button", name="Tampilkan").click()
    shown = rows.evaluate_all("rows => rows.map(row => row.dataset.action)")
    assert shown and all(action.startswith("ticket.") for action in shown)
    assert set(page.locator("#audit-rows tbody td.audit__number-cell").all_inner_texts()) == {
        server.tickets[0]["number"]}

    with page.expect_navigation():
        page.get_by_role("link", name="Periksa jejak").click()
    expect(page.locator("#audit-verdict")).to_contain_text("Jejak utuh")
    shoot(page, "audit-1366x768-checked", full_page=False)
    assert_no_page_problems(page_problems)


def test_an_edited_row_is_named_on_the_page(contexts, server):
    raw = sqlite3.connect(server.instance / DATABASE_NAME)
    with raw:
        edited = raw.execute("SELECT id FROM audit WHERE action = 'ticket.done'").fetchone()[0]
        raw.execute("UPDATE audit SET detail = replace(detail, 'done', 'no_show') WHERE id = ?", (edited,))
    raw.close()
    page = sign_in(contexts.new(viewport=LAPTOP), server, "supervisor")
    page.goto(f"{server.base_url}/counter/audit?verify=1")
    verdict = page.locator("#audit-verdict")
    expect(verdict).to_contain_text(f"Jejak rusak pada baris {edited}")
    shoot(page, "audit-1366x768-broken", full_page=False)
