"""The webhook on the real server: a receiver that fails twice, then takes the delivery.

A demo office with `[notifications]` (retries after 1 s, 2 s …) posts to a tiny receiver on
127.0.0.1. Its first answer comes late and is an error, its second is an error, its third is
a success: the `booking_created` delivery arrives three times with the same body and a valid
signature each time, is marked sent, and is not posted again. While the receiver hangs,
bookings and kiosk tickets keep answering at once.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.helpers.live import WAIT, demo_instance, issue, read_only_db

pytestmark = pytest.mark.server

SECRET = b"webhook-secret-only-for-this-test"
SERVICE = "konsultasi"
CONTACT = "0812-3456-7890"
HANG_S = 1.5
FAST_S = 1.0


class FakeReceiver:
    """An HTTP receiver on loopback answering posts from a script: (delay, status) per post."""

    def __init__(self, script: list[tuple[float, int]]):
        self.script = list(script)
        self.posts: list[tuple[dict, bytes, int]] = []
        self.first_arrived = threading.Event()
        self.accepted = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.first_arrived.set()
                delay, status = receiver.script.pop(0) if receiver.script else (0, 200)
                time.sleep(delay)
                receiver.posts.append((dict(self.headers), body, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if 200 <= status < 300:
                    receiver.accepted.set()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/antrean-hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = FakeReceiver([(HANG_S, 503), (0, 500), (0, 200)])
    yield made
    made.close()


def verified(headers: dict, body: bytes) -> bool:
    """The receiver's check from docs/WEBHOOKS.md: a fresh timestamp and the HMAC over it and the body."""
    timestamp = headers["X-Antrean-Timestamp"]
    if abs(time.time() - int(timestamp)) > 300:
        return False
    expected = "sha256=" + hmac.new(SECRET, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Antrean-Signature"])


def open_slots(base_url: str, day: str, count: int) -> list[str]:
    slots = requests.get(f"{base_url}/api/slots", params={"service": SERVICE, "date": day}, timeout=WAIT).json()
    return [slot["start"] for slot in slots if slot["remaining"] > 0][:count]


def test_a_failing_receiver_gets_the_delivery_once_and_never_slows_the_office(tmp_path, servers, receiver):
    instance = demo_instance(tmp_path / "office")
    (instance / "webhook.secret").write_bytes(SECRET + b"\n")
    config = instance / "office.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[notifications]\n"
                      f'webhook_url = "{receiver.url}"\nsecret_file = "webhook.secret"\nretry_seconds = 1\n',
                      encoding="utf-8")
    server = servers(instance)
    tomorrow = (datetime.now(ZoneInfo("Asia/Jakarta")) + timedelta(days=1)).date().isoformat()
    first, *others = open_slots(server.base_url, tomorrow, 4)
    booked = requests.post(server.url("/api/bookings"), timeout=WAIT,
                           json={"service": SERVICE, "date": tomorrow, "start": first, "contact": CONTACT})
    assert booked.status_code == 201, booked.text

    assert receiver.first_arrived.wait(WAIT), server.log_tail()
    with requests.Session() as session:   # the receiver hangs on the first post right now
        for start in others:
            began = time.monotonic()
            response = session.post(server.url("/api/bookings"), timeout=WAIT,
                                    json={"service": SERVICE, "date": tomorrow, "start": start})
            assert response.status_code == 201 and time.monotonic() - began < FAST_S
            began = time.monotonic()
            ticket = issue(session, server.base_url, server.logins.kiosk_token, SERVICE)
            assert ticket.status_code == 201 and time.monotonic() - began < FAST_S
    assert receiver.posts == [], "the first post was answered before the office was tried"

    assert receiver.accepted.wait(15), (receiver.posts, server.log_tail())
    time.sleep(2.5)   # a sender round or two more: nothing is posted again
    assert [status for _headers, _body, status in receiver.posts] == [503, 500, 200]
    bodies = {body for _headers, body, _status in receiver.posts}
    assert len(bodies) == 1
    payload = json.loads(bodies.pop())
    assert payload["kind"] == "booking_created" and payload["contact"] == {"type": "phone", "value": "+6281234567890"}
    assert payload["booking"]["code"] == booked.json()["code"] and payload["link"].startswith("/booking/")
    assert {headers["X-Antrean-Delivery"] for headers, _body, _status in receiver.posts} == {payload["id"]}
    assert all(verified(headers, body) for headers, body, _status in receiver.posts)

    db = read_only_db(instance)
    try:
        rows = db.execute("SELECT kind, status, attempts, payload FROM deliveries").fetchall()
    finally:
        db.close()
    assert rows == [("booking_created", "sent", 3, None)]
    assert CONTACT not in server.log_tail(100000) and "+6281234567890" not in server.log_tail(100000)
