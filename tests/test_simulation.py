"""The day simulator: hand-checked small days, repeatable draws, shipped scenarios, the command."""
from __future__ import annotations

import json
import shutil
import tomllib
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from shared.cli import main
from shared.domain.config import ConfigError
from shared.domain.model import COUNTER_OPEN, CounterDesk
from shared.domain.policy import FIFO, STRICT_PRIORITY, PolicyConfig
from shared.simulation import (
    ABANDONED, NO_SHOW, SCENARIOS, SERVED, UNSERVED, CounterPlan, Day, Visitor, compare, draw_visitors,
    format_report, lognormal_parameters, load_scenario, parse_scenario, percentile, run_day, shipped_scenarios,
    summarise, svg_chart,
)

DAY = Day(date(2026, 11, 25), ZoneInfo("Asia/Jakarta"), open=480, close=540, hard_stop=600)
DESK = CounterDesk(1, "Loket 1", ("izin",), None)
PRIORITY = ("health_worker", "senior", "disability")


def visitor(number, arrival, duration, lane="general", **extra) -> Visitor:
    return Visitor(number, arrival, "izin", lane, duration, **extra)


def calls(result) -> dict[int, float]:
    return {number: outcome.at for number, outcome in result.outcomes.items()}


# --- Small days, checked by hand --------------------------------------------------------------

SMALL_DAY = [visitor(1, 480, 5), visitor(2, 481, 5), visitor(3, 482, 2, "senior"), visitor(4, 500, 3)]


def test_one_counter_in_arrival_order_under_fifo():
    result = run_day(DAY, [CounterPlan(DESK)], SMALL_DAY, FIFO)
    assert calls(result) == {1: 480, 2: 485, 3: 490, 4: 500}
    summary = summarise(result, SMALL_DAY, timedelta(minutes=5), PRIORITY)
    # general waits 0, 4, 0: the median is 0, p95 interpolates 0.9 of the way from 0 to 4
    assert summary["lanes"]["general"] == {"p50": 0.0, "p95": 3.6, "max": 4.0, "mean": 1.33, "visitors": 3,
                                           "served": 3, "abandoned": 0, "no_show": 0, "unserved": 0}
    assert summary["lanes"]["senior"]["max"] == 8.0
    assert summary["over_max_wait"] == 1  # the senior waited 8 minutes, over the 5 allowed
    assert summary["utilisation"] == 0.25  # 15 busy minutes in the 60 the counter was open
    assert summary["last_call"] == "08:20"


def test_strict_priority_lets_the_senior_go_first():
    result = run_day(DAY, [CounterPlan(DESK)], SMALL_DAY, STRICT_PRIORITY)
    assert calls(result) == {1: 480, 3: 485, 2: 487, 4: 500}
    assert all(outcome.status == SERVED for outcome in result.outcomes.values())


def test_a_no_show_costs_the_counter_a_minute_then_it_calls_again():
    day = [visitor(1, 480, 5, no_show=True), visitor(2, 480.5, 5)]
    result = run_day(DAY, [CounterPlan(DESK)], day, FIFO)
    assert result.outcomes[1].status == NO_SHOW and result.outcomes[2].at == 481
    assert result.counters[0].busy == 6
    summary = summarise(result, day, None, PRIORITY)
    assert (summary["no_show"], summary["served"], summary["lanes"]["general"]["max"]) == (1, 1, 0.5)
    assert summary["over_max_wait"] is None


def test_an_impatient_visitor_leaves_and_is_left_out_of_the_waits():
    day = [visitor(1, 480, 30), visitor(2, 481, 5, patience=10), visitor(3, 482, 5, patience=60)]
    result = run_day(DAY, [CounterPlan(DESK)], day, FIFO)
    assert result.outcomes[2].status == ABANDONED and result.outcomes[2].at == 491
    assert result.outcomes[3].at == 510
    summary = summarise(result, day, timedelta(minutes=9), PRIORITY)
    assert summary["lanes"]["general"]["max"] == 28.0  # visitor 3; visitor 2 never reached the counter
    assert summary["abandoned"] == 1
    assert summary["over_max_wait"] == 2  # visitor 2 waited 10 minutes before leaving, visitor 3 waited 28


def test_a_break_starts_after_the_current_visitor():
    plan = CounterPlan(DESK, breaks=((490, 500),))
    day = [visitor(1, 485, 10), visitor(2, 486, 5)]
    result = run_day(DAY, [plan], day, FIFO)
    assert calls(result) == {1: 485, 2: 500}  # busy until 495, then on break until 500
    assert result.counters[0].open == 55 and result.counters[0].busy == 15


def test_an_idle_counter_goes_on_break_at_once_and_the_queue_waits():
    plan = CounterPlan(DESK, breaks=((490, 500),))
    result = run_day(DAY, [plan], [visitor(1, 491, 3)], FIFO)
    assert result.outcomes[1].at == 500


def test_counters_serve_after_closing_until_the_hard_stop():
    day = [visitor(1, 530, 50), visitor(2, 535, 25), visitor(3, 539, 10)]
    result = run_day(DAY, [CounterPlan(DESK)], day, FIFO)
    assert [result.outcomes[n].status for n in (1, 2, 3)] == [SERVED, SERVED, UNSERVED]
    assert result.outcomes[2].at == 580 and result.outcomes[3].at == 600  # 10:00 is the hard stop
    assert result.counters[0].open == 125  # open from 08:00 until the last visitor left at 10:05


def test_reserved_counters_strict_and_assisting():
    strict = CounterPlan(CounterDesk(2, "Loket 2", ("izin",), ("senior",), COUNTER_OPEN, "strict"))
    assisting = CounterPlan(CounterDesk(3, "Loket 3", ("izin",), ("senior",), COUNTER_OPEN, "assisting"))
    day = [visitor(1, 480, 5), visitor(2, 481, 5, "senior")]
    alone = run_day(DAY, [strict], day, FIFO)
    assert alone.outcomes[2].counter == 2 and alone.outcomes[1].status == UNSERVED
    helped = run_day(DAY, [assisting], day, FIFO)
    assert calls(helped) == {1: 480, 2: 485}


def test_percentile_interpolates_between_ranks():
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([0, 10], 0.95) == 9.5
    assert percentile([1, 2, 3, 4, 5], 0.5) == 3


def test_lognormal_parameters_give_the_asked_mean_and_sd():
    import math

    mu, sigma = lognormal_parameters(12, 6)
    assert math.exp(mu + sigma ** 2 / 2) == pytest.approx(12)
    assert math.sqrt((math.exp(sigma ** 2) - 1) * math.exp(2 * mu + sigma ** 2)) == pytest.approx(6)


# --- Scenarios ----------------------------------------------------------------------------------

def test_the_same_seed_draws_the_same_day_and_another_seed_another():
    scenario = load_scenario("malang")
    assert draw_visitors(scenario, 5) == draw_visitors(scenario, 5)
    assert draw_visitors(scenario, 5) != draw_visitors(scenario, 6)
    assert compare(scenario, seed=5) == compare(scenario, seed=5)


def test_arrivals_come_only_while_open_and_follow_the_profile():
    scenario = load_scenario("malang")
    visitors = [v for seed in range(1, 21) for v in draw_visitors(scenario, seed)]
    assert all(scenario.day.open <= v.arrival < scenario.day.close for v in visitors)
    assert 140 <= len(visitors) / 20 <= 160  # 150 expected a day
    early = sum(1 for v in visitors if v.arrival < 10 * 60) / len(visitors)
    assert 0.7 < early < 0.8  # the profile puts 3.8 of its 5.3 weight-hours before 10:00 (72 %)
    service = {v.service for v in visitors}
    assert service == {s.code for s in scenario.office.services}
    assert all(v.lane != "health_worker" for v in visitors if v.service == "pengambilan_dokumen")


def test_every_policy_meets_the_same_visitors():
    report = compare(load_scenario("malang"), seed=3)
    totals = {name: sum(summary["groups"]["all"][key] for key in (SERVED, ABANDONED, NO_SHOW, UNSERVED))
              for name, summary in report["policies"].items()}
    assert totals == {"fifo": report["visitors"], "strict_priority": report["visitors"],
                      "configured": report["visitors"]}
    raw = tomllib.loads((SCENARIOS / "malang.toml").read_text())
    raw["simulation"]["patience_mean_min"] = 0  # nobody leaves, so every no-show is called under every policy
    patient = compare(parse_scenario(raw), seed=3)
    assert len({summary["no_show"] for summary in patient["policies"].values()}) == 1


def test_shipped_scenarios_describe_the_offices_asked_for():
    assert {"malang", "mpp"} <= set(shipped_scenarios())
    malang, mpp = load_scenario("malang"), load_scenario("mpp")
    for scenario, visitors, counters, priority_share in ((malang, 150, 6, (0.10, 0.15)), (mpp, 2000, 10, (0.18, 0.22))):
        expected = sum(stream.expected for stream in scenario.streams)
        assert expected == pytest.approx(visitors)
        assert len(scenario.office.counters) == counters
        share = sum(s.expected for s in scenario.streams if s.lane in PRIORITY) / expected
        assert priority_share[0] <= share <= priority_share[1]
    assert (malang.day.open, malang.day.close) == (7 * 60, 12 * 60)
    assert malang.policy.service_class("izin_kesehatan") < malang.policy.service_class("perizinan_berusaha")
    assert mpp.policy == PolicyConfig()  # the MPP day checks the documented defaults
    assert sum(1 for c in mpp.office.counters if c.lanes) in (1, 2) and mpp.breaks


def test_the_mpp_day_is_busy_but_not_overloaded():
    report = compare(load_scenario("mpp"))
    for summary in report["policies"].values():
        assert 0.8 <= summary["utilisation"] <= 0.9
        assert summary["unserved"] == 0


@pytest.mark.parametrize("change, field", [
    (lambda raw: raw.pop("simulation"), "simulation"),
    (lambda raw: raw["simulation"].update(open="7am"), "simulation.open"),
    (lambda raw: raw["simulation"].update(close="06:00"), "simulation.close"),
    (lambda raw: raw["simulation"]["services"].update(paspor={"visitors": 1, "service_min": 5}),
     "simulation.services.paspor"),
    (lambda raw: raw["simulation"]["services"]["konsultasi"].update(service_min=0),
     "simulation.services.konsultasi.service_min"),
    (lambda raw: raw["simulation"]["services"]["pengambilan_dokumen"].update(lanes={"health_worker": 1}),
     "simulation.services.pengambilan_dokumen.lanes.health_worker"),
    (lambda raw: raw["simulation"].update(profile=[["08:00", "07:30", 1]]), "simulation.profile[0]"),
    (lambda raw: raw["simulation"].update(breaks=[{"counter": 99, "start": "09:00", "end": "09:30"}]),
     "simulation.breaks[0].counter"),
    (lambda raw: raw["simulation"].update(no_show=1.5), "simulation.no_show"),
    (lambda raw: raw["policy"].update(max_priority_streak=-1), "policy.max_priority_streak"),
    (lambda raw: raw["policy"].update(max_wait_min="soon"), "policy.max_wait_min"),
])
def test_scenario_mistakes_are_named_by_field(change, field):
    raw = tomllib.loads((SCENARIOS / "malang.toml").read_text())
    change(raw)
    with pytest.raises(ConfigError) as error:
        parse_scenario(raw)
    assert str(error.value).startswith(field), str(error.value)


def test_the_policy_table_is_read_like_the_office_file():
    raw = tomllib.loads((SCENARIOS / "malang.toml").read_text())
    raw["policy"].update(max_priority_streak=0, max_wait_min=45)
    policy = parse_scenario(raw).policy
    assert (policy.max_priority_streak, policy.max_wait) == (None, timedelta(minutes=45))


# --- The command ---------------------------------------------------------------------------------

def simulate(*args):
    return CliRunner().invoke(main, ["simulate", *args])


def test_simulate_prints_a_table_per_policy():
    result = simulate("malang")
    assert result.exit_code == 0, result.output
    for text in ("fifo:", "strict_priority:", "configured:", "p95", "general", "priority (all)", "utilisation"):
        assert text in result.output


def test_simulate_json_is_one_object_in_the_documented_shape():
    result = simulate("mpp", "--json", "--seed", "4")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["seed"] == 4 and report["scenario"] == "mpp"
    assert set(report["policies"]) == {"fifo", "strict_priority", "configured"}
    for summary in report["policies"].values():
        assert 0 <= summary["utilisation"] <= 1
        assert set(summary["lanes"]) == {"general", "health_worker", "senior", "disability"}
        for waits in summary["lanes"].values():
            assert {"p50", "p95", "max"} <= set(waits)
            assert 0 <= waits["p50"] <= waits["p95"] <= waits["max"]
        assert isinstance(summary["over_max_wait"], int) and isinstance(summary["abandoned"], int)
    assert simulate("mpp", "--json", "--seed", "5").output != result.output


def test_simulate_writes_an_accessible_svg_chart(tmp_path):
    chart = tmp_path / "p95.svg"
    result = simulate("malang", "--json", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    json.loads(result.output)  # the chart does not disturb the JSON on standard output
    svg = ET.fromstring(chart.read_text())
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg" and svg.get("role") == "img"
    assert "p95" in svg.find(f"{ns}title").text
    labels = {text.text for text in svg.iter(f"{ns}text")}
    assert {"general", "senior", "fifo", "strict_priority", "configured", "priority (all)"} <= labels
    assert len(svg.findall(f"{ns}rect")) >= 3 * 5  # one bar per policy and lane group


def test_simulate_takes_a_path_and_names_the_shipped_scenarios(tmp_path):
    own = tmp_path / "kantor.toml"
    shutil.copy(SCENARIOS / "malang.toml", own)
    assert simulate(str(own), "--json").exit_code == 0
    result = simulate("atlantis")
    assert result.exit_code == 1
    assert "shipped: booking, malang, mpp" in result.output
    own.write_text(own.read_text().replace('open = "07:00"', 'open = "seven"'))
    result = simulate(str(own))
    assert result.exit_code == 1 and "kantor.toml: simulation.open" in result.output


# --- The target the defaults are held to (docs/QUEUE-POLICY.md, "The target, checked") ------------

def test_the_shipped_mpp_day_meets_the_target():
    scenario = load_scenario("mpp")
    assert scenario.seed == 1 and scenario.policy == PolicyConfig()
    assert scenario.policy.priority_head_start == timedelta(minutes=12)
    report = compare(scenario)
    assert report["seed"] == 1 and report["visitors"] == 1978
    fifo, configured = report["policies"]["fifo"], report["policies"]["configured"]
    priority, general = configured["groups"]["priority"]["p95"], configured["lanes"]["general"]["p95"]
    assert priority <= 0.5 * fifo["groups"]["priority"]["p95"]     # 1.06 against 6.36 (0.17)
    assert general <= 1.15 * fifo["lanes"]["general"]["p95"]       # 14.91 against 13.86 (1.076)
    assert configured["over_max_wait"] == 0
    assert compare(scenario)["policies"]["configured"] == configured   # deterministic, so a real guard


# --- Booked visitors (docs/QUEUE-POLICY.md, "Booked visitors") ------------------------------------

WINDOW = (timedelta(minutes=10), timedelta(minutes=15))  # the policy's default appointment_early and grace


def booking_raw(**bookings) -> dict:
    raw = tomllib.loads((SCENARIOS / "booking.toml").read_text())
    raw["simulation"]["bookings"].update(bookings)
    return raw


def test_a_booked_visitor_on_time_goes_ahead_of_the_walk_ins_and_inside_the_window():
    # Walk-ins at 08:10 and 08:12 came before the booking checked in (08:15, for an 08:30 slot),
    # 08:17 after it. The counter is busy until 08:20, when the slot's window (08:20-08:45) opens.
    day = [visitor(1, 480, 20), visitor(2, 490, 5), visitor(3, 492, 5), visitor(4, 495, 5, appointment=510),
           visitor(5, 497, 5)]
    seen = []
    result = run_day(DAY, [CounterPlan(DESK)], day, PolicyConfig(),
                     observer=lambda now, desk, waiting, recent, decision: seen.append(decision))
    assert calls(result) == {1: 480, 4: 500, 2: 505, 3: 510, 5: 515}
    assert seen[1].rule == "appointment" and seen[1].ticket.channel == "appointment"
    assert seen[1].ticket.appointment_at == DAY.at(510) and seen[2].ticket.channel == "walk_in"
    summary = summarise(result, day, None, PRIORITY, WINDOW)
    booked, walk_in = summary["channels"]["appointment"], summary["channels"]["walk_in"]
    assert (booked["visitors"], booked["p50"], walk_in["visitors"], walk_in["max"]) == (1, 5.0, 4, 18.0)
    assert (booked["in_window"], booked["before_window"], booked["after_window"]) == (1, 0, 0)
    assert booked["in_window_share"] == 1.0 and booked["window_min"] == [-10.0, 15.0]


def test_appointments_called_before_or_after_their_window_are_told_apart():
    # The 08:50 booking checked in at 07:55 and an idle counter takes it at opening, before its window;
    # the 08:10 booking waits behind a 50-minute visit and is called at 09:00, 35 minutes past its window.
    day = [visitor(1, 475, 3, appointment=530), visitor(2, 483, 50), visitor(3, 485, 5, appointment=490)]
    result = run_day(DAY, [CounterPlan(DESK)], day, PolicyConfig())
    assert calls(result) == {1: 480, 2: 483, 3: 533}
    booked = summarise(result, day, None, PRIORITY, WINDOW)["channels"]["appointment"]
    assert (booked["in_window"], booked["before_window"], booked["after_window"]) == (0, 1, 1)
    assert booked["late_by"]["max"] == 28.0 and booked["in_window_share"] == 0.0
    assert "channels" not in summarise(result, day, None, PRIORITY)  # no window, no channel split


def test_the_booking_table_is_read_with_documented_defaults():
    scenario = load_scenario("booking")
    bookings = scenario.bookings
    assert (bookings.share, bookings.no_show, bookings.early_mean, bookings.early_sd) == (0.3, 0.1, 10, 10)
    assert set(bookings.slot_min.values()) == {30}
    assert load_scenario("mpp").bookings is None
    raw = booking_raw(share=0.5)
    del raw["simulation"]["bookings"]["no_show"], raw["simulation"]["bookings"]["arrive_early_min"]
    raw["booking"]["slot_min"] = 20  # slots come from the office file's [booking] unless set here
    parsed = parse_scenario(raw).bookings
    assert (parsed.share, parsed.no_show, parsed.early_mean) == (0.5, 0.0, 10.0)
    assert set(parsed.slot_min.values()) == {20}
    assert set(parse_scenario(booking_raw(slot_min=45)).bookings.slot_min.values()) == {45}


def one_hour_day(raw: dict) -> dict:
    """The booking scenario cut to 08:00-09:00, where a 90-minute slot cannot fit."""
    raw["simulation"].update(open="08:00", close="09:00", breaks=[])
    raw["simulation"].pop("profile")
    return raw["simulation"]


@pytest.mark.parametrize("change, field", [
    (lambda raw: raw["simulation"].update(bookings=0.3), "simulation.bookings"),
    (lambda raw: raw["simulation"]["bookings"].pop("share"), "simulation.bookings.share"),
    (lambda raw: raw["simulation"]["bookings"].update(share=1.5), "simulation.bookings.share"),
    (lambda raw: raw["simulation"]["bookings"].update(share="30%"), "simulation.bookings.share"),
    (lambda raw: raw["simulation"]["bookings"].update(no_show=-0.1), "simulation.bookings.no_show"),
    (lambda raw: raw["simulation"]["bookings"].update(slot_min=2), "simulation.bookings.slot_min"),
    (lambda raw: one_hour_day(raw)["bookings"].update(slot_min=90), "simulation.bookings.slot_min"),
    (lambda raw: raw["simulation"]["bookings"].update(arrive_early_min=True), "simulation.bookings.arrive_early_min"),
    (lambda raw: raw["simulation"]["bookings"].update(arrive_sd_min=-1), "simulation.bookings.arrive_sd_min"),
    (lambda raw: raw["simulation"]["bookings"].update(noshow=0.1), "simulation.bookings.noshow"),
])
def test_booking_mistakes_are_named_by_field(change, field):
    raw = booking_raw()
    change(raw)
    with pytest.raises(ConfigError) as error:
        parse_scenario(raw)
    assert str(error.value).startswith(field), str(error.value)


def test_booked_visitors_come_around_their_slot_and_some_never_come():
    scenario = load_scenario("booking")
    visitors = draw_visitors(scenario)
    booked = [v for v in visitors if v.appointment is not None]
    figures = compare(scenario)["bookings"]
    assert len(booked) == figures["checked_in"]
    assert figures["booked"] == figures["checked_in"] + figures["walked_in"] + figures["never_came"]
    assert 0.25 <= figures["booked"] / (len(visitors) + figures["never_came"]) <= 0.35
    assert 0.05 <= figures["never_came"] / figures["booked"] <= 0.15
    day = scenario.day
    assert all((v.appointment - day.open) % 30 == 0 and day.open <= v.appointment < day.close for v in booked)
    assert all(v.appointment - 30 <= v.arrival <= v.appointment + 15 for v in booked)  # the check-in window
    assert all(day.open <= v.arrival < day.close for v in visitors if v.appointment is None)
    fullest = figures["fullest_slot"]
    assert fullest["booked"] <= fullest["bookable"]  # the shipped office's slots take the day's bookings


def test_too_early_checks_in_when_check_in_opens_and_too_late_walks_in():
    early = parse_scenario(booking_raw(arrive_early_min=45, arrive_sd_min=0))
    booked = [v for v in draw_visitors(early) if v.appointment is not None]
    assert booked and all(v.arrival == v.appointment - 30 for v in booked)
    late = compare(parse_scenario(booking_raw(arrive_early_min=-20, arrive_sd_min=0)))
    assert late["bookings"]["checked_in"] == 0 and late["bookings"]["walked_in"] > 0
    assert late["policies"]["configured"]["channels"]["appointment"]["visitors"] == 0


def test_booked_days_repeat_with_the_seed_and_keep_the_same_people_as_the_day_without():
    scenario = load_scenario("booking")
    assert draw_visitors(scenario, 5) == draw_visitors(scenario, 5)
    assert draw_visitors(scenario, 5) != draw_visitors(scenario, 6)
    assert compare(scenario, seed=5) == compare(scenario, seed=5)
    # With nobody booking, the booking day is the MPP day to the visitor: the comparison is fair.
    assert draw_visitors(parse_scenario(booking_raw(share=0))) == draw_visitors(load_scenario("mpp"))


def test_the_report_splits_walk_ins_from_appointments():
    report = compare(load_scenario("booking"))
    assert set(report["bookings"]) >= {"booked", "never_came", "walked_in", "checked_in", "fullest_slot"}
    for summary in report["policies"].values():
        walk_in, booked = summary["channels"]["walk_in"], summary["channels"]["appointment"]
        assert walk_in["visitors"] + booked["visitors"] == report["visitors"]
        assert booked["in_window"] + booked["before_window"] + booked["after_window"] == booked["called"]
        for row in (walk_in, booked):
            assert 0 <= row["p50"] <= row["p95"] <= row["max"]
    text = format_report(report)
    assert "bookings: " in text and "appointments called in their window" in text
    assert "  walk-in " in text and "  appointment " in text
    svg = ET.fromstring(svg_chart(report))
    labels = {text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"walk-in", "appointment", "priority (all)"} <= labels
    result = simulate("booking", "--json")
    assert result.exit_code == 0 and json.loads(result.output)["policies"]["fifo"]["channels"]


def test_a_day_without_bookings_reports_as_before():
    report = compare(load_scenario("mpp"))
    assert "bookings" not in report and all("channels" not in s for s in report["policies"].values())
    assert set(report) == {"scenario", "office", "date", "open", "close", "seed", "visitors", "counters",
                           "max_wait_min", "priority_lanes", "policies"}
    lines = format_report(report).splitlines()
    configured = lines[lines.index("configured: utilisation 0.84, over max wait (60 min): 0, last call 15:00"):]
    assert configured[1:8] == [
        "  lane            served abandoned no-show unserved    p50    p95    max",
        "  general           1463        41      71        0    4.7   14.9   20.5",
        "  health_worker       81         0       5        0    0.1    1.1    1.7",
        "  senior             253         0      12        0    0.1    1.0    2.0",
        "  disability          51         0       1        0    0.2    1.0    2.2",
        "  priority (all)     385         0      18        0    0.1    1.1    2.2",
        "  everyone          1848        41      89        0    2.2   14.5   20.5",
    ]
    assert len(lines) == 32 and "appointment" not in "\n".join(lines)
