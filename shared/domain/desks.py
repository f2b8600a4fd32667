"""Counters as the queue policy sees them: the configured profile plus the live state."""
from __future__ import annotations

from collections.abc import Mapping

from .config import OfficeConfig
from .model import COUNTER_OPEN, CounterDesk


def desks(config: OfficeConfig, states: Mapping[int, str]) -> list[CounterDesk]:
    """Every configured counter with its live state (open unless changed)."""
    return [
        CounterDesk(counter.number, counter.name, counter.services, counter.lanes,
                    states.get(counter.number, COUNTER_OPEN), counter.mode)
        for counter in config.counters
    ]


def desk(config: OfficeConfig, number: int, states: Mapping[int, str]) -> CounterDesk | None:
    """One counter with its live state, or None when it is not configured."""
    counter = config.counter(number)
    if counter is None:
        return None
    return CounterDesk(counter.number, counter.name, counter.services, counter.lanes,
                       states.get(number, COUNTER_OPEN), counter.mode)
