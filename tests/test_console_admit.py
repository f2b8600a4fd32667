"""Invited visitors on the console: seen by the officer, let in and called in one action.

An invited visitor holds a place inside but is not called until they come in; one who walked
past the scanner waited unseen. The console lists them and `admit-call` does both steps.
"""
from datetime import datetime, timezone

import pytest

from tests.helpers.offices import clocked_office
from tests.test_kiosk_api import assert_error

from shared.domain.errors import DomainError
from shared.domain.events import QueueChanged, TicketCalled
from shared.domain.model import StaffUser
from shared.services import calling, capacity, counters, tickets
from shared.views import counters as counter_views

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB
OFFICER = StaffUser(1, "petugas", "officer")
BOSS = StaffUser(2, "kepala", "supervisor")


@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.sqlite3", NOW, (("petugas", "officer"), ("kepala", "supervisor")))


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def full_office_with_one_invited(office, db):
    """Cap 1: A-001 is called at counter 1 and finished, so A-002 (outside) is invited in."""
    capacity.set_max_inside(office, db, 1, staff=BOSS)
    tickets.issue(office, db, service="perizinan_berusaha", lane="general")
    tickets.issue(office, db, service="perizinan_berusaha", lane="general")
    tickets.issue(office, db, service="perizinan_berusaha", lane="general")
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.finish(office, db, 1, staff=OFFICER)
    invited = counter_views.panel(office, db, 1)["invited"]
    assert [t.number for t in invited] == ["A-002"] and invited[0].status == "invited"
    return invited[0]


def test_the_panel_shows_invited_visitors_the_counter_may_call(office, db):
    invited = full_office_with_one_invited(office, db)
    assert counter_views.panel(office, db, 1)["waiting"] == []   # not in the waiting list: not callable
    assert counter_views.panel(office, db, 7)["invited"] == []   # the priority counter does not serve general
    assert counter_views.panel(office, db, 3)["invited"] == []   # another service's counter
    assert counter_views.invited_for(office, db, counters.desk(office, db, 2)) == [invited]


def test_admit_and_call_lets_in_and_calls_in_one_transaction(office, db):
    invited = full_office_with_one_invited(office, db)
    since = db.events.last_seq()
    result = calling.admit_and_call(office, db, 1, "a2", staff=OFFICER)
    assert (result.called.number, result.called.status, result.called.counter) == ("A-002", "called", 1)
    assert result.rule == calling.ADMITTED and result.previous is None
    came_in, called = db.tickets.history(invited.id)[-2:]
    assert (came_in["from_status"], came_in["to_status"], came_in["counter"], came_in["staff_id"],
            came_in["detail"]) == ("invited", "waiting", 1, OFFICER.id, "came in")
    assert (called["to_status"], called["detail"]) == ("called", "rule:admitted")
    events = [item.event for item in db.events.after(since)]
    assert isinstance(events[0], TicketCalled) and events[0].number == "A-002"
    assert isinstance(events[-1], QueueChanged) and len(events) == 2   # one write, one snapshot
    assert counter_views.panel(office, db, 1)["invited"] == []


def test_admit_and_call_over_a_served_visitor_finishes_them_and_invites_the_next(office, db):
    full_office_with_one_invited(office, db)
    calling.admit_and_call(office, db, 1, "A-002", staff=OFFICER)
    calling.start(office, db, 1, staff=OFFICER)
    # A-003 is still outside (cap 1): it cannot be called before it is invited or there is room.
    with pytest.raises(DomainError) as full:
        calling.admit_and_call(office, db, 2, "A3", staff=BOSS)
    assert full.value.code == "not_invited"
    result = calling.call_next(office, db, 1, staff=OFFICER)   # A-002 done: a place frees, A-003 invited
    assert result.called is None and result.previous.status == "done"
    assert [t.number for t in counter_views.panel(office, db, 1)["invited"]] == ["A-003"]


@pytest.mark.parametrize("typed, code", [("A-009", "unknown_ticket"), ("nonsense", "unknown_ticket"),
                                         ("A-001", "invalid_state")])
def test_admit_and_call_refusals(office, db, typed, code):
    full_office_with_one_invited(office, db)
    since = db.events.last_seq()
    with pytest.raises(DomainError) as refused:
        calling.admit_and_call(office, db, 1, typed, staff=OFFICER)
    assert refused.value.code == code and db.events.last_seq() == since


def test_admit_and_call_at_a_counter_that_may_not_call_the_ticket(office, db):
    full_office_with_one_invited(office, db)
    with pytest.raises(DomainError) as refused:
        calling.admit_and_call(office, db, 3, "A-002", staff=OFFICER)   # counter 3 serves izin_kesehatan
    assert refused.value.code == "invalid_state"


# -- over the JSON API ------------------------------------------------------------------------------

def test_admit_call_over_the_api(client, kiosk_headers, staff_headers):
    officer, boss = staff_headers("officer"), staff_headers("supervisor")
    assert client.put("/api/capacity", json={"max_inside": 1}, headers=boss).status_code == 200
    for _ in range(2):
        client.post("/api/tickets", json={"service": "perizinan_berusaha"}, headers=kiosk_headers)
    client.post("/api/counters/1/call-next", headers=officer)
    client.post("/api/counters/1/done", headers=officer)
    listed = client.get("/api/counters/1/waiting", headers=officer).get_json()
    assert [t["number"] for t in listed["invited"]] == ["A-002"] and listed["waiting"] == []
    assert_error(client.post("/api/counters/1/admit-call", json={}, headers=officer), 400, "invalid_request")
    called = client.post("/api/counters/1/admit-call", json={"number": "a-2"}, headers=officer)
    assert called.status_code == 200
    body = called.get_json()
    assert (body["number"], body["status"], body["reason"]["rule"]) == ("A-002", "called", "admitted")
    assert client.get("/api/counters/1/waiting", headers=officer).get_json()["invited"] == []
