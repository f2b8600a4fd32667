"""When Python's cycle collector runs in the serving worker, so that it never stalls a call.

CPython's full (generation 2) collection walks every tracked object, and a server holding
2,000 sockets has ~460,000 of them: measured, each full collection then stopped the gevent
worker for 100–220 ms, every 20 or so calls, and every display and phone waited for it
(docs/PERFORMANCE.md, "Where the time goes"). Most of those objects live as long as the
worker (modules, the app) or as long as a socket (minutes to hours), so walking them again
and again finds nothing.

The schedule here:

- at start, after the app is built, everything alive is frozen (`gc.freeze`): never walked again;
- after each full collection Python runs on its own, the survivors are frozen too, so the
  next one walks only what was made since (tens of milliseconds at most instead of hundreds);
- every `FULL_EVERY_S`, at a quiet moment (no event relayed for `QUIET_S`), everything is
  thawed and collected once, then frozen again: frozen objects that later became cyclic
  garbage (a phone that left) are reclaimed there. If the office is never quiet, it runs
  anyway `LATEST_EXTRA_S` later.

Objects freed by their reference count (most garbage) are freed at once, frozen or not;
only garbage in reference cycles waits for the periodic pass.
"""
from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

TICK_S = 1.0
FULL_EVERY_S = 600.0
QUIET_S = 2.0
LATEST_EXTRA_S = 300.0


def settle() -> None:
    """Collect once and freeze what is left: the worker's start-up objects are never walked again."""
    gc.collect()
    gc.freeze()


class Collector:
    """Freezes the survivors of each full collection and runs a whole collection at quiet moments.

    `activity()` returns something that changes whenever the office is busy (the relay's
    position); `clock` is monotonic seconds. `tick` is one round, run every `TICK_S` by `start`.
    """

    def __init__(self, activity: Callable[[], object], clock: Callable[[], float] = time.monotonic,
                 full_every_s: float = FULL_EVERY_S, quiet_s: float = QUIET_S,
                 latest_extra_s: float = LATEST_EXTRA_S):
        self.activity = activity
        self.clock = clock
        self.full_every_s = full_every_s
        self.quiet_s = quiet_s
        self.latest_extra_s = latest_extra_s
        now = clock()
        self._full_collections = _full_collections()
        self._last_whole = now
        self._last_activity = activity()
        self._active_at = now
        self.wholes = 0

    def tick(self) -> None:
        now = self.clock()
        seen = self.activity()
        if seen != self._last_activity:
            self._last_activity, self._active_at = seen, now
        collections = _full_collections()
        if collections != self._full_collections:
            gc.freeze()   # the survivors of Python's own full collection
            self._full_collections = collections
        due = now - self._last_whole >= self.full_every_s
        quiet = now - self._active_at >= self.quiet_s
        overdue = now - self._last_whole >= self.full_every_s + self.latest_extra_s
        if due and (quiet or overdue):
            self.whole()

    def whole(self) -> None:
        """Thaw, collect everything once, freeze what is left."""
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self._full_collections = _full_collections()
        self._last_whole = self.clock()
        self.wholes += 1
        log.debug("whole collection: %d unreachable objects in %.0f ms", found,
                  (time.perf_counter() - started) * 1000)

    def start(self, spawn: Callable[[Callable[[], None]], object], sleep: Callable[[float], None]) -> None:
        """Run `tick` every `TICK_S` on a background task of the serving process."""

        def run() -> None:
            while True:
                sleep(TICK_S)
                try:
                    self.tick()
                except Exception:  # the schedule must never take the worker down
                    log.exception("collector round failed")

        spawn(run)


def _full_collections() -> int:
    return gc.get_stats()[2]["collections"]
