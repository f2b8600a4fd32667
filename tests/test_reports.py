"""Report figures against the seeded October whose answers were worked out by hand
(`tests/helpers/history.py`), and the pure rules they rest on."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from shared.domain import statistics
from shared.domain.errors import InvalidRequest, Unprocessable
from shared.domain.statistics import Change, Filters, ReportRange, percentile, timeline
from shared.views import reports
from tests.helpers import history
from tests.helpers.offices import clocked_office


@pytest.fixture(scope="module")
def october(tmp_path_factory):
    office = clocked_office(tmp_path_factory.mktemp("october") / "antrean.sqlite3",
                            datetime(2026, 11, 15, 3, 0, tzinfo=timezone.utc), staff=())
    ids = history.seed_october(office)
    db = office.store.connect()
    yield office, db, ids
    db.close()


def summary(october, first: date, last: date, **filters) -> dict:
    office, db, _ = october
    return reports.summary(office, db, ReportRange(first, last), Filters(**filters))


MONTH = (history.FIRST, history.LAST)


def test_the_month_gives_every_figure_worked_out_by_hand(october):
    figures = summary(october, *MONTH)
    for key, expected in history.OCTOBER.items():
        assert figures[key] == expected, key
    assert (figures["from"], figures["to"]) == ("2026-10-01", "2026-10-31")


def test_each_channel_is_counted_and_always_present(october):
    figures = summary(october, *MONTH)
    assert set(figures["by_channel"]) == {"walk_in", "appointment", "online"}
    assert sum(figures["by_channel"].values()) == figures["tickets"]
    online = summary(october, *MONTH, channel="online")
    assert online["tickets"] == history.DAYS and online["served"] == history.DAYS
    # Only ticket 4: in at 08:40, called 08:50 (its time outside is not a wait inside), served 14 minutes.
    assert online["wait_min"] == {"p50": 10.0, "p90": 10.0}
    assert online["service_min"] == {"p50": 14.0, "p90": 14.0}
    assert online["by_channel"] == {"walk_in": 0, "appointment": 0, "online": history.DAYS}
    assert online["channel_share"] == {"walk_in": 0.0, "appointment": 0.0, "online": 100.0}


def test_counters_and_officers_serving_idle_time_and_utilisation(october):
    figures = summary(october, *MONTH)
    counters = {row["counter"]: {key: row[key] for key in history.COUNTERS[1]} for row in figures["counters"]}
    assert counters == history.COUNTERS
    officers = {row["username"]: {key: row[key] for key in history.COUNTERS[1]} for row in figures["officers"]}
    assert officers == {"ani": history.COUNTERS[1], "budi": history.COUNTERS[2]}


def test_the_heat_map_counts_tickets_per_weekday_and_office_hour(october):
    heat = summary(october, *MONTH)["heat_map"]
    expected = [[0] * 24 for _ in range(7)]
    for weekday, days in enumerate(history.WEEKDAY_COUNT):
        for hour, tickets in history.PER_HOUR.items():
            expected[weekday][hour] = days * tickets
    expected[5][23] = 1   # Saturday 31 October, 23:59 WIB
    assert heat == expected


def test_a_day_is_one_day(october):
    day = summary(october, date(2026, 10, 1), date(2026, 10, 1))   # a Thursday
    assert (day["tickets"], day["served"], day["no_show"], day["cancelled"]) == (10, 8, 1, 1)
    assert day["by_day"] == [{"date": "2026-10-01", "tickets": 10, "served": 8, "no_show": 1, "cancelled": 1}]
    assert day["wait_min"] == history.OCTOBER["wait_min"] and day["service_min"] == history.OCTOBER["service_min"]
    counters = {row["counter"]: row for row in day["counters"]}
    assert (counters[1]["span_min"], counters[1]["serving_min"], counters[1]["idle_min"]) == (190.0, 38.0, 152.0)


@pytest.mark.parametrize("first, last, tickets", [
    (date(2026, 9, 30), date(2026, 9, 30), 1),     # 23:59 WIB on the 30th stays in September
    (date(2026, 10, 31), date(2026, 10, 31), 1),   # the 31st, a Saturday: only the late ticket
    (date(2026, 11, 1), date(2026, 11, 1), 1),     # 00:01 WIB on 1 November is still 31 October in UTC
    (date(2026, 9, 30), date(2026, 11, 1), history.DAYS * 10 + 3),
    (date(2026, 10, 2), date(2026, 10, 4), 10),    # Friday, then an empty weekend
])
def test_range_boundaries_follow_office_midnight(october, first, last, tickets):
    assert summary(october, first, last)["tickets"] == tickets


def test_satisfaction_follows_the_service_and_counter_filters(october):
    for counter, (responses, ikm, grade) in history.SATISFACTION_BY_COUNTER.items():
        assert summary(october, *MONTH, counter=counter)["satisfaction"] == \
            {"responses": responses, "ikm": ikm, "grade": grade}
    health = summary(october, *MONTH, service="izin_kesehatan")["satisfaction"]
    assert health == {"responses": 0, "ikm": None, "grade": None}
    office, db, _ = october
    survey = reports.survey(office, db, ReportRange(*MONTH), Filters())
    by_counter = {row["counter"]: (row["responses"], row["ikm"], row["grade"]) for row in survey["by_counter"]}
    assert by_counter == history.SATISFACTION_BY_COUNTER
    assert [note["text"] for note in survey["comments"]] == [history.COMMENT]


def test_an_empty_range_has_zeros_and_no_percentiles(october):
    empty = summary(october, date(2026, 11, 2), date(2026, 11, 6))
    assert (empty["tickets"], empty["served"], empty["no_show"], empty["cancelled"]) == (0, 0, 0, 0)
    assert empty["wait_min"] == {"p50": None, "p90": None} and empty["service_min"] == {"p50": None, "p90": None}
    assert empty["channel_share"] == {"walk_in": None, "appointment": None, "online": None}
    assert empty["by_channel"] == {"walk_in": 0, "appointment": 0, "online": 0}
    assert empty["counters"] == [] and empty["officers"] == []
    assert empty["satisfaction"] == {"responses": 0, "ikm": None, "grade": None}
    assert len(empty["by_day"]) == 5 and all(day["tickets"] == 0 for day in empty["by_day"])
    # A day with only a cancelled ticket: counts, but nothing to take a percentile of.
    late = summary(october, date(2026, 10, 31), date(2026, 10, 31))
    assert late["wait_min"] == {"p50": None, "p90": None} and late["counters"] == []


def test_filters_by_service_lane_and_counter(october):
    health = summary(october, *MONTH, service="izin_kesehatan")
    assert (health["tickets"], health["by_service"]["izin_kesehatan"], health["by_service"]["perizinan_berusaha"]) \
        == (history.DAYS, history.DAYS, 0)
    senior = summary(october, *MONTH, lane="senior")
    assert senior["tickets"] == history.DAYS and senior["wait_min"] == {"p50": 15.0, "p90": 15.0}
    # Where a ticket ended: Loket 2 finished #3, #4, #8 and #9 (which began at Loket 1).
    counter = summary(october, *MONTH, counter=2)
    assert (counter["tickets"], counter["served"]) == (history.DAYS * 4, history.DAYS * 4)
    assert counter["service_min"] == {"p50": 12.0, "p90": 20.0}   # 4 12 14 20
    assert summary(october, *MONTH, service="konsultasi")["tickets"] == 0


def test_ticket_rows_carry_times_and_minutes_in_office_time(october):
    office, db, _ = october
    rows = reports.ticket_rows(office, db, ReportRange(date(2026, 10, 1), date(2026, 10, 1)))
    assert len(rows) == 10
    by_number = {row[0]: dict(zip(reports.CSV_COLUMNS, row)) for row in rows}
    first = by_number["A-001"]
    assert first == {"number": "A-001", "date": "2026-10-01", "service": "perizinan_berusaha",
                     "service_name": "Perizinan Berusaha", "lane": "general", "channel": "walk_in", "issued": "2026-10-01T08:00:00+07:00", "called": "2026-10-01T08:05:00+07:00",
                     "served": "2026-10-01T08:06:00+07:00", "done": "2026-10-01T08:16:00+07:00", "status": "done",
                     "counter": 1, "wait_min": 5.0, "service_min": 10.0}
    absent = next(row for row in by_number.values() if row["status"] == "no_show")
    assert (absent["wait_min"], absent["served"], absent["done"], absent["service_min"]) == (20.0, None, None, None)
    no_start = next(row for row in by_number.values() if row["issued"].endswith("09:10:00+07:00"))
    assert (no_start["served"], no_start["service_min"]) == ("2026-10-01T09:25:00+07:00", 6.0)


# -- the pure rules -----------------------------------------------------------------------

def test_percentiles_are_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([7], 90) == 7
    assert percentile([1, 2, 3, 4], 50) == 2            # rank ⌈2⌉
    assert percentile([4, 3, 2, 1], 90) == 4            # rank ⌈3.6⌉ = 4, unsorted input
    assert percentile(range(1, 11), 90) == 9            # rank 9 of 10
    assert percentile(range(1, 101), 50) == 50


def test_a_called_then_done_visit_is_served_from_its_last_call():
    def t(minute):
        return datetime(2026, 10, 1, 1, minute, tzinfo=timezone.utc)

    line = timeline([Change(None, "waiting", t(0)), Change("waiting", "called", t(5), 3, 9),
                     Change("called", "called", t(7), 3, 9), Change("called", "done", t(12), 3, 9)])
    # Recalled at 7: the visitor came to the counter after the last call, not the first.
    assert (line.wait_minutes, line.service_minutes, line.served_at) == (5, 5, t(7))
    assert [(stretch.counter, stretch.staff_id, stretch.completed) for stretch in line.stretches] == [(3, 9, True)]


def test_an_absent_visitor_has_a_wait_but_no_service():
    t0 = datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)
    line = timeline([Change(None, "waiting", t0), Change("waiting", "called", t0.replace(minute=4), 1, 2),
                     Change("called", "no_show", t0.replace(minute=7), 1, 2)])
    assert (line.wait_minutes, line.service_minutes, line.stretches) == (4, None, ())
    assert [moment.minute for _, _, moment in line.marks] == [4, 7]


@pytest.mark.parametrize("first, last, error", [
    ("2026-10-01", "2026-13-01", InvalidRequest), ("yesterday", "2026-10-01", InvalidRequest),
    (None, "2026-10-01", InvalidRequest), ("2026-10-02", "2026-10-01", Unprocessable),
    ("2025-01-01", "2026-01-02", Unprocessable),
])
def test_bad_ranges_are_refused(first, last, error):
    with pytest.raises(error):
        statistics.parse_range(first, last)


def test_a_year_is_the_longest_range():
    assert statistics.parse_range("2024-01-01", "2024-12-31").days == 366


@pytest.mark.parametrize("preset, first, last", [
    ("today", "2026-11-18", "2026-11-18"), ("week", "2026-11-16", "2026-11-18"),
    ("month", "2026-11-01", "2026-11-18"), ("last_month", "2026-10-01", "2026-10-31"),
    ("semester", "2026-07-01", "2026-11-18"), ("last_semester", "2026-01-01", "2026-06-30"),
])
def test_quick_ranges(preset, first, last):
    found = statistics.preset_range(preset, date(2026, 11, 18))   # a Wednesday
    assert (found.first.isoformat(), found.last.isoformat()) == (first, last)


def test_last_semester_in_spring_is_last_years_second_half():
    found = statistics.preset_range("last_semester", date(2027, 3, 1))
    assert (found.first, found.last) == (date(2026, 7, 1), date(2026, 12, 31))


def test_heat_rows_shade_from_the_busiest_cell():
    cells = [[0] * 24 for _ in range(7)]
    cells[0][9], cells[2][10] = 10, 3
    rows = statistics.heat_rows(cells)
    assert [hour for hour, _ in rows] == [9, 10]
    assert rows[0][1][0] == (10, 5) and rows[1][1][2] == (3, 2) and rows[1][1][0] == (0, 0)
    assert [hour for hour, _ in statistics.heat_rows([[0] * 24] * 7)] == list(range(8, 17))
