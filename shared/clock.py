"""The one place the product reads the wall clock, and the clock every part is handed.

Requests, the event relay and the scheduler all read time through the office's `clock`
(a zero-argument callable returning an aware UTC datetime). Tests hand in a `ManualClock`
and move it, so expiry, roll-over and timers are tested without sleeping.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(timezone.utc)


class ManualClock:
    """A clock that stands still until moved: for tests and the simulator."""

    def __init__(self, start: datetime):
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new instant."""
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment
