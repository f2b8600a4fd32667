"""The relay: hands the durable event log to its subscribers, in order, after each commit.

Services append events to the log inside their transaction; a commit that appended any
nudges the relay, which reads the log after the last sequence it handed on and gives the
batch to every subscriber (the Socket.IO screens today; printing, reminders, audit and
reports subscribe the same way, without touching a service). Writes by other processes
(the CLI, a second server) are picked up by a poll every second.

One task owns the relay's state: subscribers' own state (which phone watches which
ticket) is changed only through `call_soon`, which runs the change on that task, so no
mutable state is shared between threads. Without a background task (tests, a CLI
process) everything runs in place, right after the commit.

The position is saved in `relay_cursors` (at most once a second under load, and whenever
the relay falls idle), so after a crash the relay resumes where it stopped and nothing
committed is lost to its subscribers; at worst a subscriber is handed the last second's
events twice, which screens recognise by `seq`.
"""
from __future__ import annotations

import logging
import queue as queue_module
import threading
import time
from collections.abc import Callable

from ..domain.errors import StoreUnavailable
from ..office import Office
from ..store import Connection
from ..store.events import LoggedEvent

log = logging.getLogger(__name__)

CURSOR = "relay"
POLL_SECONDS = 1.0
SAVE_EVERY_SECONDS = 1.0
BATCH = 500

Subscriber = Callable[[list[LoggedEvent], Connection], None]


class Relay:
    """Reads the event log after its position and hands each batch to every subscriber."""

    def __init__(self, office: Office, *, paused: bool = False):
        self.office = office
        self.subscribers: list[Subscriber] = []
        self.position = 0
        # A test switch: hold every event in the log (as if the server died before sending).
        self.paused = paused
        self._inbox: queue_module.SimpleQueue = queue_module.SimpleQueue()
        self._wake = threading.Event()
        self._running = False
        self._after_requests: Callable[[], None] | None = None
        self._inline_lock = threading.RLock()
        self._db: Connection | None = None
        db = self._connection()
        saved = db.events.cursor(CURSOR)
        self.position = saved if saved is not None else db.events.last_seq()
        self._saved = saved
        self._saved_at = 0.0

    def subscribe(self, subscriber: Subscriber) -> None:
        """Add a subscriber; it receives every batch from now on, in log order."""
        self.subscribers.append(subscriber)

    def start(self, spawn: Callable[[Callable[[], None]], object], sleep: Callable[[float], None],
              after_requests: Callable[[], None] | None = None) -> None:
        """Run the relay as a background task of the serving process (once).

        `after_requests`, if given, is called each time the relay wakes, before it delivers: it
        returns once the requests already waiting have been answered (`gevent_after_requests`).
        Four officers pressing call-next at once then get their four answers before the screens
        hear of the first call, instead of the fourth waiting for the screens as well."""
        if self._running:
            return
        self._running = True
        self._after_requests = after_requests
        self._save_position()   # from now on a restart resumes here, even if nothing is sent first
        spawn(lambda: self._run(sleep))

    def nudge(self) -> None:
        """A commit appended events: deliver them (now, or by waking the relay task)."""
        if self._running:
            self._wake.set()
        else:
            with self._inline_lock:
                self._pump()

    def call_soon(self, action: Callable[[], None]) -> None:
        """Run `action` on the relay's task, between batches (in place when there is no task)."""
        if self._running:
            self._inbox.put(action)
            self._wake.set()
        else:
            with self._inline_lock:
                action()

    def _connection(self) -> Connection:
        if self._db is None:
            self._db = self.office.store.connect(bookkeeping=True)
        return self._db

    def _run(self, sleep: Callable[[float], None]) -> None:
        self._wake.set()   # the first round delivers at once what an earlier process left behind
        while True:
            self._wake.wait(POLL_SECONDS)
            if self._after_requests is not None:
                self._after_requests()
            self._wake.clear()
            try:
                self._drain_inbox()
                busy = self._pump()
                due = not busy or time.monotonic() - self._saved_at >= SAVE_EVERY_SECONDS
                if self.position != self._saved and due:
                    self._save_position()
            except Exception:  # keep the relay alive whatever one batch does
                log.exception("event relay failed; retrying")
                sleep(POLL_SECONDS)

    def _drain_inbox(self) -> None:
        while True:
            try:
                action = self._inbox.get_nowait()
            except queue_module.Empty:
                return
            action()

    def _pump(self) -> bool:
        """Deliver everything committed after the position; True when something was."""
        if self.paused:
            return False
        db = self._connection()
        delivered = False
        while True:
            with db.snapshot():
                batch = db.events.after(self.position, BATCH)
            if not batch:
                return delivered
            for subscriber in self.subscribers:
                try:
                    subscriber(batch, db)
                except Exception:  # one subscriber's fault must not starve the others
                    log.exception("subscriber %r failed on events %d-%d", subscriber, batch[0].seq, batch[-1].seq)
            self.position = batch[-1].seq
            delivered = True
            if len(batch) < BATCH:
                return delivered

    def _save_position(self) -> None:
        db = self._connection()
        position = self.position
        try:
            with self.office.store.write(db):
                db.events.set_cursor(CURSOR, position)
        except StoreUnavailable:
            return  # saved with a later batch; at worst a restart re-delivers a few events
        self._saved, self._saved_at = position, time.monotonic()


# How long the relay lets requests go first, at most: a flood of requests must not starve the
# screens (a call still reaches them within the 50 ms the office is promised).
AFTER_REQUESTS_MAX_S = 0.005


def gevent_after_requests(max_s: float = AFTER_REQUESTS_MAX_S) -> None:
    """Under gevent: wait until the event loop has nothing else to do — every request whose
    bytes have arrived has run — or `max_s` (the relay's: `AFTER_REQUESTS_MAX_S`), whichever
    comes first."""
    import gevent

    with gevent.Timeout(max_s, False):
        gevent.idle()
