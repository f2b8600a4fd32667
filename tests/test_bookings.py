"""Appointment rules without a database: slots, the window and cutoff, check-in timing, codes."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.domain import bookings as rules
from shared.domain.bookings import BookingRules, SlotShape
from shared.domain.config import ConfigError, DEMO_TEMPLATE, parse_config
from shared.domain.contacts import normalise_contact
from shared.domain.hours import ServiceHours, parse_window

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
WEEKDAYS = ServiceHours({day: (parse_window("08:00-11:00"),) for day in range(5)},
                        holidays=frozenset({date(2026, 12, 25)}))
HALF_HOUR = SlotShape(timedelta(minutes=30), 6)


def test_slots_fill_each_window_back_to_back():
    slots = rules.slots_on(date(2026, 12, 3), WEEKDAYS, WITA, HALF_HOUR)   # a Thursday
    assert [slot.label for slot in slots] == ["08:00", "08:30", "09:00", "09:30", "10:00", "10:30"]
    assert slots[0].starts_at == datetime(2026, 12, 3, 8, 0, tzinfo=WITA)
    assert slots[-1].ends_at == datetime(2026, 12, 3, 11, 0, tzinfo=WITA)
    forty = rules.slots_on(date(2026, 12, 3), WEEKDAYS, WITA, SlotShape(timedelta(minutes=40), 6))
    assert [slot.label for slot in forty] == ["08:00", "08:40", "09:20", "10:00"]   # never past the window


def test_no_slots_on_holidays_and_closed_days():
    assert rules.slots_on(date(2026, 12, 25), WEEKDAYS, WIB, HALF_HOUR) == []   # Christmas
    assert rules.slots_on(date(2026, 12, 5), WEEKDAYS, WIB, HALF_HOUR) == []    # Saturday


def test_an_office_open_round_the_clock_books_all_day():
    slots = rules.slots_on(date(2026, 12, 3), ServiceHours(always_open=True), WIB, HALF_HOUR)
    assert len(slots) == 48 and slots[-1].label == "23:30"


def test_window_and_cutoff_in_office_time():
    booking = BookingRules(enabled=True, window_days=7, cutoff=timedelta(minutes=60))
    now = datetime(2026, 12, 3, 0, 30, tzinfo=timezone.utc)   # 08:30 WITA
    today = rules.slots_on(date(2026, 12, 3), WEEKDAYS, WITA, HALF_HOUR)
    bookable = [slot.label for slot in today if rules.bookable(slot, now, WITA, booking)]
    assert bookable == ["09:30", "10:00", "10:30"]   # an hour ahead at least
    last = rules.slots_on(date(2026, 12, 10), WEEKDAYS, WITA, HALF_HOUR)[0]
    beyond = rules.slots_on(date(2026, 12, 11), WEEKDAYS, WITA, HALF_HOUR)[0]
    assert rules.bookable(last, now, WITA, booking) and not rules.bookable(beyond, now, WITA, booking)


def test_the_window_follows_the_office_date_not_utc():
    booking = BookingRules(enabled=True, window_days=0, cutoff=timedelta(0))
    late_evening = datetime(2026, 12, 3, 15, 30, tzinfo=timezone.utc)   # 22:30 WIB, 23:30 WITA, both 3 Dec
    slot = rules.slots_on(date(2026, 12, 3), ServiceHours(always_open=True), WITA, HALF_HOUR)[-1]
    assert rules.bookable(slot, late_evening, WITA, booking)
    after_midnight = datetime(2026, 12, 3, 16, 30, tzinfo=timezone.utc)   # 00:30 WITA on 4 Dec
    tomorrow = rules.slots_on(date(2026, 12, 4), ServiceHours(always_open=True), WITA, HALF_HOUR)[2]
    assert rules.bookable(tomorrow, after_midnight, WITA, booking)


def test_a_share_of_each_slot_stays_for_walk_ins():
    assert BookingRules(slot=SlotShape(timedelta(minutes=30), 6), bookable_share=0.5).bookable_places("a") == 3
    assert BookingRules(slot=SlotShape(timedelta(minutes=30), 3), bookable_share=0.2).bookable_places("a") == 1
    assert BookingRules(bookable_share=0).bookable_places("a") == 0
    per_service = BookingRules(per_service={"b": SlotShape(timedelta(minutes=20), 10)}, bookable_share=0.5)
    assert (per_service.bookable_places("a"), per_service.bookable_places("b")) == (3, 5)
    assert BookingRules(online_share=0.3).online_limit(500) == 150
    assert BookingRules(online_max_per_day=80).online_limit(None) == 80


def test_check_in_timing():
    booking = BookingRules(checkin_early=timedelta(minutes=30), checkin_late=timedelta(minutes=15))
    start = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)
    assert rules.checkin_timing(start, start - timedelta(minutes=31), booking) == rules.EARLY
    assert rules.checkin_timing(start, start - timedelta(minutes=30), booking) == rules.ON_TIME
    assert rules.checkin_timing(start, start + timedelta(minutes=15), booking) == rules.ON_TIME
    assert rules.checkin_timing(start, start + timedelta(minutes=16), booking) == rules.LATE


def test_codes_have_no_look_alike_characters():
    codes = {rules.new_code() for _ in range(500)}
    assert len(codes) > 490 and all(len(code) == rules.CODE_LENGTH for code in codes)
    assert not set("".join(codes)) & set("0O1IL2Z5S8B6GUVDQ")
    assert rules.normalise_code(" kx7-mp a ") == "KX7MPA"


def test_contacts_are_indonesian_mobiles_or_e_mail():
    assert normalise_contact("0812-3456-7890") == normalise_contact("+62 812 3456 7890") == ("phone", "+6281234567890")
    assert normalise_contact("Siti@Contoh.go.id") == ("email", "siti@contoh.go.id")
    assert normalise_contact("021 555 1234") is None   # a landline gets no reminders by message
    assert normalise_contact("<script>") is None and normalise_contact("") is None


def test_booking_settings_are_validated_by_field():
    import tomllib

    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    config = parse_config(raw)
    assert config.booking.enabled and config.booking.online_enabled
    for section, key, value, field in (("booking", "bookable_share", 1.5, "booking.bookable_share"),
                                       ("booking", "slot_min", 2, "booking.slot_min"),
                                       ("booking", "enabled", "ya", "booking.enabled"),
                                       ("online", "share", -1, "online.share")):
        broken = {**raw, section: {**raw[section], key: value}}
        with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
            parse_config(broken)
    services = [dict(service) for service in raw["services"]]
    services[0]["slot_capacity"] = 0
    with pytest.raises(ConfigError, match=r"services\[0\]\.slot_capacity"):
        parse_config({**raw, "services": services})
    services[0]["slot_capacity"] = 10
    assert parse_config({**raw, "services": services}).booking.shape(services[0]["code"]).capacity == 10
    assert time(0) == rules.slots_on(date(2026, 1, 1), config.hours, config.zone, config.booking.slot)[0].start


def test_the_online_invite_timeout_defaults_when_left_out():
    import tomllib

    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    raw["online"] = {"enabled": True}
    assert parse_config(raw).booking.online_invite_timeout == timedelta(minutes=30)


# -- the day's grid is cut once; what it answers must not change ------------------------------------

def _scanned(day, hours, zone, shape):
    """The slots as cut before the grid was kept: every call starts from the windows again."""
    return rules._cut(day, hours, zone, shape)


@pytest.mark.parametrize("hours", [WEEKDAYS, ServiceHours(always_open=True)])
def test_bookable_slots_are_exactly_the_slots_bookable_lets_through(hours):
    booking = BookingRules(enabled=True, window_days=7, cutoff=timedelta(minutes=60))
    for now in (datetime(2026, 12, 3, 0, 30, tzinfo=timezone.utc), datetime(2026, 12, 3, 15, 59, tzinfo=timezone.utc),
                datetime(2026, 12, 9, 23, 0, tzinfo=timezone.utc)):
        for offset in range(-1, 10):   # yesterday, today, the window, beyond it; a holiday and a weekend
            day = date(2026, 12, 3) + timedelta(days=offset)
            expected = [slot for slot in _scanned(day, hours, WITA, HALF_HOUR)
                        if rules.bookable(slot, now, WITA, booking)]
            assert rules.bookable_slots(day, now, hours, WITA, booking, HALF_HOUR) == expected, (now, day)


def test_find_slot_answers_as_a_scan_of_the_day_did():
    day = date(2026, 12, 3)
    for shape in (HALF_HOUR, SlotShape(timedelta(minutes=40), 6)):
        for start in ("08:00", "08:40", "09:30", "10:30", "11:00", "8:00", "07:30", "", "10:00 "):
            expected = next((slot for slot in _scanned(day, WEEKDAYS, WITA, shape) if slot.label == start), None)
            assert rules.find_slot(day, start, WEEKDAYS, WITA, shape) == expected, (shape, start)
    assert rules.find_slot(date(2026, 12, 25), "08:00", WEEKDAYS, WITA, HALF_HOUR) is None   # a holiday


def test_changed_hours_get_their_own_slots_and_a_caller_cannot_spoil_the_grid():
    day = date(2026, 12, 3)
    before = rules.slots_on(day, WEEKDAYS, WITA, HALF_HOUR)
    before.clear()   # a caller's list is its own
    assert len(rules.slots_on(day, WEEKDAYS, WITA, HALF_HOUR)) == 6
    # The office file reloaded with other hours: a new ServiceHours, never the old grid.
    afternoons = ServiceHours({weekday: (parse_window("13:00-14:00"),) for weekday in range(5)})
    assert [slot.label for slot in rules.slots_on(day, afternoons, WITA, HALF_HOUR)] == ["13:00", "13:30"]
    assert rules.find_slot(day, "08:00", afternoons, WITA, HALF_HOUR) is None
    assert rules.find_slot(day, "13:30", afternoons, WITA, HALF_HOUR).end_label == "14:00"
    # Another zone or shape is another grid too.
    assert rules.slots_on(day, WEEKDAYS, WIB, HALF_HOUR)[0].starts_at == datetime(2026, 12, 3, 8, 0, tzinfo=WIB)
    assert len(rules.slots_on(day, WEEKDAYS, WITA, SlotShape(timedelta(minutes=60), 6))) == 3


def test_labels_are_office_time_hours_and_minutes():
    slots = rules.slots_on(date(2026, 12, 3), ServiceHours(always_open=True), WIB, SlotShape(timedelta(minutes=45), 6))
    assert [(slot.label, slot.end_label) for slot in slots[:2]] == [("00:00", "00:45"), ("00:45", "01:30")]
    assert (slots[-1].label, slots[-1].end_label) == ("23:15", "00:00")
    assert all(slot.label == f"{slot.start:%H:%M}" and slot.end_label == f"{slot.end:%H:%M}" for slot in slots)
