"""The queue policy, rule by rule, as pure functions: no app, no database, no clock."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from shared.model import COUNTER_PAUSED, CounterDesk, Ticket
from shared.policy import (
    APPOINTMENT, ARRIVAL, ASSISTING, ASSISTING_RULE, FAIRNESS, FIFO, MAX_WAIT, PRIORITY_LANE, RESERVED_LANE,
    SERVICE_PRIORITY, STRICT_PRIORITY, PolicyConfig, can_serve, choose, people_ahead, priority_streak,
    queue_positions,
)

START = datetime(2026, 11, 25, 1, 0, tzinfo=timezone.utc)
NOW = START + timedelta(minutes=30)
POLICY = PolicyConfig()


def ticket(ticket_id: int, lane: str = "general", service: str = "izin", minutes: int = 0, **extra) -> Ticket:
    return Ticket(ticket_id, "2026-11-25", service, lane, ticket_id, f"A-{ticket_id:03d}", "waiting", "walk_in",
                  START + timedelta(minutes=minutes), START + timedelta(minutes=minutes), **extra)


GENERAL_DESK = CounterDesk(1, "Loket 1", ("izin", "usaha"), None)
PRIORITY_DESK = CounterDesk(7, "Loket 7", ("izin", "usaha"), ("senior", "disability", "health_worker"))


def test_arrival_order_within_a_lane():
    decision = choose([ticket(2, minutes=5), ticket(1, minutes=1), ticket(3, minutes=9)], GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (1, ARRIVAL)
    assert decision.waited == timedelta(minutes=29)


def test_priority_lanes_before_general():
    decision = choose([ticket(1), ticket(2, "senior", minutes=10)], GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (2, PRIORITY_LANE)


def test_fifo_ignores_lanes():
    assert choose([ticket(1), ticket(2, "senior", minutes=10)], GENERAL_DESK, NOW, FIFO).ticket.id == 1


def test_service_priority_at_a_counter_serving_several():
    policy = PolicyConfig(service_classes={"izin": 0})
    waiting = [ticket(1, service="usaha"), ticket(2, service="izin", minutes=5)]
    decision = choose(waiting, GENERAL_DESK, NOW, policy)
    assert (decision.ticket.id, decision.rule) == (2, SERVICE_PRIORITY)
    assert policy.service_class("usaha") == 1 and POLICY.service_class("usaha") == 0


def test_fairness_bound_after_a_streak_of_priority_calls():
    waiting = [ticket(1), ticket(2, "senior", minutes=5)]
    two = ["senior", "disability"]
    assert choose(waiting, GENERAL_DESK, NOW, POLICY, recent_lanes=two).ticket.id == 2
    decision = choose(waiting, GENERAL_DESK, NOW, POLICY, recent_lanes=["senior", *two, "general"])
    assert (decision.ticket.id, decision.rule) == (1, FAIRNESS)
    assert choose(waiting, GENERAL_DESK, NOW, STRICT_PRIORITY, recent_lanes=["senior"] * 9).ticket.id == 2


def test_priority_streak_counts_only_the_latest_run():
    assert priority_streak(["senior", "general", "senior", "senior"], POLICY) == 1
    assert priority_streak(["senior", "health_worker", "disability"], POLICY) == 3
    assert priority_streak([], POLICY) == 0


def test_maximum_wait_goes_first_whatever_the_lane():
    old = ticket(1, minutes=-40)   # waited 70 minutes by NOW
    decision = choose([old, ticket(2, "senior", minutes=10)], GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (1, MAX_WAIT)
    assert choose([old, ticket(2, "senior", minutes=10)], GENERAL_DESK, NOW, STRICT_PRIORITY).ticket.id == 2


def test_appointment_called_in_its_window_then_counts_as_a_walk_in():
    booked = ticket(3, minutes=20, appointment_at=NOW + timedelta(minutes=5))
    waiting = [ticket(1, minutes=0), booked]
    decision = choose(waiting, GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (3, APPOINTMENT)
    too_early = replace(booked, appointment_at=NOW + timedelta(minutes=30))
    assert choose([ticket(1), too_early], GENERAL_DESK, NOW, POLICY).ticket.id == 1
    past_grace = replace(booked, appointment_at=NOW - timedelta(minutes=16))
    assert choose([ticket(1), past_grace], GENERAL_DESK, NOW, POLICY).ticket.id == 1


def test_strict_reserved_counter_calls_only_its_lanes():
    waiting = [ticket(1), ticket(2, "disability", minutes=7)]
    decision = choose(waiting, PRIORITY_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (2, RESERVED_LANE)
    assert choose([ticket(1)], PRIORITY_DESK, NOW, POLICY) is None
    assert not can_serve(PRIORITY_DESK, ticket(1))


def test_assisting_reserved_counter_helps_others_when_its_lanes_are_empty():
    assisting = replace(PRIORITY_DESK, mode=ASSISTING)
    assert choose([ticket(1), ticket(2, "senior", minutes=9)], assisting, NOW, POLICY).ticket.id == 2
    decision = choose([ticket(1)], assisting, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (1, ASSISTING_RULE)
    assert can_serve(assisting, ticket(1))


def test_reserved_counters_ignore_the_fairness_streak():
    decision = choose([ticket(1), ticket(2, "senior")], PRIORITY_DESK, NOW, POLICY, recent_lanes=["senior"] * 5)
    assert decision.ticket.id == 2


def test_paused_counter_and_other_services():
    paused = replace(GENERAL_DESK, state=COUNTER_PAUSED)
    assert choose([ticket(1)], paused, NOW, POLICY) is None
    assert choose([ticket(1, service="other")], GENERAL_DESK, NOW, POLICY) is None


def test_same_arrival_time_breaks_ties_by_id():
    assert choose([ticket(5), ticket(4)], GENERAL_DESK, NOW, POLICY).ticket.id == 4


def test_people_ahead_follows_the_standing_order():
    waiting = [ticket(1, minutes=0), ticket(2, minutes=1), ticket(3, "senior", minutes=2), ticket(4, service="x")]
    assert [people_ahead(t, waiting, POLICY) for t in waiting] == [1, 2, 0, 0]


def test_queue_positions_agree_with_people_ahead():
    waiting = [ticket(1, minutes=0), ticket(2, "disability", minutes=4), ticket(3, minutes=1),
               ticket(4, service="x", minutes=2), ticket(5, "senior", minutes=3), ticket(6, service="x", minutes=0)]
    positions = queue_positions(waiting, POLICY)
    assert positions == {t.id: people_ahead(t, waiting, POLICY) for t in waiting}
    assert positions[2] == 1 and positions[6] == 0
