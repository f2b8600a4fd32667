"""Booking, cancelling, moving and checking in against a real database; the online line."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests.helpers.offices import clocked_office

from shared.clock import ManualClock
from shared.domain.config import DEMO_TEMPLATE
from shared.domain.errors import DomainError
from shared.domain.model import StaffUser
from shared.office import Office
from shared.services import bookings, calling, capacity, tickets
from shared.store import Store

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # Wednesday 09:00 WIB
OFFICER = StaffUser(1, "petugas", "officer")
SERVICE = "konsultasi"   # served at counter 6


@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.sqlite3", NOW)


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def at(office, minutes):
    office.clock.set(NOW + timedelta(minutes=minutes))


def book(office, db, start="10:00", day="2026-11-25", **extra):
    return bookings.book(office, db, service=SERVICE, day=day, start=start, **extra)


def slot_left(office, db, start="10:00", day="2026-11-25"):
    from datetime import date

    from shared.views.bookings import open_slots
    return next(s["remaining"] for s in open_slots(office, db, SERVICE, date.fromisoformat(day), office.clock())
                if s["start"] == start)


def refusal(call) -> str:
    with pytest.raises(DomainError) as error:
        call()
    return error.value.code


def test_a_slot_takes_its_bookable_share_and_no_more(office, db):
    places = office.config.booking.bookable_places(SERVICE)   # 3 of 6 in the demo office
    made = [book(office, db) for _ in range(places)]
    assert len({booking.code for booking in made}) == places and slot_left(office, db) == 0
    assert refusal(lambda: book(office, db)) == "slot_full"


def test_many_visitors_race_for_the_last_place_and_exactly_one_wins(tmp_path, office):
    places = office.config.booking.bookable_places(SERVICE)
    db = office.store.connect()
    for _ in range(places - 1):
        book(office, db)
    results, barrier = [], threading.Barrier(8)

    def visitor():
        # Each as its own process would be: its own Store and connection on the same file.
        own = Office(office.config, Store(office.store.path), office.clock)
        connection = own.store.connect()
        barrier.wait()
        try:
            results.append(book(own, connection).code)
        except DomainError as error:
            results.append(error.code)

    threads = [threading.Thread(target=visitor) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results).count("slot_full") == 7 and len(results) == 8
    assert db.raw.execute("SELECT COUNT(*) FROM bookings WHERE start = '10:00'").fetchone()[0] == places


def test_past_unknown_and_out_of_window_slots_are_refused(office, db):
    assert refusal(lambda: book(office, db, start="09:30")) == "invalid_request"   # within the hour's cutoff
    assert refusal(lambda: book(office, db, start="10:15")) == "invalid_request"   # no such slot
    assert refusal(lambda: book(office, db, day="2026-12-03")) == "invalid_request"   # 8 days ahead
    assert refusal(lambda: book(office, db, day="2026-11-24")) == "invalid_request"   # yesterday
    assert refusal(lambda: book(office, db, day="besok")) == "invalid_request"
    assert book(office, db, day="2026-12-02").business_date == "2026-12-02"   # 7 days ahead: the window's end


def test_one_active_booking_per_contact_service_and_day(office, db):
    first = book(office, db, contact="0812-3456-7890")
    assert refusal(lambda: book(office, db, start="11:00", contact="+62 812 3456 7890")) == "already_booked"
    assert book(office, db, day="2026-11-26", contact="081234567890").business_date == "2026-11-26"
    assert bookings.book(office, db, service="kartu_kuning", day="2026-11-25", start="11:00",
                         contact="081234567890").service == "kartu_kuning"
    bookings.cancel(office, db, first.id)
    assert book(office, db, start="11:00", contact="081234567890").start == "11:00"   # free again
    assert refusal(lambda: book(office, db, contact="not a contact")) == "invalid_contact"


def test_cancel_and_reschedule_give_the_place_back(office, db):
    before = slot_left(office, db)
    moved = book(office, db)
    assert slot_left(office, db) == before - 1
    moved = bookings.reschedule(office, db, moved.id, day="2026-11-25", start="11:00")
    assert (moved.start, moved.end, moved.status) == ("11:00", "11:30", "booked")
    assert slot_left(office, db) == before and slot_left(office, db, "11:00") == before - 1
    for _ in range(before):
        book(office, db)
    assert refusal(lambda: bookings.reschedule(office, db, moved.id, day="2026-11-25", start="10:00")) == "slot_full"
    assert db.bookings.get(moved.id).start == "11:00"   # nothing changed
    assert bookings.cancel(office, db, moved.id).status == "cancelled"
    assert bookings.cancel(office, db, moved.id).status == "cancelled"   # twice: nothing changes
    assert slot_left(office, db, "11:00") == before
    assert refusal(lambda: bookings.reschedule(office, db, moved.id, day="2026-11-25", start="12:00")) == "invalid_state"


def test_check_in_on_time_early_and_late(office, db):
    booking = book(office, db, start="10:00")   # 10:00 WIB = 03:00 UTC; check-in from 09:30 to 10:15
    at(office, 29)   # 09:29
    with pytest.raises(DomainError) as error:
        bookings.check_in(office, db, booking.code)
    assert error.value.code == "too_early" and error.value.extra["come_back_at"] == "2026-11-25T09:30:00+07:00"
    assert "25-11-2026 09:30 WIB" in str(error.value)
    at(office, 31)
    ticket = bookings.check_in(office, db, booking.code.lower())
    assert (ticket.channel, ticket.status, ticket.appointment_at) == ("appointment", "waiting", booking.starts_at)
    assert bookings.check_in(office, db, booking.code).id == ticket.id   # a second scan: the same ticket
    late = book(office, db, start="11:00")
    at(office, 60 + 60 + 16)   # 11:16
    assert refusal(lambda: bookings.check_in(office, db, late.code)) == "too_late"
    assert refusal(lambda: bookings.check_in(office, db, "AAAAAA")) == "unknown_booking"


def test_a_checked_in_appointment_is_called_near_its_slot_ahead_of_later_walk_ins(office, db):
    booking = book(office, db, start="10:00")
    at(office, 40)   # 09:40: two walk-ins come, then the appointment checks in
    walk_ins = [tickets.issue(office, db, service=SERVICE, lane="general") for _ in range(2)]
    at(office, 45)
    appointment = bookings.check_in(office, db, booking.code)
    at(office, 49)   # 09:49: not yet inside its calling window (10 minutes before)
    assert calling.call_next(office, db, 6, staff=OFFICER).called.id == walk_ins[0].id
    at(office, 51)   # 09:51: within the window
    result = calling.call_next(office, db, 6, staff=OFFICER)
    assert (result.called.id, result.rule) == (appointment.id, "appointment")
    assert calling.call_next(office, db, 6, staff=OFFICER).called.id == walk_ins[1].id


def test_bookings_nobody_came_for_become_absent(office, db):
    first, second = book(office, db, start="10:00"), book(office, db, start="11:00")
    at(office, 60 + 15)   # 10:15: the end of the first's late window
    assert bookings.mark_absent(office, db) == 0
    at(office, 60 + 16)
    assert bookings.mark_absent(office, db) == 1
    assert [db.bookings.get(b.id).status for b in (first, second)] == ["no_show", "booked"]
    assert refusal(lambda: bookings.check_in(office, db, first.code)) == "too_late"   # offered a walk-in


def test_the_online_line_waits_outside_and_is_invited_in(tmp_path):
    import tomllib

    from shared.domain.config import parse_config
    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    raw["capacity"] = {"max_inside": 1}
    store = Store(tmp_path / "capped.sqlite3")
    store.migrate()
    office = Office(parse_config(raw), store, ManualClock(NOW))
    db = store.connect()
    inside = tickets.issue(office, db, service=SERVICE, lane="general")
    online = tickets.join_online(office, db, service=SERVICE, lane="senior")
    assert (online.channel, online.status) == ("online", "outside")
    calling.call_next(office, db, 6, staff=None)
    calling.finish(office, db, 6, staff=None)   # a place frees: the online visitor is invited
    assert db.tickets.get(online.id).status == "invited"
    assert tickets.enter(office, db, online.id).status == "waiting"   # scanned at the kiosk
    assert calling.call_next(office, db, 6, staff=None).called.id == online.id
    assert inside.channel == "walk_in"
    assert capacity.occupancy(office, db, office.today()).inside == 1


def test_the_online_line_closes_when_off_or_its_share_is_taken(office, db):
    from dataclasses import replace

    office.config = replace(office.config, booking=replace(office.config.booking, online_max_per_day=2))
    tickets.join_online(office, db, service=SERVICE, lane="general")
    tickets.join_online(office, db, service=SERVICE, lane="general")
    with pytest.raises(DomainError) as error:
        tickets.join_online(office, db, service=SERVICE, lane="general")
    assert error.value.code == "online_closed" and error.value.extra["alternatives"]["id"]
    assert tickets.issue(office, db, service=SERVICE, lane="general").channel == "walk_in"   # the kiosk still works
    office.config = replace(office.config, booking=replace(office.config.booking, online_enabled=False))
    assert refusal(lambda: tickets.join_online(office, db, service="kartu_kuning", lane="general")) == "online_closed"


def test_every_booking_change_is_logged_for_subscribers(office, db):
    since = db.events.last_seq()
    booking = book(office, db)
    bookings.reschedule(office, db, booking.id, day="2026-11-26", start="10:00")
    bookings.cancel(office, db, booking.id)
    names = [(entry.event.name, getattr(entry.event, "status", None)) for entry in db.events.after(since)]
    assert names == [("booking_created", None), ("booking_changed", "rescheduled"), ("booking_changed", "cancelled")]


def test_letting_the_next_person_go_first_keeps_the_ticket_one_place_back(office, db):
    from shared.views.tickets import public_view

    first = tickets.issue(office, db, service=SERVICE, lane="general")
    at(office, 1)
    second = tickets.issue(office, db, service=SERVICE, lane="general")
    at(office, 2)
    senior = tickets.issue(office, db, service=SERVICE, lane="senior")   # head start: ahead of both
    assert [public_view(office, db, t)["ahead"] for t in (senior, first, second)] == [0, 1, 2]
    moved = tickets.let_next_go_first(office, db, first.id)
    assert moved.number == first.number and moved.status == "waiting"
    assert [public_view(office, db, db.tickets.get(t.id))["ahead"] for t in (senior, second, first)] == [0, 1, 2]
    assert calling.call_next(office, db, 6, staff=OFFICER).called.id == senior.id
    assert calling.call_next(office, db, 6, staff=OFFICER).called.id == second.id
    at(office, 3)
    later = tickets.issue(office, db, service=SERVICE, lane="general")
    assert tickets.let_next_go_first(office, db, first.id).id == first.id
    assert calling.call_next(office, db, 6, staff=OFFICER).called.id == later.id
    lone = tickets.issue(office, db, service="kartu_kuning", lane="general")
    assert refusal(lambda: tickets.let_next_go_first(office, db, lone.id)) == "nobody_behind"


def test_a_priority_visitor_can_let_a_general_one_go_first_despite_the_head_start(office, db):
    senior = tickets.issue(office, db, service=SERVICE, lane="senior")
    at(office, 10)
    general = tickets.issue(office, db, service=SERVICE, lane="general")
    tickets.let_next_go_first(office, db, senior.id)
    assert calling.call_next(office, db, 6, staff=OFFICER).called.id == general.id


def test_letting_others_go_first_is_limited(office, db):
    mine = tickets.issue(office, db, service=SERVICE, lane="general")
    for minute in range(office.config.policy.max_defers + 1):
        at(office, minute + 1)   # a kiosk never numbers two tickets at the same instant
        tickets.issue(office, db, service=SERVICE, lane="general")
    for _ in range(office.config.policy.max_defers):
        tickets.let_next_go_first(office, db, mine.id)
    assert refusal(lambda: tickets.let_next_go_first(office, db, mine.id)) == "defer_limit"
    calling.call_next(office, db, 6, staff=OFFICER)
    done = db.tickets.in_states(office.today(), ("called",))[0]
    assert refusal(lambda: tickets.let_next_go_first(office, db, done.id)) == "invalid_state"


def test_an_absent_booking_is_too_late_not_unknown(office, db):
    booking = book(office, db, start="10:00")
    at(office, 60 + 16)
    bookings.mark_absent(office, db)
    with pytest.raises(DomainError) as error:
        bookings.check_in(office, db, booking.code)
    assert error.value.code == "too_late" and error.value.extra == {"service": SERVICE, "lane": "general"}


def test_a_slot_just_after_midnight_is_checked_in_from_midnight(office, db):
    office.clock.set(datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc))   # 22:00 WIB
    booking = book(office, db, day="2026-11-26", start="00:00")
    office.clock.set(datetime(2026, 11, 25, 16, 40, tzinfo=timezone.utc))   # 23:40 WIB, the day before
    with pytest.raises(DomainError) as error:
        bookings.check_in(office, db, booking.code)
    assert error.value.extra["come_back_at"] == "2026-11-26T00:00:00+07:00"   # not 23:30, already past
    office.clock.set(datetime(2026, 11, 25, 17, 1, tzinfo=timezone.utc))    # 00:01 WIB
    assert bookings.check_in(office, db, booking.code).business_date == "2026-11-26"


def test_someone_invited_from_home_has_longer_to_arrive(tmp_path):
    import tomllib

    from shared.domain.config import parse_config
    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    raw["capacity"] = {"max_inside": 2, "invite_timeout_min": 10}
    raw["online"] = {**raw["online"], "invite_timeout_min": 30}
    store = Store(tmp_path / "capped.sqlite3")
    store.migrate()
    office = Office(parse_config(raw), store, ManualClock(NOW))
    db = store.connect()
    for _ in range(2):
        tickets.issue(office, db, service=SERVICE, lane="general")
    walk_in = tickets.issue(office, db, service=SERVICE, lane="general")        # outside
    from_home = tickets.join_online(office, db, service=SERVICE, lane="general")  # outside
    capacity.set_max_inside(office, db, 4, staff=None)                           # both invited
    assert {db.tickets.get(t.id).status for t in (walk_in, from_home)} == {"invited"}
    at(office, 11)
    assert capacity.expire_invitations(office, db) == 1   # the walk-in's invitation lapsed, not the other
    assert (db.tickets.get(walk_in.id).invite_misses, db.tickets.get(from_home.id).invite_misses) == (1, 0)
    at(office, 31)
    assert capacity.expire_invitations(office, db) == 2   # now the one from home too (and the walk-in again)
    assert db.tickets.get(from_home.id).invite_misses == 1
