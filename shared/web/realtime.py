"""The one place that sends realtime events to screens, after the write that caused them.

`Office` hands each committed write's events to `Publisher.enqueue` (in commit order, under
the write lock); a single background task drains the queue and emits:

- `/display`: `called` for every call or recall, then one `queue` snapshot per batch, so a
  burst of tickets costs the wall displays one message, not one per ticket; every message
  sent gets the next `seq`, so a screen that sees a gap knows it missed one;
- `/counter` (staff): the same, so consoles refresh their waiting lists;
- `/ticket`: a `ticket` update to each watched ticket whose view changed (position,
  called, done…), computed in one pass over the waiting lists.

Rooms are chosen here and in the namespace handlers, never by clients.
"""
from __future__ import annotations

import logging
import time
import queue as queue_module

from ..clock import utc_now
from ..domain.events import QueueChanged, TicketCalled
from ..domain.model import Ticket
from ..office import Office
from ..storage import Connection

log = logging.getLogger(__name__)

DISPLAY = "/display"
COUNTER = "/counter"
TICKET = "/ticket"
STAFF_ROOM = "staff"


def ticket_room(ticket_id: int) -> str:
    """The room of one ticket's watchers (the visitor's phone)."""
    return f"ticket:{ticket_id}"


class Publisher:
    """Drains committed events and fans them out to display, staff and phone clients."""

    def __init__(self, socketio, office: Office):
        self.socketio = socketio
        self.office = office
        self._queue: queue_module.Queue | None = None
        self._watchers: dict[int, set[str]] = {}
        self._watching: dict[str, set[int]] = {}
        self._service_of: dict[int, str] = {}
        self._last_sent: dict[int, dict] = {}
        self._db: Connection | None = None
        # Numbers the messages actually sent; starting from the clock keeps it rising across
        # restarts, and screens take the `snapshot` they get on reconnect as the new base.
        self.seq = int(time.time() * 1000)

    def start(self) -> None:
        """Start the background sender; called once per serving process."""
        if self._queue is None:
            self._queue = queue_module.Queue()
            self.socketio.start_background_task(self._run)

    def enqueue(self, events: list) -> None:
        """Hand over one committed write's events (never blocks)."""
        if self._queue is None:
            # No sender running (tests without realtime, CLI): deliver in place.
            self.deliver(events)
        else:
            self._queue.put(events)

    def _run(self) -> None:
        while True:
            batch = list(self._queue.get())
            while True:
                try:
                    batch.extend(self._queue.get_nowait())
                except queue_module.Empty:
                    break
            try:
                self.deliver(batch)
            except Exception:  # keep the sender alive whatever one batch does
                log.exception("failed to publish %d events", len(batch))

    def _connection(self) -> Connection:
        if self._db is None:
            self._db = self.office.store.connect()
        return self._db

    def snapshot(self, db: Connection, now=None) -> dict:
        """The queue snapshot, stamped with the `seq` of the last event already sent."""
        return self.office.snapshot(db, now or utc_now(), self.seq)

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def deliver(self, events: list) -> None:
        """Emit a batch: a `called` per call, then one fresh snapshot; `seq` +1 per message."""
        if not events:
            return
        db = self._connection()
        for event in events:
            if isinstance(event, TicketCalled):
                payload = {
                    "seq": self._next_seq(), "number": event.number, "counter": event.counter,
                    "service": event.service, "lane": event.lane, "recall": event.recall,
                    "announce": event.announce,
                }
                self.socketio.emit("called", payload, namespace=DISPLAY)
                self.socketio.emit("called", payload, namespace=COUNTER, to=STAFF_ROOM)
        snapshot = self.office.snapshot(db, utc_now(), self._next_seq())
        self.socketio.emit("queue", snapshot, namespace=DISPLAY)
        self.socketio.emit("queue", snapshot, namespace=COUNTER, to=STAFF_ROOM)
        self._update_watchers(db, events)

    # -- visitors' phones ---------------------------------------------------------------

    def watch(self, client: str, ticket: Ticket) -> None:
        """A phone started watching a ticket (the handler has put it in the room)."""
        self._watchers.setdefault(ticket.id, set()).add(client)
        self._watching.setdefault(client, set()).add(ticket.id)
        self._service_of[ticket.id] = ticket.service

    def forget(self, client: str) -> None:
        """A phone disconnected: stop computing updates nobody will receive."""
        for ticket_id in self._watching.pop(client, set()):
            clients = self._watchers.get(ticket_id, set())
            clients.discard(client)
            if not clients:
                self._watchers.pop(ticket_id, None)
                self._last_sent.pop(ticket_id, None)
                self._service_of.pop(ticket_id, None)

    def remember_sent(self, ticket_id: int, payload: dict) -> None:
        self._last_sent[ticket_id] = payload

    def _update_watchers(self, db: Connection, events: list) -> None:
        """Send each watched ticket whose view changed its new view, in one pass per batch."""
        if not self._watchers:
            return
        services: set[str] = set()
        touched: set[int] = set()
        for event in events:
            if isinstance(event, QueueChanged) and not event.services and not event.ticket_ids:
                # A counter opened or closed, or the cap changed: every estimate may move.
                services.update(self._service_of.values())
            elif isinstance(event, QueueChanged):
                services.update(event.services)
                touched.update(event.ticket_ids)
            elif isinstance(event, TicketCalled):
                services.add(event.service)
                touched.add(event.ticket_id)
        affected = [ticket_id for ticket_id in self._watchers
                    if ticket_id in touched or self._service_of.get(ticket_id) in services]
        if not affected:
            return
        with db.snapshot():
            tickets = db.tickets_by_id(affected)
        views = self.office.ticket_views(db, tickets)
        for ticket in tickets:
            self._service_of[ticket.id] = ticket.service
            payload = views[ticket.id]
            if self._last_sent.get(ticket.id) != payload:
                self._last_sent[ticket.id] = payload
                self.socketio.emit("ticket", payload, namespace=TICKET, to=ticket_room(ticket.id))
