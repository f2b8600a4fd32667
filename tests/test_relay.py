"""The relay and the screens' subscriber, without Flask: order, resume after a crash, threads."""
import sys
import threading
import time
from datetime import datetime, timezone

import pytest

from tests.helpers.offices import clocked_office

from shared.domain.model import StaffUser
from shared.office import Office
from shared.services import calling, tickets
from shared.store import Store
from shared.views import tickets as ticket_views
from shared.web import realtime
from shared.web.realtime import Screens
from shared.web.relay import Relay

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
OFFICER = StaffUser(1, "petugas", "officer")


class FakeSocketIO:
    """Records what would be emitted, from any thread."""

    def __init__(self):
        self.sent = []
        self._lock = threading.Lock()

    def emit(self, name, payload, namespace=None, to=None):
        with self._lock:
            self.sent.append((name, payload, namespace, to))

    def of(self, name, namespace="/display"):
        with self._lock:
            return [payload for sent, payload, space, _to in self.sent if sent == name and space == namespace]


def make_office(path) -> Office:
    return clocked_office(path, NOW)


def wire(office, **relay_options):
    relay = Relay(office, **relay_options)
    socketio = FakeSocketIO()
    screens = Screens(socketio, office, relay)
    office.store.on_events = relay.nudge
    return relay, screens, socketio


@pytest.fixture
def office(tmp_path):
    return make_office(tmp_path / "antrean.sqlite3")


def issue(office, db, service="perizinan_berusaha"):
    return tickets.issue(office, db, service=service, lane="general")


def test_each_message_has_the_next_seq_and_a_called_comes_before_its_snapshot(office):
    relay, screens, socketio = wire(office)
    db = office.store.connect()
    start = relay.position
    issue(office, db)
    calling.call_next(office, db, 1, staff=OFFICER)
    messages = [(name, payload["seq"]) for name, payload, space, _ in socketio.sent if space == "/display"]
    assert messages == [("queue", start + 1), ("called", start + 2), ("queue", start + 3)]
    [called] = socketio.of("called")
    assert called["announce"]["id"] == "Nomor antrean A nol nol satu, silakan menuju loket satu"
    assert screens.snapshot(db)["seq"] == start + 3


def test_a_burst_costs_one_snapshot_whose_seq_is_the_newest_event(office):
    relay, screens, socketio = wire(office)
    relay.paused = True   # as if the relay task were busy while three kiosks issued
    db = office.store.connect()
    start = relay.position
    for _ in range(3):
        issue(office, db)
    relay.paused = False
    relay.nudge()
    assert [payload["seq"] for payload in socketio.of("queue")] == [start + 3]


def test_a_restart_resumes_from_the_saved_position_and_loses_nothing(tmp_path):
    office = make_office(tmp_path / "antrean.sqlite3")
    relay, _screens, _socketio = wire(office)
    relay._save_position()
    relay.paused = True   # the server dies after the commit, before it sends
    db = office.store.connect()
    issue(office, db)
    calling.call_next(office, db, 1, staff=OFFICER)
    # A new process on the same database (the server after its restart).
    office_again = Office(office.config, Store(office.store.path), office.clock)
    relay_again, _screens, socketio = wire(office_again)
    assert relay_again.position == relay.position
    relay_again.nudge()
    assert [payload["number"] for payload in socketio.of("called")] == ["A-001"]


def test_a_reconnecting_display_is_replayed_the_calls_that_still_stand(office):
    relay, screens, _socketio = wire(office)
    db = office.store.connect()
    since = relay.position
    issue(office, db), issue(office, db), issue(office, db)
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.start(office, db, 1, staff=OFFICER)       # A-001 came: no longer a standing call
    calling.call_next(office, db, 1, staff=OFFICER)   # A-002 called
    calling.recall(office, db, 1, staff=OFFICER)      # ... and called again
    calling.call_next(office, db, 2, staff=OFFICER)   # A-003 at counter 2
    replay, snapshot = screens.on_connect(db, since)
    assert [(call["number"], call["counter"], call["recall"]) for call in replay] == [
        ("A-002", 1, True), ("A-003", 2, False)]
    assert all(call["replay"] for call in replay)
    assert snapshot["seq"] == db.events.last_seq() >= replay[-1]["seq"]
    assert screens.on_connect(db, relay.position)[0] == []
    assert screens.on_connect(db, -1) == ([], screens.snapshot(db))
    assert screens.on_connect(db, "x")[0] == []
    office.clock.set(NOW.replace(hour=3))   # an hour later: too old to announce
    assert screens.on_connect(db, since)[0] == []


def test_a_call_not_yet_sent_is_replayed_and_its_later_message_is_known(office):
    relay, screens, socketio = wire(office)
    db = office.store.connect()
    since = relay.position
    relay.paused = True   # committed, not yet sent when the display reconnects
    issue(office, db)
    calling.call_next(office, db, 1, staff=OFFICER)
    replay, snapshot = screens.on_connect(db, since)
    assert [call["number"] for call in replay] == ["A-001"]
    relay.paused = False
    relay.nudge()
    [live] = socketio.of("called")
    assert live["seq"] <= snapshot["seq"]   # the display ignores it: already announced


def test_a_transfer_reaches_the_watching_phone(office):
    relay, screens, socketio = wire(office)
    db = office.store.connect()
    ticket = issue(office, db)
    screens.watch("phone-1", ticket, ticket_views.public_view(office, db, ticket))
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.transfer(office, db, 1, "non_perizinan", staff=OFFICER)
    updates = socketio.of("ticket", "/ticket")
    assert [(u["status"], u["service"]) for u in updates] == [("called", "perizinan_berusaha"),
                                                              ("waiting", "non_perizinan")]


def test_a_transferred_ticket_hears_of_the_calls_in_its_new_line(office):
    relay, screens, socketio = wire(office)
    db = office.store.connect()
    ahead = issue(office, db, "non_perizinan")
    ticket = issue(office, db)
    screens.watch("phone-1", ticket, ticket_views.public_view(office, db, ticket))
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.transfer(office, db, 1, "non_perizinan", staff=OFFICER)
    assert socketio.of("ticket", "/ticket")[-1]["ahead"] == 1
    calling.call_next(office, db, 2, staff=OFFICER)   # calls the one ahead in non_perizinan
    assert db.tickets.get(ahead.id).status == "called"
    assert socketio.of("ticket", "/ticket")[-1] == dict(socketio.of("ticket", "/ticket")[-1], ahead=0,
                                                        service="non_perizinan", status="waiting")


def test_a_phone_hears_its_call_even_when_the_visit_moved_on_in_the_same_batch(office):
    """Called and marked absent before the relay sent anything: the phone is told it was called
    (at which counter), then where it stands now, as a display hears every call."""
    relay, screens, socketio = wire(office)
    db = office.store.connect()
    ticket = issue(office, db)
    screens.watch("phone-1", ticket, ticket_views.public_view(office, db, ticket))
    relay.paused = True   # the relay task busy while the officer pressed call, then absent
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.no_show(office, db, 1, staff=OFFICER)
    relay.paused = False
    relay.nudge()
    updates = socketio.of("ticket", "/ticket")
    assert [(u["status"], u["counter"]) for u in updates] == [("called", 1), ("no_show", None)]


def test_one_failing_subscriber_does_not_starve_the_others(office):
    relay, _screens, socketio = wire(office)
    relay.subscribers.insert(0, lambda batch, db: 1 / 0)
    db = office.store.connect()
    issue(office, db)
    assert socketio.of("queue")


def test_phones_watching_and_leaving_while_the_relay_sends_from_its_own_thread(office, caplog):
    """Handlers add and drop watchers on request threads while the relay task iterates them.

    With the watcher maps shared between threads this raised "dictionary changed size during
    iteration" in the relay; the relay now owns them and handlers only queue changes.
    """
    relay, screens, socketio = wire(office)
    relay.start(lambda target: threading.Thread(target=target, daemon=True).start(), time.sleep)
    db = office.store.connect()
    issued = [issue(office, db, "konsultasi") for _ in range(200)]   # a service without a daily quota
    # Switch threads as often as possible, so a shared dict would change mid-iteration.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        _hammer(office, screens, issued)
    finally:
        sys.setswitchinterval(interval)
    relay.nudge()
    deadline = time.monotonic() + 5
    while screens.watched() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [record for record in caplog.records if record.levelname == "ERROR"], caplog.text
    assert screens.watched() == 0   # every phone that left was forgotten
    assert socketio.of("queue")


def _hammer(office, screens, issued) -> None:
    """Four phones watching and leaving their own tickets while a kiosk issues for two seconds."""
    stop = threading.Event()

    def phones(worker: int) -> None:
        round_ = 0
        while not stop.is_set():
            client = f"phone-{worker}-{round_}"
            for ticket in issued[worker * 50:(worker + 1) * 50]:   # each phone its own tickets
                screens.watch(client, ticket, {})
            screens.forget(client)
            round_ += 1

    workers = [threading.Thread(target=phones, args=(index,), daemon=True) for index in range(4)]
    for worker in workers:
        worker.start()
    writer = office.store.connect()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        issue(office, writer, "konsultasi")
    stop.set()
    for worker in workers:
        worker.join(5)


def test_rooms_are_named_by_the_server():
    assert realtime.ticket_room(12) == "ticket:12"


def test_a_woken_relay_lets_waiting_requests_go_first_then_delivers(office):
    """`after_requests` runs each time the relay wakes, before the batch is read and sent."""
    relay, _screens, socketio = wire(office)
    order: list[str] = []
    lets_go = threading.Event()

    def after_requests():
        order.append("requests answered")
        lets_go.wait(5)

    relay.start(lambda target: threading.Thread(target=target, daemon=True).start(), time.sleep, after_requests)
    db = office.store.connect()
    deadline = time.monotonic() + 5
    while not order and time.monotonic() < deadline:   # the first round, at start
        time.sleep(0.01)
    sent_before = len(socketio.sent)
    issue(office, db)
    time.sleep(0.2)
    assert len(socketio.sent) == sent_before   # held while requests go first
    lets_go.set()
    while len(socketio.sent) == sent_before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(socketio.sent) > sent_before
    assert order and set(order) == {"requests answered"}


def test_under_gevent_the_relay_waits_for_requests_already_in_but_never_long():
    gevent = pytest.importorskip("gevent")
    from shared.web.relay import AFTER_REQUESTS_MAX_S, gevent_after_requests

    order: list[str] = []

    def request():
        order.append("request")

    def relay():
        gevent_after_requests()
        order.append("relay")

    woken = gevent.spawn(relay)
    for _ in range(3):
        gevent.spawn(request)
    woken.join(1)
    assert order == ["request", "request", "request", "relay"]

    # A loop that is never idle (a flood) holds the relay back AFTER_REQUESTS_MAX_S at most.
    busy = {"on": True}

    def flood():
        while busy["on"]:
            gevent.sleep(0)

    flooding = gevent.spawn(flood)
    started = time.monotonic()
    gevent.spawn(gevent_after_requests).join(1)
    waited = time.monotonic() - started
    busy["on"] = False
    flooding.join(1)
    assert AFTER_REQUESTS_MAX_S * 0.5 <= waited < 0.5
