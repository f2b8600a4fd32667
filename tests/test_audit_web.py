"""The audit trail over the web: `GET /api/audit`, its CSV, the supervisors' page, and the
sign-ins and staff actions the pages and API record."""
from __future__ import annotations

import csv
import io
import sqlite3

import pytest

from shared.instance import DATABASE_NAME
from tests.test_kiosk_api import take
from tests.test_pages import csrf_of, login


@pytest.fixture
def supervisor(staff_headers):
    return staff_headers("supervisor")


def audit_rows(client, headers, **query):
    response = client.get("/api/audit", headers=headers, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_api_lists_today_with_who_what_and_ticket(client, kiosk_headers, staff_headers, supervisor):
    officer = staff_headers("officer")
    ticket = take(client, kiosk_headers).get_json()
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 200
    rows = audit_rows(client, supervisor)
    actions = [row["action"] for row in rows]
    assert "staff.signed_in" in actions and "ticket.issued" in actions and "ticket.called" in actions
    called = next(row for row in rows if row["action"] == "ticket.called")
    assert set(called) >= {"at", "actor", "action", "ticket", "detail"}
    assert called["actor"] == "petugas" and called["ticket"] == ticket["number"] and called["counter"] == 1
    assert called["detail"]["from"] == "waiting" and called["detail"]["to"] == "called"
    assert called["at"].endswith("+07:00")   # office time
    issued = next(row for row in rows if row["action"] == "ticket.issued")
    assert issued["actor"] == "Kiosk demo" and issued["actor_kind"] == "kiosk"
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


def test_api_pages_with_after_and_limit(client, kiosk_headers, supervisor):
    for _ in range(5):
        take(client, kiosk_headers).get_json()
    everything = audit_rows(client, supervisor)
    first = client.get("/api/audit", headers=supervisor, query_string={"limit": 2})
    assert len(first.get_json()) == 2 and first.headers["X-Next-After"] == str(first.get_json()[-1]["id"])
    rest = audit_rows(client, supervisor, after=first.headers["X-Next-After"])
    assert first.get_json() + rest == everything
    only_tickets = audit_rows(client, supervisor, action="ticket.")
    assert only_tickets and all(row["action"].startswith("ticket.") for row in only_tickets)


@pytest.mark.parametrize("query, status", [
    ({"from": "2026-13-01"}, 400), ({"from": "2026-03-05", "to": "2026-03-01"}, 422),
    ({"from": "2024-01-01", "to": "2026-01-01"}, 422), ({"limit": "0"}, 400), ({"limit": "x"}, 400),
    ({"after": "-1"}, 400), ({"ticket": "???"}, 400),
])
def test_api_refuses_bad_queries_clearly(client, supervisor, query, status):
    response = client.get("/api/audit", headers=supervisor, query_string=query)
    assert response.status_code == status
    assert set(response.get_json()["error"]) == {"code", "message"}


def test_officers_and_strangers_are_refused(client, staff_headers):
    for path in ("/api/audit", "/api/audit.csv"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=staff_headers("officer")).status_code == 403


def test_sign_in_failures_are_recorded_only_for_real_accounts(client, demo, supervisor):
    assert client.post("/api/login", json={"username": "petugas", "password": "wrong password"}).status_code == 401
    assert client.post("/api/login", json={"username": "my secret pw", "password": "x"}).status_code in (400, 401)
    rows = audit_rows(client, supervisor, action="staff.")
    failed = [row for row in rows if row["action"] == "staff.sign_in_failed"]
    assert [row["actor"] for row in failed] == ["petugas"]
    assert "my secret pw" not in str(rows)
    assert {"via": "api"} == failed[0]["detail"]


def test_admin_and_supervisor_actions_name_who_did_them(client, staff_headers, supervisor):
    admin = staff_headers("admin")
    assert client.put("/api/capacity", json={"max_inside": 12}, headers=supervisor).status_code == 200
    assert client.post("/api/kiosks", json={"name": "Lobi"}, headers=admin).status_code == 201
    assert client.put("/api/announcement", json={"text": "Istirahat 12.00"}, headers=supervisor).status_code == 200
    rows = {row["action"]: row for row in audit_rows(client, supervisor)}
    assert rows["capacity.set"]["actor"] == "supervisor" and rows["capacity.set"]["detail"] == {"max_inside": 12}
    assert rows["kiosk.added"]["actor"] == "admin" and rows["kiosk.added"]["detail"]["name"] == "Lobi"
    assert rows["announcement.set"]["detail"]["text"] == "Istirahat 12.00"


def test_csv_has_every_row_and_no_formulas(client, staff_headers, supervisor):
    admin = staff_headers("admin")
    assert client.post("/api/kiosks", json={"name": "=HYPERLINK(\"http://x\")"}, headers=admin).status_code == 201
    response = client.get("/api/audit.csv", headers=supervisor)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(table) == len(audit_rows(client, supervisor))
    made = [row for row in table if row["action"] == "kiosk.added"]
    assert [row["actor"] for row in made] == ["cli", "admin"]   # the demo's kiosk, then the admin's
    assert '=HYPERLINK' in made[-1]["detail"]   # inside the JSON text, which starts with "{"
    assert not any(cell.startswith(("=", "+", "@")) for row in table for cell in row.values())


def test_page_lists_rows_escaped_and_checks_the_chain(app, client, demo, staff_headers, instance_dir):
    supervisor = staff_headers("supervisor")
    assert client.put("/api/announcement", json={"text": "<script>alert(1)</script>"},
                      headers=supervisor).status_code == 200
    browser = app.test_client()
    login(browser, demo, "supervisor")
    page = browser.get("/counter/audit").get_data(as_text=True)
    assert 'data-action="announcement.set"' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    checked = browser.get("/counter/audit?verify=1").get_data(as_text=True)
    assert 'class="flash flash--ok" id="audit-verdict"' in checked
    raw = sqlite3.connect(instance_dir / DATABASE_NAME)
    with raw:
        raw.execute("UPDATE audit SET detail = '{\"max_inside\":999}' WHERE action = 'announcement.set'")
    raw.close()
    broken = browser.get("/counter/audit?verify=1").get_data(as_text=True)
    assert 'class="flash flash--error" id="audit-verdict"' in broken
    officer = app.test_client()
    login(officer, demo, "petugas")
    assert officer.get("/counter/audit").status_code == 403


def test_page_filters_by_ticket_number_and_kind(app, client, demo, kiosk_headers):
    first, second = take(client, kiosk_headers).get_json(), take(client, kiosk_headers).get_json()
    browser = app.test_client()
    login(browser, demo, "supervisor")
    typed = first["number"].replace("-", "").lower()     # "a1" style, as officers type it
    page = browser.get("/counter/audit", query_string={"ticket": typed}).get_data(as_text=True)
    assert first["number"] in page and second["number"] not in page
    staff_only = browser.get("/counter/audit", query_string={"kind": "staff."}).get_data(as_text=True)
    assert 'data-action="staff.signed_in"' in staff_only and 'data-action="ticket.issued"' not in staff_only
    assert browser.get("/counter/audit", query_string={"kind": "nope"}).status_code == 400


def test_office_edit_from_the_admin_page_is_recorded(app, client, demo, staff_headers):
    from tests.test_office_edit_pages import form_of
    browser = app.test_client()
    login(browser, demo, "admin")
    assert browser.post("/admin/office", data=form_of(browser)).status_code == 302
    rows = audit_rows(client, staff_headers("supervisor"), action="office.")
    assert rows and rows[-1]["actor"] == "admin" and rows[-1]["detail"]["section"] == "office"
