"""The officer checks a priority lane at the counter: confirm it in one tap, or move the ticket to
`general` for a reason from a fixed list. Only lane and reason codes are kept."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers.offices import clocked_office

from shared.domain import lane_checks
from shared.domain.config import DEMO_TEMPLATE, load_config
from shared.domain.errors import DomainError
from shared.domain.events import LaneChecked, QueueChanged, event_from_payload, event_payload
from shared.domain.lane_checks import CONFIRMED, MOVED, LaneCheck
from shared.domain.model import StaffUser
from shared.services import calling, lane_checks as lane_service, tickets
from shared.views import counters as counter_views

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB
OFFICER = StaffUser(1, "petugas", "officer")
OTHER = StaffUser(2, "lain", "officer")


# -- the pure rule: what the history keeps, and reading it back ---------------------------------

def test_a_check_is_written_with_codes_only_and_read_back():
    confirmed = lane_checks.confirmation("senior")
    moved = lane_checks.move("disability", "not_eligible")
    assert lane_checks.history_detail(confirmed) == "lane confirmed: senior"
    assert lane_checks.history_detail(moved) == "lane moved: disability -> general (not_eligible)"
    assert lane_checks.read_detail(lane_checks.history_detail(confirmed)) == confirmed
    assert lane_checks.read_detail(lane_checks.history_detail(moved)) == moved == LaneCheck(
        MOVED, "general", "disability", "not_eligible")
    # A lane the office declares itself reads back the same way.
    assert lane_checks.read_detail("lane confirmed: pregnant_children") == lane_checks.confirmation("pregnant_children")


@pytest.mark.parametrize("detail", [None, "", "recall", "rule:arrival", "came in", "lane confirmed: Senior!",
                                    "lane moved: senior -> general (because she has a heart condition)"])
def test_other_history_rows_are_not_lane_checks(detail):
    assert lane_checks.read_detail(detail) is None


def test_the_latest_check_wins_and_a_repeat_confirmation_is_recognised():
    details = ["rule:arrival", "lane confirmed: senior", "recall", "lane moved: senior -> general (visitor_asked)"]
    assert lane_checks.latest(details).decision == MOVED
    assert lane_checks.latest(details[:3]).decision == CONFIRMED
    assert lane_checks.latest(["rule:arrival"]) is None
    assert lane_checks.already_confirmed(lane_checks.confirmation("senior"), "senior")
    assert not lane_checks.already_confirmed(lane_checks.confirmation("senior"), "disability")
    assert not lane_checks.already_confirmed(None, "senior")


def test_a_move_takes_only_a_listed_reason():
    with pytest.raises(ValueError):
        lane_checks.move("senior", "has a cold")


# -- the service: one transaction, the history row, the events ----------------------------------------

@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.sqlite3", NOW, (("petugas", "officer"), ("lain", "officer")))


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def called_senior(office, db, counter=7):
    """A senior visitor called to the priority counter (7) or a general one."""
    tickets.issue(office, db, service="perizinan_berusaha", lane="senior")
    return calling.call_next(office, db, counter, staff=OFFICER).called


def test_confirming_starts_service_and_records_who_with_the_lane_only(office, db):
    ticket = called_senior(office, db)
    since = db.events.last_seq()
    office.clock.set(NOW + timedelta(minutes=2))
    confirmed = lane_service.confirm(office, db, 7, staff=OFFICER)
    assert (confirmed.status, confirmed.lane) == ("serving", "senior")   # the visitor is at the counter
    last = db.tickets.history(ticket.id)[-1]
    assert (last["from_status"], last["to_status"], last["staff_id"], last["counter"], last["detail"]) == (
        "called", "serving", OFFICER.id, 7, "lane confirmed: senior")
    events = [item.event for item in db.events.after(since)]
    assert events == [LaneChecked(ticket.id, ticket.number, "perizinan_berusaha", "senior", "senior", "confirmed"),
                      QueueChanged(("perizinan_berusaha",), (ticket.id,))]
    assert event_from_payload("lane_checked", event_payload(events[0])) == events[0]   # survives the log
    shown = counter_views.panel(office, db, 7)["lane_check"]
    assert shown == {"decision": "confirmed", "lane": "senior", "from_lane": "senior", "reason": None,
                     "by": "petugas", "at": "2026-11-25T09:02:00+07:00"}


def test_a_second_tap_on_confirm_changes_nothing(office, db):
    ticket = called_senior(office, db)
    lane_service.confirm(office, db, 7, staff=OFFICER)
    rows, since = len(db.tickets.history(ticket.id)), db.events.last_seq()
    assert lane_service.confirm(office, db, 7, staff=OFFICER).status == "serving"
    assert len(db.tickets.history(ticket.id)) == rows and db.events.last_seq() == since


def test_moving_to_general_keeps_the_reason_code_and_the_place_at_the_counter(office, db):
    ticket = called_senior(office, db, counter=1)
    lane_service.confirm(office, db, 1, staff=OFFICER)   # confirmed first, then found not eligible after all
    moved = lane_service.move_to_general(office, db, 1, "not_eligible", staff=OFFICER)
    assert (moved.lane, moved.status, moved.counter, moved.number) == ("general", "serving", 1, ticket.number)
    assert db.tickets.history(ticket.id)[-1]["detail"] == "lane moved: senior -> general (not_eligible)"
    assert counter_views.panel(office, db, 1)["lane_check"]["decision"] == "moved"
    assert counter_views.panel(office, db, 1)["current"].lane == "general"
    # The day's counts now put this visitor in the general lane.
    assert db.tickets.count_by_status(office.today())[("perizinan_berusaha", "general", "serving")] == 1


@pytest.mark.parametrize("reason", ["", "sick", "not eligible", None])
def test_a_move_without_a_listed_reason_is_refused_and_writes_nothing(office, db, reason):
    called_senior(office, db)
    since = db.events.last_seq()
    with pytest.raises(DomainError) as refused:
        lane_service.move_to_general(office, db, 7, reason, staff=OFFICER)
    assert refused.value.kind == "unprocessable" and db.events.last_seq() == since


def test_refusals(office, db):
    with pytest.raises(DomainError) as nobody:
        lane_service.confirm(office, db, 1, staff=OFFICER)
    assert nobody.value.code == "invalid_state"
    tickets.issue(office, db, service="perizinan_berusaha", lane="general")
    calling.call_next(office, db, 1, staff=OFFICER)
    for check in (lambda: lane_service.confirm(office, db, 1, staff=OFFICER),
                  lambda: lane_service.move_to_general(office, db, 1, "visitor_asked", staff=OFFICER)):
        with pytest.raises(DomainError) as general:
            check()
        assert general.value.code == "invalid_state"
    with pytest.raises(DomainError) as taken:   # the counter is worked by petugas
        lane_service.confirm(office, db, 1, staff=OTHER)
    assert taken.value.code == "counter_taken"


def test_a_priority_lane_is_whatever_the_policy_ranks_before_general(tmp_path):
    """No list of lanes in the rule: an office that ranks `senior` with `general` has nothing to confirm."""
    demo = load_config(DEMO_TEMPLATE)
    flat = replace(demo.policy, lane_classes={**demo.policy.lane_classes, "senior": 1})
    office = clocked_office(tmp_path / "flat.sqlite3", NOW, config=replace(demo, policy=flat))
    db = office.store.connect()
    try:
        called_senior(office, db, counter=1)
        with pytest.raises(DomainError):
            lane_service.confirm(office, db, 1, staff=OFFICER)
        assert lane_service.move_to_general(office, db, 1, "visitor_asked", staff=OFFICER).lane == "general"
    finally:
        db.close()
