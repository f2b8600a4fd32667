"""Soak: displays and phones stay connected through a compressed day of calls and queue changes.

The live test runs `bench.soak` on the real server at a small count (10 displays, 50 phones,
300 operations: a few seconds); `make bench` runs the issue's full count (50 displays, 500
phones, 2,000 operations). `ANTREAN_SOAK_DISPLAYS`, `ANTREAN_SOAK_PHONES`,
`ANTREAN_SOAK_OPERATIONS` and `ANTREAN_SOAK_SEED` change the counts here (docs/PERFORMANCE.md).
The other tests feed the checks made-up histories, so each way a screen can go wrong is shown
to be caught.
"""
from __future__ import annotations

import os

import pytest

from bench import soak

DISPLAYS = int(os.environ.get("ANTREAN_SOAK_DISPLAYS", "10"))
PHONES = int(os.environ.get("ANTREAN_SOAK_PHONES", "50"))
OPERATIONS = int(os.environ.get("ANTREAN_SOAK_OPERATIONS", "300"))
SEED = int(os.environ.get("ANTREAN_SOAK_SEED", "12"))
EVERY_ACTION = {"issue", "call-next", "recall", "start", "done", "no-show", "transfer", "pause", "open"}


@pytest.mark.server
def test_no_screen_misses_or_reorders_an_event_and_memory_stays_flat():
    result = soak.run("gevent", displays=DISPLAYS, phones=PHONES, operations=OPERATIONS, seed=SEED, log=lambda _: None)

    assert result["problems"] == [], "\n".join([soak.summary(result), *result["problems"]])
    assert result["displays_checked"] == DISPLAYS and result["phones_checked"] == PHONES
    assert result["operations_done"] == OPERATIONS
    assert EVERY_ACTION <= set(result["kinds"]), result["kinds"]  # the mix really changed the queue every way
    assert result["recalls_logged"] > 0 and result["calls_logged"] > result["recalls_logged"]
    # Each display heard every call of the run, so the events delivered are at least that.
    assert result["events_delivered"] >= DISPLAYS * result["calls_logged"]
    assert result["memory"]["flat"] is True, result["memory"]


# -- the checks catch what they are for ---------------------------------------------------------

CALLS = [(11, "A-001", 1, False), (13, "A-001", 1, True), (14, "B-001", 3, False)]
GOOD = [("snapshot", 10), ("called", 11, "A-001", 1, False), ("queue", 12), ("called", 13, "A-001", 1, True),
        ("called", 14, "B-001", 3, False), ("queue", 16)]


def test_a_display_that_heard_every_call_in_order_passes():
    assert soak.check_display(GOOD, CALLS, 16) == []


@pytest.mark.parametrize("messages, expected", [
    (GOOD[:3] + GOOD[4:], "a gap"),                                          # the recall lost
    (GOOD[:1] + [GOOD[3], GOOD[1], GOOD[2]] + GOOD[4:], "out of order"),    # two calls swapped
    (GOOD[:2] + [GOOD[1]] + GOOD[2:], "out of order"),                      # a call heard twice
    (GOOD[:3] + [("queue", 11)] + GOOD[3:], "out of order"),                # an older snapshot after a newer
    (GOOD[:-1], "ended on seq 14"),                                         # the last change never arrived
    (GOOD[:1] + [("called", 11, "A-002", 1, False)] + GOOD[2:], "calls: heard 3"),  # not the call logged
    (GOOD[1:], "no snapshot first"),
    (GOOD[:3] + [("snapshot", 12)] + GOOD[3:], "a second snapshot"),
])
def test_a_display_that_missed_reordered_or_doubled_a_call_fails(messages, expected):
    problems = soak.check_display(messages, CALLS, 16)
    assert any(expected in problem for problem in problems), problems


def _views(*statuses: str) -> list[dict]:
    return [{"number": "A-001", "status": status} for status in statuses]


def test_a_phone_may_skip_a_status_merged_into_a_later_view_but_never_reorder():
    history = ["waiting", "called", "serving", "done"]
    assert soak.check_phone(_views("waiting", "called", "serving", "done"), history, _views("done")[0]) == ([], 0)
    assert soak.check_phone(_views("waiting", "done"), history, _views("done")[0]) == ([], 2)
    problems, _ = soak.check_phone(_views("waiting", "serving", "called", "done"), history, _views("done")[0])
    assert any("not in the order" in problem for problem in problems)
    problems, _ = soak.check_phone(_views("waiting", "called"), history, _views("done")[0])
    assert any("last view" in problem for problem in problems)


def test_memory_that_keeps_growing_is_not_flat():
    warm_then_flat = [100.0] * 5 + [110.0] * 10 + [118.0] * 25
    assert soak.memory_flat(warm_then_flat)["flat"] is True
    leaking = [100.0 + index for index in range(40)]  # 1 MB a sample: 10 MB a quarter
    assert soak.memory_flat(leaking)["flat"] is False
