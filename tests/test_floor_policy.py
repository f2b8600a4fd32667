"""The rule for a counter that also serves other counters' lines (`policy.choose_with_lines`),
proved without Flask, a database or a clock."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.model import COUNTER_CLOSED, COUNTER_OPEN, CounterDesk, Ticket
from shared.domain.policy import (
    APPOINTMENT, ARRIVAL, ASSISTING, FAIRNESS, MAX_WAIT, RESERVED_LANE, PolicyConfig, choose, choose_with_lines, heads,
    serves,
)

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
POLICY = PolicyConfig()
ONE = CounterDesk(1, "Loket 1", ("izin",), None)
THREE = CounterDesk(3, "Loket 3", ("kesehatan",), None, state=COUNTER_CLOSED)   # its officer is away
SEVEN = CounterDesk(7, "Loket 7", ("izin", "kesehatan"), ("senior",))


def ticket(ticket_id: int, service: str, minutes_ago: float, lane: str = "general", *,
           appointment_in: float | None = None) -> Ticket:
    arrived = NOW - timedelta(minutes=minutes_ago)
    return Ticket(id=ticket_id, business_date="2026-03-02", service=service, lane=lane, sequence=ticket_id,
                  number=f"X-{ticket_id:03d}", status="waiting", channel="walk_in", arrived_at=arrived,
                  issued_at=arrived,
                  appointment_at=NOW + timedelta(minutes=appointment_in) if appointment_in is not None else None)


def test_without_lines_it_is_the_ordinary_choice():
    waiting = [ticket(1, "izin", 5), ticket(2, "kesehatan", 30)]
    assert choose_with_lines(waiting, ONE, [], NOW, POLICY) == choose(waiting, ONE, NOW, POLICY)
    assert choose_with_lines(waiting, ONE, [], NOW, POLICY).ticket.id == 1


def test_the_line_of_an_away_colleague_is_served_in_arrival_order():
    waiting = [ticket(1, "izin", 5), ticket(2, "kesehatan", 30)]
    decision = choose_with_lines(waiting, ONE, [THREE], NOW, POLICY)
    assert (decision.ticket.id, decision.rule, decision.line) == (2, ARRIVAL, 3)
    waiting = [ticket(1, "izin", 40), ticket(2, "kesehatan", 30)]
    decision = choose_with_lines(waiting, ONE, [THREE], NOW, POLICY)
    assert (decision.ticket.id, decision.line) == (1, None), "its own line when that visitor came first"


def test_only_the_other_line_waits():
    decision = choose_with_lines([ticket(2, "kesehatan", 1)], ONE, [THREE], NOW, POLICY)
    assert (decision.ticket.id, decision.line) == (2, 3)
    assert choose_with_lines([], ONE, [THREE], NOW, POLICY) is None


def test_a_closed_or_paused_counter_calls_nobody_from_any_line():
    closed = CounterDesk(1, "Loket 1", ("izin",), None, state=COUNTER_CLOSED)
    assert choose_with_lines([ticket(2, "kesehatan", 30)], closed, [THREE], NOW, POLICY) is None


def test_the_most_urgent_rule_wins_across_lines():
    # Over the maximum wait in the other line beats an earlier-arriving own visitor by order.
    overdue = [ticket(1, "izin", 50, lane="senior"), ticket(2, "kesehatan", 61)]
    decision = choose_with_lines(overdue, ONE, [THREE], NOW, POLICY)
    assert (decision.ticket.id, decision.rule, decision.line) == (2, MAX_WAIT, 3)
    # A due appointment in the own line beats a long (not overdue) wait in the other.
    booked = [ticket(1, "izin", 1, appointment_in=0), ticket(2, "kesehatan", 50)]
    decision = choose_with_lines(booked, ONE, [THREE], NOW, POLICY)
    assert (decision.ticket.id, decision.rule, decision.line) == (1, APPOINTMENT, None)


def test_the_counters_fairness_bound_holds_with_other_lines():
    waiting = [ticket(1, "izin", 5), ticket(2, "kesehatan", 20, lane="senior"), ticket(3, "kesehatan", 8)]
    recent = ["senior", "senior", "senior"]   # three priority calls in a row at this counter
    decision = choose_with_lines(waiting, ONE, [THREE], NOW, POLICY, recent)
    assert decision.rule == FAIRNESS and POLICY.lane_class(decision.ticket.lane) == POLICY.lane_class("general")
    assert decision.ticket.id == 3, "the general visitor who came first, from either line"


def test_a_reserved_counters_line_keeps_its_lanes():
    waiting = [ticket(1, "izin", 30), ticket(2, "kesehatan", 10, lane="senior"), ticket(3, "kesehatan", 40)]
    decision = choose_with_lines(waiting, ONE, [SEVEN], NOW, POLICY)
    assert (decision.ticket.id, decision.line) == (1, None), "counter 7's line is its senior visitors only"
    decision = choose_with_lines(waiting[1:2], ONE, [SEVEN], NOW, POLICY)
    assert (decision.ticket.id, decision.rule, decision.line) == (2, RESERVED_LANE, 7)


def test_the_same_ticket_in_both_lines_is_the_counters_own():
    both = CounterDesk(5, "Loket 5", ("izin", "kesehatan"), None)
    decision = choose_with_lines([ticket(1, "izin", 5)], ONE, [both], NOW, POLICY)
    assert (decision.ticket.id, decision.line) == (1, None)


def test_serves_counts_the_other_lines():
    assert not serves(ONE, [], ticket(2, "kesehatan", 1))
    assert serves(ONE, [THREE], ticket(2, "kesehatan", 1))
    assistant = CounterDesk(8, "Loket 8", ("kesehatan",), ("senior",), mode=ASSISTING)
    assert serves(ONE, [assistant], ticket(2, "kesehatan", 1))
    assert not serves(ONE, [SEVEN], ticket(2, "kesehatan", 1)), "a strict counter's line is its lanes only"


waiting_lists = st.lists(
    st.tuples(st.sampled_from(("izin", "kesehatan", "dokumen")), st.sampled_from(("general", "senior", "disability")),
              st.integers(min_value=0, max_value=90), st.booleans()),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(waiting_lists, st.lists(st.sampled_from(("general", "senior")), max_size=4),
       st.sets(st.sampled_from((3, 7, 9)), max_size=3))
def test_the_heads_of_the_lines_decide_as_the_whole_queue_does(drawn, recent, chosen_lines):
    """Storage hands call-next only the head of each line (`heads`): with other lines served too,
    that must still give the same decision as the whole queue."""
    waiting = [ticket(index + 1, service, minutes, lane, appointment_in=(minutes % 20 - 10) if booked else None)
               for index, (service, lane, minutes, booked) in enumerate(drawn)]
    profiles = {3: THREE, 7: SEVEN, 9: CounterDesk(9, "Loket 9", ("dokumen",), None, state=COUNTER_OPEN)}
    lines = [profiles[number] for number in sorted(chosen_lines)]
    whole = choose_with_lines(waiting, ONE, lines, NOW, POLICY, recent)
    assert choose_with_lines(heads(waiting), ONE, lines, NOW, POLICY, recent) == whole
    if whole is not None:
        assert serves(ONE, lines, whole.ticket)
