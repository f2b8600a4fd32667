"""Queue operations against a real database, without Flask: events, audit trail, refusals."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.domain.config import DEMO_TEMPLATE, load_config
from shared.domain.errors import DomainError
from shared.domain.events import QueueChanged, TicketCalled
from shared.office import Office
from shared.storage import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB
OFFICER = None


@pytest.fixture
def office(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    published = []
    office = Office(load_config(DEMO_TEMPLATE), store, sink=published.append)
    office.published = published
    return office


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def issue(office, db, service="perizinan_berusaha", lane="general", minutes=0, **extra):
    return office.issue_ticket(db, service=service, lane=lane, now=NOW + timedelta(minutes=minutes), **extra)


def test_numbers_per_service_per_day(office, db):
    assert [issue(office, db).number for _ in range(2)] == ["A-001", "A-002"]
    assert issue(office, db, service="izin_kesehatan").number == "B-001"
    tomorrow = office.issue_ticket(db, service="perizinan_berusaha", lane="general", now=NOW + timedelta(days=1))
    assert tomorrow.number == "A-001"


def test_unknown_service_and_invalid_lane_are_refused(office, db):
    with pytest.raises(DomainError) as error:
        issue(office, db, service="nope")
    assert (error.value.status, error.value.code) == (404, "unknown_service")
    with pytest.raises(DomainError) as error:
        issue(office, db, service="pengambilan_dokumen", lane="health_worker")   # lane not offered there
    assert (error.value.status, error.value.code) == (422, "invalid_lane")


def test_repeated_request_key_returns_the_first_ticket(office, db):
    first = issue(office, db, kiosk_id=None, request_key="press-1")
    again = issue(office, db, kiosk_id=None, request_key="press-1")
    assert again.id == first.id
    assert issue(office, db, request_key="press-2").number == "A-002"


def test_call_next_completes_the_previous_ticket_and_publishes_after_commit(office, db):
    first, second = issue(office, db), issue(office, db, minutes=1)
    office.published.clear()
    status, called = office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    assert (status, called["number"], called["counter"]) == (200, first.number, 1)
    [events] = office.published
    assert isinstance(events[0], TicketCalled)
    assert events[0].announce["id"] == "Nomor antrean A nol nol satu, silakan menuju loket satu"
    status, called = office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    assert called["number"] == second.number
    assert db.ticket(first.id).status == "done"
    assert office.call_next(db, 1, staff_id=OFFICER, now=NOW) == (204, None)
    assert db.ticket(second.id).status == "done"


def test_events_are_published_once_per_committed_write(office, db):
    issue(office, db)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    with pytest.raises(DomainError):
        office.recall(db, 2, staff_id=OFFICER, now=NOW)   # refused: nothing published
    assert [[type(event).__name__ for event in events] for events in office.published] == [
        ["QueueChanged"], ["TicketCalled"]]
    assert office.snapshot(db, NOW, 41)["seq"] == 41


def test_reserved_counter_calls_priority_lanes_only(office, db):
    general = issue(office, db)
    senior = issue(office, db, lane="senior", minutes=1)
    assert office.call_next(db, 7, staff_id=OFFICER, now=NOW)[1]["id"] == senior.id
    assert office.call_next(db, 7, staff_id=OFFICER, now=NOW) == (204, None)
    assert office.call_next(db, 1, staff_id=OFFICER, now=NOW)[1]["id"] == general.id


def test_idempotent_call_next(office, db):
    issue(office, db), issue(office, db)
    first = office.call_next(db, 1, staff_id=OFFICER, now=NOW, idempotency_key="k1")
    again = office.call_next(db, 1, staff_id=OFFICER, now=NOW, idempotency_key="k1")
    assert first == again
    assert sum(1 for t in db.tickets_in(office.today(NOW), ("called",))) == 1


def test_recall_start_done_and_invalid_states(office, db):
    ticket = issue(office, db)
    with pytest.raises(DomainError) as error:
        office.recall(db, 1, staff_id=OFFICER, now=NOW)
    assert (error.value.status, error.value.code) == (409, "invalid_state")
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    office.published.clear()
    assert office.recall(db, 1, staff_id=OFFICER, now=NOW)["recalls"] == 1
    assert office.published[0][0].recall is True
    assert office.start(db, 1, staff_id=OFFICER, now=NOW)["status"] == "serving"
    with pytest.raises(DomainError):
        office.no_show(db, 1, staff_id=OFFICER, now=NOW)   # already being served
    assert office.finish(db, 1, staff_id=OFFICER, now=NOW)["status"] == "done"
    trail = [event["to_status"] for event in db.ticket_events(ticket.id)]
    assert trail == ["waiting", "called", "called", "serving", "done"]


def test_no_show(office, db):
    ticket = issue(office, db)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    assert office.no_show(db, 1, staff_id=OFFICER, now=NOW)["status"] == "no_show"
    assert db.ticket(ticket.id).status == "no_show"


def test_transfer_keeps_number_and_arrival_time(office, db):
    early = issue(office, db)
    later = issue(office, db, service="non_perizinan", minutes=10)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    moved = office.transfer(db, 1, "non_perizinan", staff_id=OFFICER, now=NOW + timedelta(minutes=20))
    assert (moved["number"], moved["service"], moved["status"], moved["counter"]) == (early.number, "non_perizinan", "waiting", None)
    # It arrived before the other non-licence visitor, so it is called first there.
    assert office.call_next(db, 5, staff_id=OFFICER, now=NOW)[1]["id"] == early.id
    assert later.id != early.id


def test_transfer_to_unknown_service(office, db):
    issue(office, db)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    with pytest.raises(DomainError) as error:
        office.transfer(db, 1, "nope", staff_id=OFFICER, now=NOW)
    assert error.value.code == "unknown_service"


def test_paused_counter_cannot_call(office, db):
    issue(office, db)
    office.set_counter_state(db, 1, "paused", None, NOW)
    with pytest.raises(DomainError) as error:
        office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    assert error.value.code == "invalid_state"
    assert office.snapshot(db, NOW, 0)["counters"]["1"] == "paused"


def test_cancel_only_before_the_call(office, db):
    waiting = issue(office, db)
    assert office.cancel(db, waiting.id, NOW).status == "cancelled"
    called = issue(office, db)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    with pytest.raises(DomainError):
        office.cancel(db, called.id, NOW)


def test_snapshot_counts_waiting_per_service_and_lane(office, db):
    issue(office, db), issue(office, db, lane="senior"), issue(office, db, service="kartu_kuning")
    office.call_next(db, 4, staff_id=OFFICER, now=NOW)
    snapshot = office.snapshot(db, NOW, 0)
    assert snapshot["waiting"]["perizinan_berusaha"] == {"general": 1, "health_worker": 0, "senior": 1, "disability": 0}
    assert snapshot["waiting"]["kartu_kuning"]["general"] == 0
    assert snapshot["occupancy"] == {"inside": 3, "max": 40, "outside": 0}
    assert snapshot["calls"][0]["counter"] == 4
    assert snapshot["calls"][0]["called_at"] == "2026-11-25T09:00:00+07:00"


def test_ticket_status_reports_people_ahead(office, db):
    tickets = [issue(office, db, minutes=minute) for minute in range(3)]
    assert [office.ticket_status(db, t)["ahead"] for t in tickets] == [0, 1, 2]
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    assert office.ticket_status(db, db.ticket(tickets[0].id)) == {
        "number": "A-001", "service": "perizinan_berusaha", "lane": "general", "status": "called",
        "ahead": 0, "estimate_min": None, "counter": 1}
    assert office.ticket_status(db, tickets[2])["ahead"] == 1


def test_display_calls_are_today_only_and_keep_the_called_service(office, db):
    yesterday = office.issue_ticket(db, service="konsultasi", lane="general", now=NOW - timedelta(days=1))
    office.call_next(db, 6, staff_id=OFFICER, now=NOW - timedelta(days=1))
    assert office.snapshot(db, NOW, 0)["calls"] == []
    today = issue(office, db, service="konsultasi")
    office.call_next(db, 6, staff_id=OFFICER, now=NOW)
    office.transfer(db, 6, "pengambilan_dokumen", staff_id=OFFICER, now=NOW)
    [recent] = office.snapshot(db, NOW, 0)["recent"]
    assert (recent["number"], recent["service"]) == (today.number, "konsultasi")
    assert yesterday.business_date != today.business_date


def test_queue_events_name_the_changed_service(office, db):
    ticket = issue(office, db, service="izin_kesehatan")
    [event] = office.published[-1]
    assert isinstance(event, QueueChanged)
    assert event.services == ("izin_kesehatan",) and event.ticket_ids == (ticket.id,)


def test_call_next_says_why(office, db):
    issue(office, db), issue(office, db, lane="senior", minutes=1)
    status, called = office.call_next(db, 1, staff_id=OFFICER, now=NOW + timedelta(minutes=6))
    assert called["reason"] == {"rule": "priority_lane", "lane": "senior", "waited_min": 5}
    assert db.ticket_events(called["id"])[-1]["detail"] == "rule:priority_lane"


def test_fairness_streak_is_read_from_the_counters_calls(office, db):
    general = issue(office, db)
    seniors = [issue(office, db, lane="senior", minutes=m) for m in (1, 2, 3, 4)]
    called = [office.call_next(db, 1, staff_id=OFFICER, now=NOW + timedelta(minutes=5))[1] for _ in range(4)]
    assert [c["number"] for c in called] == [seniors[0].number, seniors[1].number, seniors[2].number, general.number]
    assert called[3]["reason"]["rule"] == "fairness"


def test_out_of_order_call_needs_a_reason_and_is_audited(office, db):
    first, second = issue(office, db), issue(office, db, minutes=1)
    with pytest.raises(DomainError) as error:
        office.call_ticket(db, 1, second.number, "", staff_id=OFFICER, now=NOW)
    assert error.value.code == "invalid_request"
    called = office.call_ticket(db, 1, second.number.lower(), "document pick-up only", staff_id=OFFICER, now=NOW)
    assert (called["number"], called["reason"]["rule"]) == (second.number, "out_of_order")
    assert db.ticket_events(second.id)[-1]["detail"] == "rule:out_of_order reason:document pick-up only"
    with pytest.raises(DomainError):
        office.call_ticket(db, 7, first.number, "not a priority lane", staff_id=OFFICER, now=NOW)   # strict counter


def test_recall_limit(office, db):
    issue(office, db)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    for _ in range(office.config.policy.max_recalls):
        office.recall(db, 1, staff_id=OFFICER, now=NOW)
    with pytest.raises(DomainError) as error:
        office.recall(db, 1, staff_id=OFFICER, now=NOW)
    assert (error.value.status, error.value.code) == (409, "recall_limit")


def test_absent_visitor_returns_in_their_old_place_once(office, db):
    absent = issue(office, db)
    later = issue(office, db, minutes=5)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW + timedelta(minutes=6))
    office.no_show(db, 1, staff_id=OFFICER, now=NOW + timedelta(minutes=7))
    back = office.return_ticket(db, 2, absent.number, staff_id=OFFICER, now=NOW + timedelta(minutes=20))
    assert back["status"] == "waiting" and back["arrived_at"] == office.ticket_summary(absent)["arrived_at"]
    assert office.call_next(db, 1, staff_id=OFFICER, now=NOW + timedelta(minutes=21))[1]["id"] == absent.id
    office.no_show(db, 1, staff_id=OFFICER, now=NOW + timedelta(minutes=22))
    with pytest.raises(DomainError) as error:
        office.return_ticket(db, 1, absent.number, staff_id=OFFICER, now=NOW + timedelta(minutes=23))
    assert error.value.code == "return_limit"
    assert later.status == "waiting"


def test_absent_visitor_who_comes_back_too_late(office, db):
    absent = issue(office, db)
    office.call_next(db, 1, staff_id=OFFICER, now=NOW)
    office.no_show(db, 1, staff_id=OFFICER, now=NOW)
    with pytest.raises(DomainError) as error:
        office.return_ticket(db, 1, absent.number, staff_id=OFFICER, now=NOW + timedelta(minutes=31))
    assert error.value.code == "return_expired"
    with pytest.raises(DomainError):
        office.return_ticket(db, 1, "Z-999", staff_id=OFFICER, now=NOW)
