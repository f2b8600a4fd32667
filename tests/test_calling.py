"""The calling rule, as pure functions: no app, no database, no clock."""
from datetime import datetime, timedelta, timezone

from shared.calling import can_serve, choose_next, people_ahead, queue_positions
from shared.model import COUNTER_PAUSED, CounterDesk, Ticket

START = datetime(2026, 11, 25, 1, 0, tzinfo=timezone.utc)


def ticket(ticket_id: int, lane: str = "general", service: str = "izin", minutes: int = 0) -> Ticket:
    return Ticket(ticket_id, "2026-11-25", service, lane, ticket_id, f"A-{ticket_id:03d}", "waiting", "walk_in",
                  START + timedelta(minutes=minutes), START + timedelta(minutes=minutes))


GENERAL_DESK = CounterDesk(1, "Loket 1", ("izin",), None)
PRIORITY_DESK = CounterDesk(7, "Loket 7", ("izin", "usaha"), ("senior", "disability", "health_worker"))


def test_arrival_order_within_a_lane():
    waiting = [ticket(2, minutes=5), ticket(1, minutes=1), ticket(3, minutes=9)]
    assert choose_next(waiting, GENERAL_DESK).id == 1


def test_priority_lanes_before_general():
    waiting = [ticket(1, minutes=0), ticket(2, "senior", minutes=10)]
    assert choose_next(waiting, GENERAL_DESK).id == 2


def test_counter_calls_only_its_services():
    waiting = [ticket(1, service="other"), ticket(2, minutes=3)]
    assert choose_next(waiting, GENERAL_DESK).id == 2
    assert choose_next([ticket(1, service="other")], GENERAL_DESK) is None


def test_reserved_counter_calls_only_its_lanes():
    waiting = [ticket(1, minutes=0), ticket(2, "disability", minutes=7)]
    assert choose_next(waiting, PRIORITY_DESK).id == 2
    assert choose_next([ticket(1)], PRIORITY_DESK) is None
    assert not can_serve(PRIORITY_DESK, ticket(1))


def test_paused_counter_calls_nobody():
    paused = CounterDesk(1, "Loket 1", ("izin",), None, COUNTER_PAUSED)
    assert choose_next([ticket(1)], paused) is None


def test_same_arrival_time_breaks_ties_by_id():
    assert choose_next([ticket(5), ticket(4)], GENERAL_DESK).id == 4


def test_people_ahead_follows_the_calling_order():
    waiting = [ticket(1, minutes=0), ticket(2, minutes=1), ticket(3, "senior", minutes=2), ticket(4, service="x")]
    assert people_ahead(waiting[0], waiting) == 1   # the senior goes first
    assert people_ahead(waiting[1], waiting) == 2
    assert people_ahead(waiting[2], waiting) == 0
    assert people_ahead(waiting[3], waiting) == 0   # other service, own queue


def test_queue_positions_agree_with_people_ahead():
    waiting = [ticket(1, minutes=0), ticket(2, "disability", minutes=4), ticket(3, minutes=1),
               ticket(4, service="x", minutes=2), ticket(5, "senior", minutes=3), ticket(6, service="x", minutes=0)]
    positions = queue_positions(waiting)
    assert positions == {t.id: people_ahead(t, waiting) for t in waiting}
    assert positions[2] == 1 and positions[6] == 0
