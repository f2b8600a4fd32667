"""Checkpoints away from requests: copying the WAL into the database file in the background.

SQLite checkpoints in the commit that takes the WAL past 1,000 pages: it copies them into the
database file and flushes it. Under gevent that stalls the whole worker inside one request:
measured on call-next bursts, ~2–4 ms once every ~30 bursts, right where the 99th percentile
sits (docs/PERFORMANCE.md, "checkpoints"). A serving process turns the automatic checkpoint
off on its connections (`Store(checkpoint_in_background=True)`) and its scheduler runs
`Checkpoints.run` every half second instead, on an OS thread under gevent (`off_loop`).

The command line and tests keep SQLite's automatic checkpoint: nobody else would run one.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable

log = logging.getLogger(__name__)

# How long a checkpoint waits for the worker to have nothing else to do, at most (`when_idle`):
# a burst of presses is over in a few milliseconds; under constant load it goes anyway.
IDLE_WAIT_S = 0.25


class Checkpoints:
    """Runs PASSIVE checkpoints of one database file when its process has committed since.

    Every store of the process on that file shares one (the notifier's queue writes go through
    a store of their own), so each of their commits counts and each connection follows the same
    rule: `in_background` turns SQLite's automatic checkpoint off.
    """

    def __init__(self, path: str, *, in_background: bool = False):
        self.path = path
        self.in_background = in_background
        self._commits = 0
        # How a checkpoint is run: in place (already on a thread of its own), or (the gevent
        # server) on an OS thread of gevent's pool, so its flush holds up no request.
        self.off_loop: Callable[[Callable[[], object]], object] | None = None
        # Returns once the worker has nothing else to do, or after IDLE_WAIT_S (the gevent
        # server): the checkpoint's page copies then take no core from a request.
        self.when_idle: Callable[[], None] | None = None
        self._copied_through = 0
        self._failure: str | None = None

    def committed(self) -> None:
        """A store of this process committed: the next `run` has something to copy."""
        self._commits += 1

    def run(self) -> int | None:
        """Copy what the WAL holds into the database file, if this process committed anything
        since the last complete checkpoint; the frames copied, or None when there was nothing to
        do or it failed.

        PASSIVE waits for no reader or writer and copies what nobody still reads; the rest goes
        next time. Each checkpoint opens a connection of its own, so a database file replaced
        (a restore) or mounted read-only meanwhile is met afresh. A failure (a full or read-only
        disk, which requests report themselves) is logged once until a checkpoint succeeds.
        """
        if self._commits == self._copied_through:
            return None
        if self.when_idle is not None:
            self.when_idle()
        commits = self._commits
        run = self.off_loop or (lambda work: work())
        try:
            frames, copied = run(self._checkpoint_now)
        except sqlite3.Error as error:
            failure = f"{type(error).__name__}: {error}"
            if failure != self._failure:
                log.warning("WAL checkpoint failed (%s); trying again", failure)
                self._failure = failure
            return None
        self._failure = None
        if copied >= frames:
            self._copied_through = commits   # all of it: nothing to do until the next commit
        return copied

    def _checkpoint_now(self) -> tuple[int, int]:
        raw = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        try:
            raw.execute("PRAGMA synchronous = FULL")
            _busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            return frames, copied
        finally:
            raw.close()
