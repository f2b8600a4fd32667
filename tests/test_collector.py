"""The cycle collector's schedule in the serving worker (shared/web/collector.py)."""
from __future__ import annotations

import gc
import weakref

import pytest

from shared.web.collector import Collector, settle


class Node:
    """Something that can sit in a reference cycle and be watched by a weak reference."""

    def __init__(self):
        self.other = None


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def thawed():
    """Each test starts and ends with nothing frozen (the rest of the suite collects normally)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def cyclic_garbage_frozen():
    """A reference cycle, frozen, then dropped: only a thaw and a collection can free it."""
    first, second = Node(), Node()
    first.other, second.other = second, first
    watch = weakref.ref(first)
    gc.freeze()
    del first, second
    gc.collect()
    assert watch() is not None   # frozen: Python's own collections never look at it
    return watch


def test_settle_freezes_what_the_start_made():
    assert gc.get_freeze_count() == 0
    settle()
    assert gc.get_freeze_count() > 1000


def test_survivors_of_a_full_collection_are_frozen_at_the_next_round():
    clock = Clock()
    collector = Collector(lambda: 0, clock=clock)
    kept = [Node() for _ in range(100)]
    collector.tick()
    assert gc.get_freeze_count() == 0   # no full collection yet: nothing to freeze
    gc.collect()
    collector.tick()
    assert gc.get_freeze_count() >= len(kept)


def test_a_quiet_moment_after_the_period_reclaims_frozen_cycles():
    clock = Clock()
    activity = {"seq": 1}
    collector = Collector(lambda: activity["seq"], clock=clock, full_every_s=600, quiet_s=2, latest_extra_s=300)
    watch = cyclic_garbage_frozen()
    clock.now += 300
    collector.tick()
    assert watch() is not None and collector.wholes == 0      # not due yet
    clock.now += 301
    activity["seq"] += 1
    collector.tick()
    assert watch() is not None and collector.wholes == 0      # due, but the office is busy
    clock.now += 3
    collector.tick()
    assert watch() is None and collector.wholes == 1          # quiet: thawed, collected, refrozen
    assert gc.get_freeze_count() > 0


def test_a_never_quiet_office_still_gets_its_whole_collection():
    clock = Clock()
    activity = {"seq": 0}
    collector = Collector(lambda: activity["seq"], clock=clock, full_every_s=600, quiet_s=2, latest_extra_s=300)
    watch = cyclic_garbage_frozen()
    for _ in range(89):
        clock.now += 10
        activity["seq"] += 1
        collector.tick()
    assert watch() is not None and collector.wholes == 0      # 890 s, busy all the time
    clock.now += 10
    activity["seq"] += 1
    collector.tick()
    assert watch() is None and collector.wholes == 1          # 900 s: overdue, runs anyway
