"""Write services against a real database, without Flask: results, the event log, refusals."""
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers.offices import clocked_office

from shared.domain.errors import DomainError
from shared.domain.events import QueueChanged, TicketCalled
from shared.domain.model import StaffUser
from shared.services import calling, counters, tickets
from shared.views import queue as queue_view
from shared.views import tickets as ticket_views

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB
OFFICER = StaffUser(1, "petugas", "officer")


@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.sqlite3", NOW,
                          (("petugas", "officer"), ("lain", "officer"), ("kepala", "supervisor")))


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def at(office, minutes=0, days=0):
    """Set the office clock to NOW plus this much."""
    office.clock.set(NOW + timedelta(minutes=minutes, days=days))


def issue(office, db, service="perizinan_berusaha", lane="general", minutes=0, **extra):
    at(office, minutes)
    return tickets.issue(office, db, service=service, lane=lane, **extra)


def call_next(office, db, number=1, staff=OFFICER, **extra):
    return calling.call_next(office, db, number, staff=staff, **extra)


def logged(db, since=0):
    """The names of the events in the log after `since`."""
    return [item.event.name for item in db.events.after(since)]


def test_numbers_per_service_per_day(office, db):
    assert [issue(office, db).number for _ in range(2)] == ["A-001", "A-002"]
    assert issue(office, db, service="izin_kesehatan").number == "B-001"
    at(office, days=1)
    assert tickets.issue(office, db, service="perizinan_berusaha", lane="general").number == "A-001"


def test_unknown_service_and_invalid_lane_are_refused(office, db):
    with pytest.raises(DomainError) as error:
        issue(office, db, service="nope")
    assert (error.value.kind, error.value.code) == ("not_found", "unknown_service")
    with pytest.raises(DomainError) as error:
        issue(office, db, service="pengambilan_dokumen", lane="health_worker")   # lane not offered there
    assert (error.value.kind, error.value.code) == ("unprocessable", "invalid_lane")


def test_repeated_request_key_returns_the_first_ticket(office, db):
    first = issue(office, db, kiosk_id=None, request_key="press-1")
    again = issue(office, db, kiosk_id=None, request_key="press-1")
    assert again.id == first.id
    assert issue(office, db, request_key="press-2").number == "A-002"


def test_issuing_writes_its_event_in_the_same_transaction(office, db):
    before = db.events.last_seq()
    ticket = issue(office, db, service="izin_kesehatan")
    [entry] = db.events.after(before)
    assert isinstance(entry.event, QueueChanged)
    assert entry.event.services == ("izin_kesehatan",) and entry.event.ticket_ids == (ticket.id,)
    assert entry.seq == before + 1


def test_a_refused_write_logs_no_event(office, db):
    issue(office, db)
    before = db.events.last_seq()
    with pytest.raises(DomainError):
        calling.recall(office, db, 2, staff=OFFICER)
    assert db.events.last_seq() == before


def test_call_next_finishes_a_served_visitor(office, db):
    first, second = issue(office, db), issue(office, db, minutes=1)
    since = db.events.last_seq()
    result = call_next(office, db)
    assert (result.called.number, result.called.counter, result.previous) == (first.number, 1, None)
    assert logged(db, since) == ["ticket_called", "queue_changed"]
    calling.start(office, db, 1, staff=OFFICER)
    result = call_next(office, db)
    assert result.called.number == second.number
    assert (result.previous.id, result.previous.status) == (first.id, "done")
    assert db.tickets.get(first.id).status == "done"


def test_call_next_over_a_visitor_who_never_came_marks_them_absent(office, db):
    first, second = issue(office, db), issue(office, db, minutes=1)
    call_next(office, db)
    result = call_next(office, db)   # A-001 was called but never came to the counter
    assert result.called.id == second.id
    assert (result.previous.id, result.previous.status) == (first.id, "no_show")
    assert db.tickets.get(first.id).status == "no_show"
    # ... which keeps their right to come back.
    back = calling.return_ticket(office, db, 1, first.number, staff=OFFICER)
    assert back.status == "waiting"
    calling.start(office, db, 1, staff=OFFICER)
    last = call_next(office, db)
    assert last.called.id == first.id and last.previous.status == "done"
    empty = call_next(office, db)
    assert empty.called is None and empty.previous.status == "no_show"


def test_reserved_counter_calls_priority_lanes_only(office, db):
    general = issue(office, db)
    senior = issue(office, db, lane="senior", minutes=1)
    assert call_next(office, db, 7).called.id == senior.id
    assert call_next(office, db, 7).called is None
    assert call_next(office, db, 1).called.id == general.id


def test_idempotent_call_next(office, db):
    issue(office, db), issue(office, db)
    first = call_next(office, db, idempotency_key="k1")
    again = call_next(office, db, idempotency_key="k1")
    assert first == again
    assert len(db.tickets.in_states(office.today(), ("called",))) == 1


def test_recall_start_done_and_invalid_states(office, db):
    ticket = issue(office, db)
    with pytest.raises(DomainError) as error:
        calling.recall(office, db, 1, staff=OFFICER)
    assert (error.value.kind, error.value.code) == ("conflict", "invalid_state")
    call_next(office, db)
    since = db.events.last_seq()
    assert calling.recall(office, db, 1, staff=OFFICER).recalls == 1
    [entry] = db.events.after(since)
    assert isinstance(entry.event, TicketCalled) and entry.event.recall is True
    assert calling.start(office, db, 1, staff=OFFICER).status == "serving"
    with pytest.raises(DomainError):
        calling.no_show(office, db, 1, staff=OFFICER)   # already being served
    assert calling.finish(office, db, 1, staff=OFFICER).status == "done"
    trail = [event["to_status"] for event in db.tickets.history(ticket.id)]
    assert trail == ["waiting", "called", "called", "serving", "done"]


def test_no_show(office, db):
    ticket = issue(office, db)
    call_next(office, db)
    assert calling.no_show(office, db, 1, staff=OFFICER).status == "no_show"
    assert db.tickets.get(ticket.id).status == "no_show"


def test_transfer_keeps_number_and_arrival_time(office, db):
    early = issue(office, db)
    later = issue(office, db, service="non_perizinan", minutes=10)
    call_next(office, db)
    at(office, 20)
    moved = calling.transfer(office, db, 1, "non_perizinan", staff=OFFICER)
    assert (moved.number, moved.service, moved.status, moved.counter) == (early.number, "non_perizinan", "waiting", None)
    # It arrived before the other non-licence visitor, so it is called first there.
    assert call_next(office, db, 5).called.id == early.id
    assert later.id != early.id


def test_transfer_to_unknown_service(office, db):
    issue(office, db)
    call_next(office, db)
    with pytest.raises(DomainError) as error:
        calling.transfer(office, db, 1, "nope", staff=OFFICER)
    assert error.value.code == "unknown_service"


def test_paused_counter_cannot_call(office, db):
    issue(office, db)
    counters.set_state(office, db, 1, "paused", staff=None)
    with pytest.raises(DomainError) as error:
        call_next(office, db)
    assert error.value.code == "invalid_state"
    assert queue_view.snapshot(office, db, 0)["counters"]["1"] == "paused"


def test_a_counter_is_worked_by_one_officer_at_a_time(office, db):
    other, supervisor = StaffUser(2, "lain", "officer"), StaffUser(3, "kepala", "supervisor")
    issue(office, db), issue(office, db)
    call_next(office, db, 1, OFFICER)
    with pytest.raises(DomainError) as error:
        call_next(office, db, 1, other)
    assert (error.value.kind, error.value.code) == ("conflict", "counter_taken")
    assert error.value.details["username"] == "petugas"
    with pytest.raises(DomainError):
        calling.finish(office, db, 1, staff=other)   # not even finishing the holder's visitor
    assert db.tickets.active_at_counter(1).status == "called"
    with pytest.raises(DomainError):
        counters.take_over(office, db, 1, staff=other)   # officers cannot take over
    counters.take_over(office, db, 1, staff=supervisor)
    assert db.counters.holder(1).username == "kepala"
    counters.release(office, db, 1, staff=supervisor)
    assert db.counters.holder(1) is None
    assert call_next(office, db, 1, other).called is not None
    assert counters.sign_out(office, db, staff=other) == [1]
    assert db.counters.holder(1) is None


def test_closing_a_counter_frees_it(office, db):
    counters.set_state(office, db, 2, "closed", staff=OFFICER)
    assert db.counters.holder(2) is None


def test_cancel_only_before_the_call(office, db):
    waiting = issue(office, db)
    assert tickets.cancel(office, db, waiting.id).status == "cancelled"
    called = issue(office, db)
    call_next(office, db)
    with pytest.raises(DomainError):
        tickets.cancel(office, db, called.id)


def test_snapshot_counts_waiting_per_service_and_lane(office, db):
    issue(office, db), issue(office, db, lane="senior"), issue(office, db, service="kartu_kuning")
    call_next(office, db, 4)
    snapshot = queue_view.snapshot(office, db, 0)
    assert snapshot["waiting"]["perizinan_berusaha"] == {"general": 1, "health_worker": 0, "senior": 1, "disability": 0,
                                                          "pregnant_children": 0}
    assert snapshot["waiting"]["kartu_kuning"]["general"] == 0
    assert snapshot["occupancy"] == {"inside": 3, "max": 40, "outside": 0}
    assert snapshot["calls"][0]["counter"] == 4
    assert snapshot["calls"][0]["called_at"] == "2026-11-25T09:00:00+07:00"


def test_ticket_view_reports_people_ahead(office, db):
    issued = [issue(office, db, minutes=minute) for minute in range(3)]
    assert [ticket_views.public_view(office, db, t)["ahead"] for t in issued] == [0, 1, 2]
    call_next(office, db)
    assert ticket_views.public_view(office, db, db.tickets.get(issued[0].id)) == {
        "number": "A-001", "service": "perizinan_berusaha", "lane": "general", "status": "called",
        "ahead": 0, "estimate_min": None, "counter": 1, "rated": False, "survey": None}
    assert ticket_views.public_view(office, db, issued[2])["ahead"] == 1


def test_display_calls_are_today_only_and_keep_the_called_service(office, db):
    at(office, days=-1)
    yesterday = tickets.issue(office, db, service="konsultasi", lane="general")
    call_next(office, db, 6)
    at(office)
    assert queue_view.snapshot(office, db, 0)["calls"] == []
    today = issue(office, db, service="konsultasi")
    call_next(office, db, 6)
    calling.transfer(office, db, 6, "pengambilan_dokumen", staff=OFFICER)
    [recent] = queue_view.snapshot(office, db, 0)["recent"]
    assert (recent["number"], recent["service"]) == (today.number, "konsultasi")
    assert yesterday.business_date != today.business_date


def test_call_next_says_why(office, db):
    issue(office, db), issue(office, db, lane="senior", minutes=1)
    at(office, 6)
    result = call_next(office, db)
    assert (result.rule, result.called.lane, result.waited) == ("priority_lane", "senior", timedelta(minutes=5))
    assert db.tickets.history(result.called.id)[-1]["detail"] == "rule:priority_lane"


def test_fairness_streak_is_read_from_the_counters_calls(office, db):
    general = issue(office, db)
    seniors = [issue(office, db, lane="senior", minutes=m) for m in (1, 2, 3, 4)]
    at(office, 5)
    called = [call_next(office, db) for _ in range(4)]
    assert [c.called.number for c in called] == [seniors[0].number, seniors[1].number, seniors[2].number,
                                                 general.number]
    assert called[3].rule == "fairness"


def test_out_of_order_call_needs_a_reason_and_is_audited(office, db):
    first, second = issue(office, db), issue(office, db, minutes=1)
    with pytest.raises(DomainError) as error:
        calling.call_ticket(office, db, 1, second.number, "", staff=OFFICER)
    assert error.value.code == "invalid_request"
    result = calling.call_ticket(office, db, 1, second.number.lower(), "document pick-up only", staff=OFFICER)
    assert (result.called.number, result.rule) == (second.number, "out_of_order")
    assert db.tickets.history(second.id)[-1]["detail"] == "rule:out_of_order reason:document pick-up only"
    with pytest.raises(DomainError):
        calling.call_ticket(office, db, 7, first.number, "not a priority lane", staff=OFFICER)   # strict counter


def test_recall_limit(office, db):
    issue(office, db)
    call_next(office, db)
    for _ in range(office.config.policy.max_recalls):
        calling.recall(office, db, 1, staff=OFFICER)
    with pytest.raises(DomainError) as error:
        calling.recall(office, db, 1, staff=OFFICER)
    assert (error.value.kind, error.value.code) == ("conflict", "recall_limit")


def test_absent_visitor_returns_in_their_old_place_once(office, db):
    absent = issue(office, db)
    later = issue(office, db, minutes=5)
    at(office, 6)
    call_next(office, db)
    at(office, 7)
    calling.no_show(office, db, 1, staff=OFFICER)
    at(office, 20)
    back = calling.return_ticket(office, db, 1, absent.number, staff=OFFICER)
    assert back.status == "waiting" and back.arrived_at == absent.arrived_at
    at(office, 21)
    assert call_next(office, db).called.id == absent.id
    at(office, 22)
    calling.no_show(office, db, 1, staff=OFFICER)
    at(office, 23)
    with pytest.raises(DomainError) as error:
        calling.return_ticket(office, db, 1, absent.number, staff=OFFICER)
    assert error.value.code == "return_limit"
    assert later.status == "waiting"


def test_absent_visitor_who_comes_back_too_late(office, db):
    absent = issue(office, db)
    call_next(office, db)
    calling.no_show(office, db, 1, staff=OFFICER)
    at(office, 31)
    with pytest.raises(DomainError) as error:
        calling.return_ticket(office, db, 1, absent.number, staff=OFFICER)
    assert error.value.code == "return_expired"
    with pytest.raises(DomainError):
        calling.return_ticket(office, db, 1, "Z-999", staff=OFFICER)
