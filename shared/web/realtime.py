"""The screens' subscriber to the event log: the only sender of Socket.IO events.

For each batch the relay hands over, in log order:

- `/display` and the staff room of `/counter`: a `called` for every call or recall, with
  its event's sequence as `seq`; every other event is folded into one `queue` snapshot
  sent before the next `called` (or at the end, after the phones' updates), whose `seq` is
  the newest event it reflects. A burst of kiosk tickets costs a display one message, and a `called` is
  always the last `seq` + 1 unless a message was lost.
- `/ticket`: a `ticket` update to each watched ticket whose view changed (position,
  invited in, called, transferred…), computed in one pass over the waiting lists.
- `/display`: an `announcement` when a supervisor sets the running text.
- `/floor` (the supervisors' room): the whole floor after every batch, while a supervisor
  watches, and the silent alarm at once. Staff-only events (`events.STAFF_ONLY`: alarms,
  the supervisor's calls and moves told to consoles) never reach a display or a phone.

A display that reconnects says which `seq` it had (`auth: {"since"}`); the calls it missed
that still stand are replayed to it before its fresh snapshot, so a call made while it
was away (or while the server restarted) is still announced.

Rooms are chosen here and in the namespace handlers, never by clients. Which phone
watches which ticket is relay-owned state, changed only through `Relay.call_soon`.
"""
from __future__ import annotations

from datetime import timedelta

from ..domain.events import (STAFF_ONLY, AlarmAcknowledged, AlarmRaised, AnnouncementSet, QueueChanged, TicketCalled,
                             TicketDirected, event_payload)
from ..domain.model import CALLED, Ticket
from ..domain.officetime import to_office_iso
from ..office import Office
from ..store import Connection
from ..store.events import LoggedEvent
from ..store.tickets import KnownTickets
from ..views import floor as floor_view
from ..views import queue as queue_view
from ..views import tickets as ticket_views
from ..views.announce import announcement
from .relay import Relay

DISPLAY = "/display"
COUNTER = "/counter"
TICKET = "/ticket"
FLOOR = "/floor"
STAFF_ROOM = "staff"
SUPERVISOR_ROOM = "supervisors"
# What each staff-only event is called on the wire, and which staff rooms hear it.
STAFF_MESSAGES = {
    TicketDirected: ("notice", ((COUNTER, STAFF_ROOM),)),
    AlarmRaised: ("alarm", ((FLOOR, SUPERVISOR_ROOM),)),
    AlarmAcknowledged: ("alarm_acknowledged", ((FLOOR, SUPERVISOR_ROOM), (COUNTER, STAFF_ROOM))),
}
# A call missed by a reconnecting display is replayed while it stands, if this recent.
REPLAY_WINDOW = timedelta(minutes=10)


def ticket_room(ticket_id: int) -> str:
    """The room of one ticket's watchers (the visitor's phone)."""
    return f"ticket:{ticket_id}"


def _line_of(ticket: Ticket) -> str | None:
    """The service whose line a ticket stands in, if it stands in one (waiting, invited, outside)."""
    return ticket.service if ticket.status in ticket_views.QUEUED else None


def called_payload(logged: LoggedEvent) -> dict:
    """The `called` message of a logged call event."""
    event = logged.event
    return {"seq": logged.seq, "number": event.number, "counter": event.counter, "service": event.service,
            "lane": event.lane, "recall": event.recall, "announce": announcement(event.number, event.counter)}


class Screens:
    """Sends the displays, staff consoles and visitors' phones what the event log says changed."""

    def __init__(self, socketio, office: Office, relay: Relay):
        self.socketio = socketio
        self.office = office
        self.relay = relay
        # Relay-owned: only touched on the relay's task (see Relay.call_soon).
        self._watchers: dict[int, set[str]] = {}
        self._watching: dict[str, set[int]] = {}
        self._service_of: dict[int, str] = {}
        self._watched_in: dict[str, set[int]] = {}   # service -> its watched tickets (`_file`)
        self._last_sent: dict[int, dict] = {}
        self._floor_clients: set[str] = set()
        self._known = KnownTickets()   # the watched lines, read after every call
        relay.subscribe(self.deliver)

    # -- what the screens read on connect ------------------------------------------------

    def snapshot(self, db: Connection) -> dict:
        """The queue snapshot, stamped with the `seq` the screens have been sent up to."""
        return self._stamped(queue_view.snapshot(self.office, db, self.relay.position))

    def _stamped(self, snapshot: dict) -> dict:
        """A snapshot that says which office.toml is in force (`config`): a display that was away
        while the office was edited notices it on reconnect and re-reads its setup."""
        return dict(snapshot, config=self.office.config_version)

    def config_changed(self, version: str) -> None:
        """The office was edited (shared/web/live_config.py): displays re-read their setup and
        consoles their panel. Sent on the relay's task, in order with the snapshots."""

        def send() -> None:
            self.socketio.emit("config", {"version": version}, namespace=DISPLAY)
            self.socketio.emit("config", {"version": version}, namespace=COUNTER, to=STAFF_ROOM)

        self.relay.call_soon(send)

    def on_connect(self, db: Connection, since) -> tuple[list[dict], dict]:
        """What a display gets when it connects: the calls it missed, then its snapshot.

        A display that says which `seq` it had (`since`) is replayed the calls logged after it
        that still stand, up to the end of the log, even those the relay has not sent yet;
        its snapshot then carries the log's end as `seq`, so those calls, when the relay does
        send them, are recognised as already heard. Without `since`, nothing is replayed and
        the snapshot carries the relay's position.
        """
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            return [], self.snapshot(db)
        now = self.office.clock()
        with db.snapshot():
            upto = db.events.last_seq()
            logged = [item for item in db.events.after(since, 200, names=(TicketCalled.name,))
                      if now - item.at <= REPLAY_WINDOW]
            standing = {ticket.id: ticket for ticket in db.tickets.by_ids([item.event.ticket_id for item in logged])}
            snapshot = self._stamped(queue_view.snapshot(self.office, db, max(upto, self.relay.position)))
        latest: dict[int, LoggedEvent] = {}
        for item in logged:
            ticket = standing.get(item.event.ticket_id)
            if ticket is not None and ticket.status == CALLED and ticket.counter == item.event.counter:
                latest[ticket.id] = item  # a recall replaces the first call
        replay = [dict(called_payload(item), replay=True) for item in sorted(latest.values(), key=lambda i: i.seq)]
        return replay, snapshot

    def floor(self, db: Connection) -> dict:
        """The supervisor's floor, stamped with the `seq` the screens have been sent up to."""
        return floor_view.floor(self.office, db, self.relay.position)

    def floor_joined(self, client: str) -> None:
        """A supervisor's floor connected (the handler has put it in the supervisors' room)."""
        self.relay.call_soon(lambda: self._floor_clients.add(client))

    def floor_left(self, client: str) -> None:
        """A floor disconnected: with none left, the floor is no longer computed per batch."""
        self.relay.call_soon(lambda: self._floor_clients.discard(client))

    # -- the subscriber ----------------------------------------------------------------------

    def deliver(self, batch: list[LoggedEvent], db: Connection) -> None:
        """Emit one batch of logged events to every screen that should hear of it."""
        snapshot: dict | None = None
        pending: int | None = None

        def flush() -> None:
            nonlocal snapshot, pending
            if pending is None:
                return
            if snapshot is None:
                snapshot = self._stamped(queue_view.snapshot(self.office, db, pending))
            message = dict(snapshot, seq=pending)
            self.socketio.emit("queue", message, namespace=DISPLAY)
            self.socketio.emit("queue", message, namespace=COUNTER, to=STAFF_ROOM)
            pending = None

        for logged in batch:
            if isinstance(logged.event, TicketCalled):
                flush()
                payload = called_payload(logged)
                self.socketio.emit("called", payload, namespace=DISPLAY)
                self.socketio.emit("called", payload, namespace=COUNTER, to=STAFF_ROOM)
            elif isinstance(logged.event, AnnouncementSet):
                flush()
                self.socketio.emit("announcement", {"seq": logged.seq, "text": logged.event.text}, namespace=DISPLAY)
            elif isinstance(logged.event, STAFF_ONLY):
                self._tell_staff(logged)
            else:
                pending = logged.seq
        # Every call above has reached the displays; the phones' news comes next, then the
        # displays' closing `queue` (the counts): a call and a visitor's own place are what people
        # act on, and a hundred displays' snapshots would otherwise go out before any phone's.
        try:
            self._update_watchers(db, [logged.event for logged in batch])
        finally:
            flush()
        if self._floor_clients:
            self.socketio.emit("floor", floor_view.floor(self.office, db, batch[-1].seq), namespace=FLOOR,
                               to=SUPERVISOR_ROOM)

    def _tell_staff(self, logged: LoggedEvent) -> None:
        """A staff-only event, to the staff rooms that should hear it (never a visitor's screen)."""
        name, rooms = STAFF_MESSAGES[type(logged.event)]
        payload = dict(event_payload(logged.event), seq=logged.seq, at=to_office_iso(logged.at, self.office.config.zone))
        for namespace, room in rooms:
            self.socketio.emit(name, payload, namespace=namespace, to=room)

    # -- visitors' phones ----------------------------------------------------------------------

    def watch(self, client: str, ticket: Ticket, payload: dict) -> None:
        """A phone started watching a ticket (the handler has put it in the room)."""

        def add() -> None:
            self._watchers.setdefault(ticket.id, set()).add(client)
            self._watching.setdefault(client, set()).add(ticket.id)
            self._file(ticket.id, _line_of(ticket))
            self._last_sent[ticket.id] = payload

        self.relay.call_soon(add)

    def forget(self, client: str) -> None:
        """A phone disconnected: stop computing updates nobody will receive."""

        def remove() -> None:
            for ticket_id in self._watching.pop(client, set()):
                clients = self._watchers.get(ticket_id, set())
                clients.discard(client)
                if not clients:
                    self._watchers.pop(ticket_id, None)
                    self._last_sent.pop(ticket_id, None)
                    self._file(ticket_id, None)

        self.relay.call_soon(remove)

    def _file(self, ticket_id: int, service: str | None) -> None:
        """Note which service's line a watched ticket stands in (None: in none, or no longer
        watched), so a call in one service finds its phones without going through every watched
        ticket. A ticket called, served or finished stands in no line: the others' calls do not
        move it, and what does (its own call, return, rating) names it in the event."""
        before = self._service_of.pop(ticket_id, None)
        if before is not None:
            filed = self._watched_in[before]
            filed.discard(ticket_id)
            if not filed:
                del self._watched_in[before]
        if service is not None:
            self._service_of[ticket_id] = service
            self._watched_in.setdefault(service, set()).add(ticket_id)

    def watched(self) -> int:
        """How many tickets are watched now (for tests and diagnostics)."""
        return len(self._watchers)

    def _update_watchers(self, db: Connection, events: list) -> None:
        """Send each watched ticket whose view changed its new view, in one pass per batch."""
        if not self._watchers:
            return
        services: set[str] = set()
        touched: set[int] = set()
        everyone = False
        calls: dict[int, TicketCalled] = {}   # the latest call of each ticket in the batch
        for event in events:
            if isinstance(event, QueueChanged) and event.everyone:
                # Counters, the cap or the office's setup changed: every estimate may move, and
                # a finished visit's survey too.
                services.update(self._watched_in)
                everyone = True
            elif isinstance(event, QueueChanged):
                services.update(event.services)
                touched.update(event.ticket_ids)
            elif isinstance(event, TicketCalled):
                services.add(event.service)
                touched.add(event.ticket_id)
                calls[event.ticket_id] = event
        affected = set(self._watchers) if everyone else {ticket_id for ticket_id in touched
                                                          if ticket_id in self._watchers}
        for service in services:
            affected.update(self._watched_in.get(service, ()))
        if not affected:
            return
        # The affected services' lines are read once: they place every phone, and most of the
        # watched tickets are in them; only the others (called, finished…) are read by id.
        today = self.office.today()
        # Every other affected phone was found through one of these services already.
        services.update(self._service_of[ticket_id] for ticket_id in touched if ticket_id in self._service_of)
        with db.snapshot():
            queued = db.tickets.in_states(today, ticket_views.QUEUED, tuple(services), known=self._known)
            in_line = {ticket.id: ticket for ticket in queued}
            tickets = db.tickets.by_ids([ticket_id for ticket_id in affected if ticket_id not in in_line])
            tickets += [in_line[ticket_id] for ticket_id in affected if ticket_id in in_line]
            # The tickets the events name (the one called, the one moved) are told first: theirs is
            # the news a visitor acts on; the others' places only moved up.
            tickets.sort(key=lambda ticket: ticket.id not in touched)
            complete = all(ticket.business_date == today and ticket.service in services for ticket in tickets
                           if ticket.status in ticket_views.QUEUED)
            views = ticket_views.public_views(self.office, db, tickets, lines={today: queued} if complete else None)
        for ticket in tickets:
            line = _line_of(ticket)
            if self._service_of.get(ticket.id) != line:
                self._file(ticket.id, line)   # called, back in a line, or transferred
            payload = views[ticket.id]
            call = calls.get(ticket.id)
            if call is not None and payload["status"] != CALLED:
                # Called and moved on within one batch (called, then absent or finished): the
                # phone still hears its call first, as the display did, then where it stands now.
                heard = dict(payload, status=CALLED, counter=call.counter, ahead=0, estimate_min=None,
                             survey=None)
                self.socketio.emit("ticket", heard, namespace=TICKET, to=ticket_room(ticket.id))
                self._last_sent[ticket.id] = heard
            if self._last_sent.get(ticket.id) != payload:
                self._last_sent[ticket.id] = payload
                self.socketio.emit("ticket", payload, namespace=TICKET, to=ticket_room(ticket.id))
