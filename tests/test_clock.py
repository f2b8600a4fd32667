"""Business dates follow the office's time zone, not the server's."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from shared.domain.officetime import business_date, to_office_iso
from shared.domain.numbering import format_number

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")


def test_midnight_roll_over_in_office_time():
    before = datetime(2026, 11, 25, 16, 59, 59, tzinfo=timezone.utc)   # 23:59:59 WIB
    after = datetime(2026, 11, 25, 17, 0, 1, tzinfo=timezone.utc)      # 00:00:01 WIB
    assert business_date(before, WIB) == "2026-11-25"
    assert business_date(after, WIB) == "2026-11-26"


def test_same_instant_differs_across_wib_wita_wit():
    moment = datetime(2026, 11, 25, 15, 30, tzinfo=timezone.utc)       # 22:30 WIB, 23:30 WITA, 00:30 WIT
    assert [business_date(moment, zone) for zone in (WIB, WITA, WIT)] == ["2026-11-25", "2026-11-25", "2026-11-26"]
    assert to_office_iso(moment, WITA) == "2026-11-25T23:30:00+08:00"


def test_number_format():
    assert format_number("A", 1) == "A-001"
    assert format_number("B", 999) == "B-999"
    assert format_number("B", 1000) == "B-1000"
