"""Notifications for the office's gateway, without a network: settings, payloads, the signature,
the backoff, the event-log subscriber, the day-before reminders and the sender."""
import hashlib
import hmac
import json
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from shared.clock import ManualClock
from shared.domain import notifications as rules
from shared.domain.config import DEMO_TEMPLATE, ConfigError, load_config, parse_config
from shared.domain.model import StaffUser
from shared.domain.notifications import NotificationSettings
from shared.office import Office
from shared.services import bookings, calling, notifications, tickets
from shared.store import Store
from shared.views import tickets as ticket_views
from shared.web import create_app
from shared.web.notifications import Links, Notifier
from shared.web.relay import Relay

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # Wednesday 09:00 WIB
OFFICER = StaffUser(1, "petugas", "officer")
SERVICE = "konsultasi"   # served at counter 6
PHONE = "+6281234567890"
SECRET = b"a-long-shared-secret-for-tests"
SETTINGS = NotificationSettings("http://127.0.0.1:9/hook", "webhook.secret", turn_near=2, retry_seconds=60,
                                max_attempts=4)


class FakeLinks:
    def booking(self, booking):
        return f"/booking/b{booking.id}"

    def ticket(self, ticket):
        return f"/t/t{ticket.id}"


def make_office(tmp_path, **config_changes) -> Office:
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    with store.write(db := store.connect()):
        db.accounts.add_user("petugas", "-", "officer", NOW)
    db.close()
    config = replace(load_config(DEMO_TEMPLATE), notifications=SETTINGS, **config_changes)
    return Office(config, store, ManualClock(NOW))


@pytest.fixture
def office(tmp_path):
    return make_office(tmp_path)


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def wire(office) -> Notifier:
    """The relay delivering in place after each commit, with the notifier subscribed."""
    relay = Relay(office)
    notifier = Notifier(office, FakeLinks())
    relay.subscribe(notifier)
    office.store.on_events = relay.nudge
    return notifier


def at(office, minutes=0, days=0):
    office.clock.set(NOW + timedelta(minutes=minutes, days=days))


def book(office, db, start="10:00", day="2026-11-25", service=SERVICE, **extra):
    return bookings.book(office, db, service=service, day=day, start=start, **extra)


def queued(db) -> dict[str, dict]:
    """Pending deliveries by key, with their payloads decoded."""
    rows = db.raw.execute("SELECT key, payload FROM deliveries WHERE status = 'pending'").fetchall()
    return {key: json.loads(payload) for key, payload in rows}


# -- settings -------------------------------------------------------------------------------

def test_without_a_notifications_table_nothing_is_configured():
    assert load_config(DEMO_TEMPLATE).notifications is None


def test_the_notifications_table_and_its_defaults():
    raw = {**_demo_raw(), "notifications": {"webhook_url": "http://10.0.0.5:8080/antrean", "secret_file": "hook.key"}}
    settings = parse_config(raw).notifications
    assert settings == NotificationSettings("http://10.0.0.5:8080/antrean", "hook.key", turn_near=3, reminder_hour=16,
                                            public_url=None, retry_seconds=60, max_attempts=8)


@pytest.mark.parametrize("table, field", [
    ({"secret_file": "k"}, "notifications.webhook_url"),
    ({"webhook_url": "ftp://gateway/hook", "secret_file": "k"}, "notifications.webhook_url"),
    ({"webhook_url": "https://user:token@gateway.example/hook", "secret_file": "k"}, "notifications.webhook_url"),
    ({"webhook_url": "http://gateway/hook"}, "notifications.secret_file"),
    ({"webhook_url": "http://gateway/hook", "secret_file": "k", "turn_near": 0}, "notifications.turn_near"),
    ({"webhook_url": "http://gateway/hook", "secret_file": "k", "reminder_hour": 22}, "notifications.reminder_hour"),
    ({"webhook_url": "http://gateway/hook", "secret_file": "k", "public_url": "antrean.local"},
     "notifications.public_url"),
    ({"webhook_url": "http://gateway/hook", "secret_file": "k", "secret": "hunter2hunter2"}, "notifications.secret"),
])
def test_mistakes_in_the_notifications_table_are_named(table, field):
    with pytest.raises(ConfigError) as error:
        parse_config({**_demo_raw(), "notifications": table})
    assert str(error.value).startswith(f"{field}:")


def _demo_raw() -> dict:
    import tomllib

    return tomllib.loads(DEMO_TEMPLATE.read_text())


# -- payloads, signature, backoff ---------------------------------------------------------

def test_a_booking_payload_carries_what_a_gateway_needs_and_nothing_more(office, db):
    booking = book(office, db, contact="0812-3456-7890")
    [item] = notifications.booking_created(office, db, [booking.id], FakeLinks())
    assert item.key == f"booking_created:{booking.id}" and item.expires_at == booking.starts_at
    assert item.payload == {
        "id": f"booking_created:{booking.id}", "kind": "booking_created", "office": "DPMPTSP Kota Contoh (Demo)",
        "contact": {"type": "phone", "value": PHONE},
        "service": {"code": SERVICE, "name": {"id": "Konsultasi & Pengaduan", "en": "Consultation & complaints"}},
        "booking": {"code": booking.code, "date": "2026-11-25", "start": "10:00", "end": "10:30",
                    "starts_at": "2026-11-25T10:00:00+07:00"},
        "link": f"/booking/b{booking.id}",
    }
    email = book(office, db, service="kartu_kuning", contact="Warga@Example.org")
    [item] = notifications.booking_created(office, db, [email.id], FakeLinks())
    assert item.payload["contact"] == {"type": "email", "value": "warga@example.org"}
    assert notifications.booking_created(office, db, [book(office, db).id], FakeLinks()) == []   # no contact


def test_the_signature_is_what_the_receiver_recomputes_and_tampering_breaks_it():
    body = json.dumps({"kind": "turn_near", "id": "turn_near:7"}).encode()
    headers = rules.signed_headers(SECRET, 1790000000, body, "turn_near:7")
    assert headers["X-Antrean-Timestamp"] == "1790000000" and headers["X-Antrean-Delivery"] == "turn_near:7"
    # The receiver's check, as docs/WEBHOOKS.md shows it.
    expected = hmac.new(SECRET, b"1790000000." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Antrean-Signature"], f"sha256={expected}")
    assert rules.signature(SECRET, 1790000000, body + b" ") != headers["X-Antrean-Signature"]
    assert rules.signature(SECRET, 1790000001, body) != headers["X-Antrean-Signature"]   # another moment
    assert rules.signature(b"another-secret-entirely", 1790000000, body) != headers["X-Antrean-Signature"]


def test_the_backoff_doubles_from_the_first_delay_and_is_capped():
    assert [rules.retry_delay(attempt, 60).total_seconds() for attempt in range(1, 9)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert rules.retry_delay(1, 1) == timedelta(seconds=1) and rules.retry_delay(2, 1) == timedelta(seconds=2)


def test_reminders_go_from_the_reminder_hour_until_the_evening():
    zone = load_config(DEMO_TEMPLATE).zone
    wib = lambda hour, minute=0: datetime(2026, 11, 25, hour, minute, tzinfo=zone)  # noqa: E731
    assert rules.reminder_window(wib(15, 59), zone, 16) is None
    assert rules.reminder_window(wib(16), zone, 16) == ("2026-11-26", wib(16))
    assert rules.reminder_window(wib(20, 59), zone, 16) == ("2026-11-26", wib(16))
    assert rules.reminder_window(wib(21), zone, 16) is None


# -- the subscriber -----------------------------------------------------------------------

def test_a_booking_with_a_contact_is_queued_once_even_if_the_relay_hands_it_twice(office, db):
    notifier = wire(office)
    since = db.events.last_seq()
    booking = book(office, db, contact="0812-3456-7890")
    book(office, db, start="11:00")   # no contact: nothing to send
    assert list(queued(db)) == [f"booking_created:{booking.id}"]
    notifier(db.events.after(since), db)   # a restarted relay hands the last second again
    assert list(queued(db)) == [f"booking_created:{booking.id}"]


def test_a_checked_in_visitor_invited_in_is_told_once(tmp_path):
    office = make_office(tmp_path, max_inside=1)
    db = office.store.connect()
    wire(office)
    at(office, -120)   # 07:00: book the 09:30 slot
    booking = book(office, db, start="09:30", contact="0812-3456-7890")
    at(office, 5)      # 09:05: a walk-in fills the only place inside, then the booked visitor checks in
    walk_in = tickets.issue(office, db, service=SERVICE, lane="general")
    ticket = bookings.check_in(office, db, booking.code)
    assert ticket.status == "outside"
    assert not [key for key in queued(db) if key.startswith("invited")]
    tickets.cancel(office, db, walk_in.id)   # a place frees: the booked visitor is invited in
    invited = queued(db)[f"invited:{ticket.id}:0"]
    assert invited["kind"] == "invited" and invited["contact"] == {"type": "phone", "value": PHONE}
    assert invited["ticket"]["number"] == ticket.number and invited["ticket"]["status"] == "invited"
    assert invited["ticket"]["come_in_by"] == "2026-11-25T09:15:00+07:00"   # the 10-minute invitation
    assert invited["link"] == f"/t/t{ticket.id}" and invited["booking"]["code"] == booking.code
    tickets.issue(office, db, service=SERVICE, lane="general")   # more events: no second message
    assert len([key for key in queued(db) if key.startswith("invited")]) == 1


def test_turn_near_goes_once_when_the_ticket_comes_within_n_of_the_counter(office, db):
    wire(office)
    at(office, -120)
    booking = book(office, db, start="09:30", contact="0812-3456-7890")
    at(office, 5)
    for _ in range(4):
        tickets.issue(office, db, service=SERVICE, lane="general")
    ticket = bookings.check_in(office, db, booking.code)
    key = f"turn_near:{ticket.id}"
    seen = []
    while (view := ticket_views.public_view(office, db, db.tickets.get(ticket.id)))["status"] == "waiting":
        seen.append(view["ahead"])
        assert (key in queued(db)) == (view["ahead"] <= SETTINGS.turn_near)
        calling.call_next(office, db, 6, staff=OFFICER)
    assert seen[0] > SETTINGS.turn_near and queued(db)[key]["ticket"]["ahead"] == SETTINGS.turn_near
    assert db.raw.execute("SELECT COUNT(*) FROM deliveries WHERE key LIKE 'turn_near:%'").fetchone()[0] == 1


def test_walk_in_tickets_have_no_contact_and_are_never_queued(office, db):
    wire(office)
    for _ in range(3):
        tickets.issue(office, db, service=SERVICE, lane="general")
    calling.call_next(office, db, 6, staff=OFFICER)
    assert queued(db) == {}


def test_a_failing_subscriber_batch_is_logged_without_personal_data(office, db, caplog):
    class BrokenLinks(FakeLinks):
        def booking(self, booking):
            raise RuntimeError(booking.contact)   # whatever it says must not reach the log

    relay = Relay(office)
    relay.subscribe(Notifier(office, BrokenLinks()))
    office.store.on_events = relay.nudge
    with caplog.at_level(logging.INFO):
        booking = book(office, db, contact="0812-3456-7890")
    assert booking.status == "booked" and queued(db) == {}
    assert "RuntimeError" in caplog.text and PHONE not in caplog.text


# -- the day-before reminders -------------------------------------------------------------

def test_reminders_are_queued_once_for_tomorrows_bookings_with_a_contact(office, db):
    reminded = book(office, db, day="2026-11-26", contact="0812-3456-7890")
    book(office, db, day="2026-11-26", start="11:00")                        # no contact
    book(office, db, day="2026-11-27", start="11:00", service="kartu_kuning", contact="0812-3456-7890")  # later
    cancelled = book(office, db, day="2026-11-26", service="kartu_kuning", contact="0813-1111-2222")
    bookings.cancel(office, db, cancelled.id)
    assert notifications.queue_reminders(office, db, FakeLinks()) == 0     # 09:00: too early
    at(office, 7 * 60)                                                       # 16:00 WIB
    assert notifications.queue_reminders(office, db, FakeLinks()) == 1
    key = f"booking_reminder:{reminded.id}:2026-11-26"
    assert queued(db)[key]["kind"] == "booking_reminder" and queued(db)[key]["booking"]["date"] == "2026-11-26"
    at(office, 7 * 60 + 1)
    assert notifications.queue_reminders(office, db, FakeLinks()) == 0     # the job again a minute later
    late = book(office, db, day="2026-11-26", service="izin_kesehatan", contact="0814-2222-3333")
    at(office, 7 * 60 + 2)
    assert notifications.queue_reminders(office, db, FakeLinks()) == 0     # just booked: just confirmed
    assert f"booking_reminder:{late.id}:2026-11-26" not in queued(db)
    moved = bookings.reschedule(office, db, reminded.id, day="2026-11-27", start="10:00")
    at(office, 7 * 60 + 3, days=1)                                           # the next afternoon
    assert notifications.queue_reminders(office, db, FakeLinks()) == 2     # moved to the 27th: reminded again
    assert f"booking_reminder:{moved.id}:2026-11-27" in queued(db)


# -- sending ------------------------------------------------------------------------------

class Receiver:
    """Answers each post with the next scripted outcome and records what it got."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.posts = []

    def __call__(self, body, headers):
        self.posts.append((body, headers))
        return self.outcomes.pop(0)


def queue_one(office, db) -> str:
    booking = book(office, db, contact="0812-3456-7890")
    notifications.queue(office, db, notifications.booking_created(office, db, [booking.id], FakeLinks()))
    return f"booking_created:{booking.id}"


def test_a_failing_receiver_is_retried_with_backoff_until_it_takes_the_delivery(office, db, caplog):
    key = queue_one(office, db)
    receiver = Receiver(500, "timeout", 204)
    with caplog.at_level(logging.INFO):
        assert notifications.send_due(office, db, receiver, SECRET) == 0
        first = db.deliveries.find(key)
        assert (first.attempts, first.last_error, first.next_attempt_at) == (1, "http_500", NOW + timedelta(minutes=1))
        assert notifications.send_due(office, db, receiver, SECRET) == 0   # not due yet: nothing posted
        assert len(receiver.posts) == 1
        at(office, 1)
        assert notifications.send_due(office, db, receiver, SECRET) == 0
        second = db.deliveries.find(key)
        assert (second.attempts, second.last_error) == (2, "timeout")
        assert second.next_attempt_at == NOW + timedelta(minutes=3)        # then two minutes
        at(office, 3)
        assert notifications.send_due(office, db, receiver, SECRET) == 1
    done = db.deliveries.find(key)
    assert (done.status, done.attempts, done.payload) == ("sent", 3, None)   # the contact is gone
    bodies = {body for body, _headers in receiver.posts}
    assert len(bodies) == 1 and json.loads(bodies.pop())["id"] == key       # the same body every time
    for body, headers in receiver.posts:
        expected = hmac.new(SECRET, headers["X-Antrean-Timestamp"].encode() + b"." + body, hashlib.sha256)
        assert headers["X-Antrean-Signature"] == "sha256=" + expected.hexdigest()
    assert PHONE not in caplog.text and "http_500" in caplog.text


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(office, db):
    key = queue_one(office, db)
    receiver = Receiver(*[503] * SETTINGS.max_attempts)
    for minute in range(0, 60):
        at(office, minute)
        notifications.send_due(office, db, receiver, SECRET)
    failed = db.deliveries.find(key)
    assert (failed.status, failed.attempts, failed.last_error, failed.payload) == ("failed", 4, "http_503", None)
    assert len(receiver.posts) == 4


def test_an_unreachable_receiver_ends_the_round_and_a_stale_delivery_is_dropped_unsent(office, db):
    first = queue_one(office, db)
    other = book(office, db, service="kartu_kuning", contact="0813-1111-2222")
    notifications.queue(office, db, notifications.booking_created(office, db, [other.id], FakeLinks()))
    receiver = Receiver("unreachable")
    assert notifications.send_due(office, db, receiver, SECRET) == 0
    assert len(receiver.posts) == 1                                             # the second waits
    assert db.deliveries.find(f"booking_created:{other.id}").attempts == 0
    at(office, 24 * 60)                                                         # the slots have passed
    notifications.send_due(office, db, Receiver(), SECRET)
    assert db.deliveries.find(first).last_error == "expired"
    assert db.deliveries.find(first).status == "failed" and db.deliveries.find(first).payload is None


def test_finished_deliveries_are_forgotten_after_five_weeks(office, db):
    key = queue_one(office, db)
    notifications.send_due(office, db, Receiver(200), SECRET)
    at(office, days=34)
    assert notifications.forget_finished(office, db) == 0
    at(office, days=36)
    assert notifications.forget_finished(office, db) == 1 and db.deliveries.find(key) is None


# -- the app: links and wiring --------------------------------------------------------------

def configure(instance, secret: bytes | None = SECRET, **extra) -> None:
    """Add a [notifications] table to an instance's office.toml (and its secret file)."""
    lines = ["", "[notifications]", 'webhook_url = "http://127.0.0.1:9/hook"', 'secret_file = "webhook.secret"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items()]
    path = instance / "office.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")
    if secret is not None:
        (instance / "webhook.secret").write_bytes(secret + b"\n")


def test_links_are_paths_or_full_urls_with_public_url(instance_dir):
    configure(instance_dir, public_url="https://antrean.kota-contoh.go.id/")
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": ManualClock(NOW)},
                     instance_path=instance_dir)
    office = app.extensions["antrean.office"]
    db = office.store.connect()
    booking = book(office, db, day="2026-11-26")
    ticket = tickets.issue(office, db, service=SERVICE, lane="general")
    full = Links(app.url_map, app.extensions["antrean.booking_tokens"], app.extensions["antrean.tokens"],
                 office.config.notifications.public_url)
    assert full.booking(booking).startswith("https://antrean.kota-contoh.go.id/booking/")
    path = Links(app.url_map, app.extensions["antrean.booking_tokens"], app.extensions["antrean.tokens"], None)
    token = path.ticket(ticket).removeprefix("/t/")
    assert path.ticket(ticket).startswith("/t/")
    with app.test_client() as client:
        assert client.get(path.ticket(ticket)).status_code == 200     # the link opens the phone page
        assert client.get(path.booking(booking)).status_code == 200
    assert app.extensions["antrean.tokens"].read(token, office.clock()) == ticket.id


def test_an_app_with_notifications_queues_a_booking_in_place(instance_dir):
    configure(instance_dir)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": ManualClock(NOW)},
                     instance_path=instance_dir)
    response = app.test_client().post("/api/bookings", json={"service": SERVICE, "date": "2026-11-26",
                                                             "start": "10:00", "contact": "0812-3456-7890"})
    assert response.status_code == 201
    db = app.extensions["antrean.office"].store.connect()
    [payload] = queued(db).values()
    assert payload["link"].startswith("/booking/") and payload["booking"]["code"] == response.get_json()["code"]


def test_a_missing_secret_file_says_so_and_sends_nothing(instance_dir, capsys):
    configure(instance_dir, secret=None)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": ManualClock(NOW)},
                     instance_path=instance_dir)
    assert "NOTIFICATIONS ARE OFF" in capsys.readouterr().err
    response = app.test_client().post("/api/bookings", json={"service": SERVICE, "date": "2026-11-26",
                                                             "start": "10:00", "contact": "0812-3456-7890"})
    assert response.status_code == 201
    assert queued(app.extensions["antrean.office"].store.connect()) == {}


def test_the_notifier_queue_store_shares_the_office_checkpoints(office):
    """Its queue writes go through a store of its own; they count toward the office's
    background checkpoints, so none stays only in the WAL after the office falls quiet."""
    notifier = Notifier(office, FakeLinks())
    assert notifier._writer.store is not office.store
    assert notifier._writer.store.checkpoints is office.store.checkpoints
