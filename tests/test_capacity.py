"""Occupancy rules (pure) and the cap in the office's operations, with hours and quotas."""
import tomllib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from shared.domain.capacity import Occupancy, estimate_minutes, next_to_invite
from shared.domain.config import DEMO_TEMPLATE, parse_config
from shared.domain.errors import DomainError
from shared.domain.model import Ticket
from shared.clock import ManualClock
from shared.office import Office
from shared.services import calling, capacity, tickets as ticket_service
from shared.views import queue as queue_view, tickets as ticket_views
from shared.domain.policy import PolicyConfig
from shared.store import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # Wednesday 09:00 WIB


def outside(ticket_id, lane="general", minutes=0, misses=0):
    moment = NOW + timedelta(minutes=minutes)
    return Ticket(ticket_id, "2026-11-25", "s", lane, ticket_id, f"A-{ticket_id:03d}", "outside", "walk_in",
                  moment, moment, invite_misses=misses)


def test_occupancy():
    assert Occupancy(3, None).has_room() and Occupancy(3, None).free is None
    assert Occupancy(19, 20).free == 1 and not Occupancy(20, 20).has_room()
    assert Occupancy(25, 20).free == 0


def test_invitations_follow_the_queue_order_and_lapsed_go_last():
    line = [outside(1, minutes=0, misses=1), outside(2, minutes=1), outside(3, "senior", minutes=2), outside(4, minutes=3)]
    assert [t.id for t in next_to_invite(line, 3, PolicyConfig())] == [3, 2, 4]
    assert next_to_invite(line, 0, PolicyConfig()) == []


def test_estimate_is_a_range_that_grows_with_the_line():
    assert estimate_minutes(0, 2, 8.0) == (0, 4)
    low, high = estimate_minutes(10, 2, 8.0)
    assert low < 40 < high
    assert estimate_minutes(5, 0, 8.0) is None
    assert estimate_minutes(4, 1, None) == estimate_minutes(4, 1, 8.0)


def office_with(tmp_path, **sections) -> Office:
    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    raw.update(sections)
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    return Office(parse_config(raw), store, ManualClock(NOW))


@pytest.fixture
def capped(tmp_path):
    office = office_with(tmp_path, capacity={"max_inside": 3, "invite_timeout_min": 10})
    db = office.store.connect()
    yield office, db
    db.close()


def issue(office, db, minutes=0, lane="general", service="perizinan_berusaha"):
    office.clock.set(NOW + timedelta(minutes=minutes))
    return ticket_service.issue(office, db, service=service, lane=lane)


def test_over_the_cap_visitors_wait_outside(capped):
    office, db = capped
    statuses = [issue(office, db, minutes=m).status for m in range(5)]
    assert statuses == ["waiting", "waiting", "waiting", "outside", "outside"]
    snapshot = queue_view.snapshot(office, db, 0)
    assert snapshot["occupancy"] == {"inside": 3, "max": 3, "outside": 2}


def test_each_done_invites_exactly_the_next_one(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(5)]
    calling.call_next(office, db, 1, staff=None)
    calling.finish(office, db, 1, staff=None)
    assert [db.tickets.get(t.id).status for t in tickets] == ["done", "waiting", "waiting", "invited", "outside"]
    assert queue_view.snapshot(office, db, 0)["invited"] == [tickets[3].number]
    calling.call_next(office, db, 1, staff=None)   # completes nobody (done already), calls the next
    calling.no_show(office, db, 1, staff=None)
    assert db.tickets.get(tickets[4].id).status == "invited"


def test_invited_visitor_comes_in_keeping_their_place(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(4)]
    ticket_service.cancel(office, db, tickets[0].id)
    assert db.tickets.get(tickets[3].id).status == "invited"
    assert ticket_service.enter(office, db, tickets[3].id).status == "waiting"
    assert ticket_service.enter(office, db, tickets[3].id).status == "waiting"   # a second scan changes nothing


def test_outside_visitor_cannot_walk_in_while_full(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(4)]
    with pytest.raises(DomainError) as error:
        ticket_service.enter(office, db, tickets[3].id)
    assert (error.value.kind, error.value.code) == ("conflict", "not_invited")


def test_lapsed_invitation_drops_back_behind_the_others(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(5)]
    office.clock.set(NOW)
    ticket_service.cancel(office, db, tickets[0].id)
    assert db.tickets.get(tickets[3].id).status == "invited"
    office.clock.set(NOW + timedelta(minutes=5))
    assert capacity.expire_invitations(office, db) == 0
    office.clock.set(NOW + timedelta(minutes=11))
    assert capacity.expire_invitations(office, db) == 1
    assert db.tickets.get(tickets[3].id).status == "outside" and db.tickets.get(tickets[3].id).invite_misses == 1
    assert db.tickets.get(tickets[4].id).status == "invited"


def test_supervisor_raises_the_cap_and_visitors_are_invited(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(5)]
    occupancy = capacity.set_max_inside(office, db, 4, staff=None)
    assert (occupancy.inside, occupancy.max_inside) == (4, 4)
    assert db.tickets.get(tickets[3].id).status == "invited"
    capacity.set_max_inside(office, db, 0, staff=None)   # no cap: everyone outside is invited
    assert db.tickets.get(tickets[4].id).status == "invited"
    with pytest.raises(DomainError):
        capacity.set_max_inside(office, db, -1, staff=None)


def test_phone_view_of_an_outside_ticket(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(5)]
    view = ticket_views.public_view(office, db, db.tickets.get(tickets[4].id))
    assert (view["status"], view["ahead"]) == ("outside", 4)
    low, high = view["estimate_min"]
    assert 0 <= low < high


def test_closed_outside_hours_with_next_opening(tmp_path):
    office = office_with(tmp_path, hours={day: ["07:00-12:00"] for day in ("monday", "tuesday", "wednesday",
                                                                        "thursday", "friday")})
    db = office.store.connect()
    assert issue(office, db).status == "waiting"                                   # 09:00 WIB
    with pytest.raises(DomainError) as error:
        office.clock.set(NOW + timedelta(hours=4))   # 13:00
        ticket_service.issue(office, db, service="konsultasi", lane="general")
    assert (error.value.kind, error.value.code) == ("conflict", "closed")
    assert error.value.extra["next_open"] == "2026-11-26T07:00:00+07:00"
    assert "26-11-2026 07:00 WIB" in str(error.value)


def test_ticket_at_the_edges_of_the_business_day(tmp_path):
    office = office_with(tmp_path, hours={"always_open": True})
    db = office.store.connect()
    office.clock.set(datetime(2026, 11, 25, 16, 59, 59, tzinfo=timezone.utc))   # 23:59:59 WIB
    before = ticket_service.issue(office, db, service="konsultasi", lane="general")
    office.clock.set(datetime(2026, 11, 25, 17, 0, 1, tzinfo=timezone.utc))     # 00:00:01 WIB
    after = ticket_service.issue(office, db, service="konsultasi", lane="general")
    assert (before.business_date, before.number) == ("2026-11-25", "E-001")
    assert (after.business_date, after.number) == ("2026-11-26", "E-001")


def test_quota_full_offers_the_alternatives(tmp_path):
    raw_alternatives = [{"name": "OSS", "url": "https://oss.go.id", "note": "Perizinan daring"}]
    office = office_with(tmp_path, alternatives=raw_alternatives)
    office.config = replace(office.config, services=tuple(
        replace(s, daily_quota=2) if s.code == "konsultasi" else s for s in office.config.services))
    db = office.store.connect()
    issue(office, db, service="konsultasi"), issue(office, db, service="konsultasi")
    with pytest.raises(DomainError) as error:
        issue(office, db, service="konsultasi")
    assert (error.value.kind, error.value.code) == ("conflict", "quota_full")
    assert error.value.extra["alternatives"]["id"][0] == {"name": "OSS", "url": "https://oss.go.id", "note": "Perizinan daring"}
    assert issue(office, db, service="kartu_kuning").number == "D-001"


def test_outside_estimate_includes_waiting_for_a_place(capped):
    office, db = capped
    tickets = [issue(office, db, minutes=m) for m in range(3)]
    tickets += [issue(office, db, minutes=3 + m, service="kartu_kuning") for m in range(3)]
    first_outside, last_outside = db.tickets.get(tickets[3].id), db.tickets.get(tickets[5].id)
    assert first_outside.status == last_outside.status == "outside"
    first, last = ticket_views.public_view(office, db, first_outside), ticket_views.public_view(office, db, last_outside)
    assert first["ahead"] == 0 and last["ahead"] == 2
    assert last["estimate_min"][1] > first["estimate_min"][1] > 0
