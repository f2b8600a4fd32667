"""The queue policy, rule by rule, as pure functions: no app, no database, no clock."""
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from shared.domain.model import COUNTER_PAUSED, CounterDesk, Ticket
from shared.domain.policy import (
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


# --- The priority head start (rule 4) -----------------------------------------------------------

def test_a_senior_a_little_after_a_general_visitor_goes_first():
    assert POLICY.priority_head_start == timedelta(minutes=12)
    decision = choose([ticket(1, minutes=0), ticket(2, "senior", minutes=5)], GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (2, PRIORITY_LANE)


def test_a_senior_long_after_a_general_visitor_does_not():
    decision = choose([ticket(1, minutes=0), ticket(2, "senior", minutes=20)], GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (1, ARRIVAL)


def test_the_head_start_is_worth_one_head_start_per_class_below_general():
    waiting = [ticket(1, minutes=0), ticket(2, "senior", minutes=20)]
    two_classes = PolicyConfig(lane_classes={"general": 2, "senior": 0})   # 2 × 12 = 24 minutes
    assert choose(waiting, GENERAL_DESK, NOW, two_classes).ticket.id == 2
    shorter = PolicyConfig(priority_head_start=timedelta(minutes=3))
    assert choose([ticket(1), ticket(2, "senior", minutes=5)], GENERAL_DESK, NOW, shorter).ticket.id == 1


def test_a_tie_after_the_head_start_goes_by_ticket_id():
    waiting = [ticket(2, minutes=0), ticket(1, "senior", minutes=12)]
    assert choose(waiting, GENERAL_DESK, NOW, POLICY).ticket.id == 1
    waiting = [ticket(1, minutes=0), ticket(2, "senior", minutes=12)]
    assert choose(waiting, GENERAL_DESK, NOW, POLICY).ticket.id == 1


def test_without_a_head_start_the_senior_goes_first_whenever_they_came():
    strict_order = PolicyConfig(priority_head_start=None)
    for minutes in (5, 20, 29):
        decision = choose([ticket(1, minutes=0), ticket(2, "senior", minutes=minutes)], GENERAL_DESK, NOW,
                          strict_order)
        assert (decision.ticket.id, decision.rule) == (2, PRIORITY_LANE)
    assert choose([ticket(1), ticket(2, "senior", minutes=29)], GENERAL_DESK, NOW, STRICT_PRIORITY).ticket.id == 2


def test_with_the_head_start_the_service_class_comes_before_the_lane():
    waiting = [ticket(1, service="izin", minutes=10), ticket(2, "senior", service="usaha", minutes=0)]
    classes = {"izin": 0}
    assert choose(waiting, GENERAL_DESK, NOW, PolicyConfig(service_classes=classes)).ticket.id == 1
    strict_order = PolicyConfig(service_classes=classes, priority_head_start=None)
    assert choose(waiting, GENERAL_DESK, NOW, strict_order).ticket.id == 2


def test_the_bounds_still_come_before_the_head_start():
    waiting = [ticket(1, minutes=0), ticket(2, "senior", minutes=5)]
    decision = choose(waiting, GENERAL_DESK, NOW, POLICY, recent_lanes=["senior"] * 3)
    assert (decision.ticket.id, decision.rule) == (1, FAIRNESS)
    old = ticket(3, minutes=-31)   # waited 61 minutes by NOW; the senior 55, but counts as 67
    decision = choose([old, ticket(4, "senior", minutes=-25)], GENERAL_DESK, NOW, POLICY)
    assert (decision.ticket.id, decision.rule) == (3, MAX_WAIT)


def test_people_ahead_and_queue_positions_follow_the_head_start():
    waiting = [ticket(1, minutes=0), ticket(2, minutes=3), ticket(3, "senior", minutes=5),
               ticket(4, "disability", minutes=20), ticket(5, minutes=10), ticket(6, "health_worker", minutes=25),
               ticket(7, "senior", minutes=1, service="usaha")]
    # counted arrivals: 1→0, 2→3, 3→−7, 4→8, 5→10, 6→13 (izin); 7 alone in usaha
    expected = {3: 0, 1: 1, 2: 2, 4: 3, 5: 4, 6: 5, 7: 0}
    assert {t.id: people_ahead(t, waiting, POLICY) for t in waiting} == expected
    assert queue_positions(waiting, POLICY) == expected
    izin = [t for t in waiting if t.service == "izin"]
    called = []
    while izin:
        chosen = choose(izin, GENERAL_DESK, NOW, replace(POLICY, max_priority_streak=None)).ticket
        called.append(chosen.id)
        izin.remove(chosen)
    assert called == sorted(called, key=expected.get) == [3, 1, 2, 4, 5, 6]
    strict_order = PolicyConfig(priority_head_start=None)
    assert queue_positions(waiting, strict_order) == {3: 0, 4: 1, 6: 2, 1: 3, 2: 4, 5: 5, 7: 0}
    assert queue_positions(waiting, strict_order) == {t.id: people_ahead(t, waiting, strict_order) for t in waiting}


def test_arrival_behind_puts_a_ticket_right_behind_another_in_the_standing_order():
    from shared.domain.policy import FIFO, STRICT_PRIORITY, arrival_behind, order_key

    general, senior, later = ticket(1, minutes=0), ticket(2, "senior", minutes=5), ticket(3, minutes=20)
    for mine, other in ((general, later), (senior, later), (general, senior)):
        behind = replace(mine, arrived_at=arrival_behind(mine, other, POLICY))
        assert order_key(other, POLICY) < order_key(behind, POLICY)
        third = ticket(4, minutes=21)   # whoever came after `other` stays after the moved ticket
        assert order_key(behind, POLICY) < order_key(third, POLICY) or other.arrived_at >= third.arrived_at
    assert arrival_behind(general, later, FIFO) == later.arrived_at + timedelta(microseconds=1)
    assert arrival_behind(senior, later, STRICT_PRIORITY) is None   # a lane class cannot be given away
