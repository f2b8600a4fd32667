"""Service hours: windows, holidays, the last-ticket cutoff and WIB/WITA edges."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shared.domain.hours import ServiceHours, parse_window

WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
MORNINGS = {day: (parse_window("07:00-12:00"),) for day in range(5)}   # Monday-Friday


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_open_inside_the_window_and_closed_outside():
    hours = ServiceHours(MORNINGS)
    assert hours.accepts_tickets(local(WIB, 2026, 11, 25, 7, 0), WIB)        # Wednesday 07:00
    assert not hours.accepts_tickets(local(WIB, 2026, 11, 25, 6, 59, 59), WIB)
    assert not hours.accepts_tickets(local(WIB, 2026, 11, 25, 12, 0), WIB)
    assert not hours.accepts_tickets(local(WIB, 2026, 11, 28, 9, 0), WIB)    # Saturday


def test_last_ticket_cutoff():
    hours = ServiceHours(MORNINGS, last_ticket=timedelta(minutes=15))
    assert hours.accepts_tickets(local(WIB, 2026, 11, 25, 11, 44, 59), WIB)
    assert not hours.accepts_tickets(local(WIB, 2026, 11, 25, 11, 45), WIB)


def test_holiday_is_closed_and_next_opening_skips_it():
    hours = ServiceHours(MORNINGS, holidays=frozenset({date(2026, 11, 26)}))
    assert not hours.accepts_tickets(local(WIB, 2026, 11, 26, 9, 0), WIB)
    assert hours.next_opening(local(WIB, 2026, 11, 25, 13, 0), WIB) == local(WIB, 2026, 11, 27, 7, 0)


def test_next_opening_over_a_weekend():
    hours = ServiceHours(MORNINGS)
    assert hours.next_opening(local(WIB, 2026, 11, 27, 12, 30), WIB) == local(WIB, 2026, 11, 30, 7, 0)
    assert hours.next_opening(local(WIB, 2026, 11, 25, 6, 0), WIB) == local(WIB, 2026, 11, 25, 7, 0)


def test_wita_office_reads_hours_in_its_own_zone():
    bontang = ServiceHours({day: (parse_window("08:00-11:00"),) for day in range(5)})
    moment = datetime(2026, 11, 25, 0, 30, tzinfo=timezone.utc)              # 08:30 WITA, 07:30 WIB
    assert bontang.accepts_tickets(moment, WITA)
    assert not bontang.accepts_tickets(moment, WIB)


def test_window_until_midnight_and_always_open():
    evening = ServiceHours({2: (parse_window("18:00-24:00"),)})
    assert evening.accepts_tickets(local(WIB, 2026, 11, 25, 23, 59, 59), WIB)
    assert not evening.accepts_tickets(local(WIB, 2026, 11, 26, 0, 0, 1), WIB)
    assert ServiceHours(always_open=True).accepts_tickets(local(WIB, 2026, 11, 28, 3, 0), WIB)


@pytest.mark.parametrize("text", ["12:00-07:00", "7-12", "07:00"])
def test_bad_windows_are_refused(text):
    with pytest.raises(ValueError):
        parse_window(text)
