"""A burst of kiosks, a booking visitor and officers against a live server, and the checks
that must hold in the database after the server was killed in the middle of it.

The clients remember only what a real client could: the answers that reached them (a `2xx`
with a body). Whatever was in flight when the server died may or may not have been written;
what the clients saw must have been, exactly once. Requests in flight are retried after the
restart with the same `Idempotency-Key`, as the kiosk shell and the console do.
"""
from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from .live import WAIT, bearer

# Services the kiosks issue for: the ones counters 1 and 2 of the demo office call.
KIOSK_SERVICES = ("perizinan_berusaha", "non_perizinan")
BOOKED_SERVICE = "konsultasi"


@dataclass
class Ledger:
    """What reached the clients, across every cycle (threads append under the lock)."""

    tickets: dict[str, str] = field(default_factory=dict)        # number → token
    bookings: dict[str, str] = field(default_factory=dict)       # code → token
    checkins: dict[str, str] = field(default_factory=dict)       # booking code → ticket number
    calls: list[tuple[int, str]] = field(default_factory=list)   # (counter, number) answered 200
    pending_issues: list[tuple[str, str]] = field(default_factory=list)   # (service, key) unanswered
    pending_calls: list[tuple[int, dict, str]] = field(default_factory=list)  # (counter, auth, key)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def successes(self) -> int:
        with self.lock:
            return len(self.tickets) + len(self.bookings) + len(self.calls)

    def took_ticket(self, body: dict) -> None:
        with self.lock:
            known = self.tickets.setdefault(body["number"], body["token"])
        assert known == body["token"], f"two tickets answered with the number {body['number']}"

    def was_called(self, counter: int, body: dict) -> None:
        with self.lock:
            self.calls.append((counter, body["number"]))


def office_today(timezone: str = "Asia/Jakarta") -> str:
    return datetime.now(ZoneInfo(timezone)).date().isoformat()


class Burst:
    """Kiosk, booking and officer threads hammering one server until it stops answering.

    Each thread loops until `stop` is set or its request fails to connect (the server is
    gone); a request that never got an answer is put in the ledger's pending lists.
    """

    def __init__(self, base_url: str, kiosk_token: str, officers: dict[int, dict], ledger: Ledger,
                 kiosks: int = 3):
        self.base_url = base_url
        self.kiosk_token = kiosk_token
        self.officers = officers
        self.ledger = ledger
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._kiosk, args=(KIOSK_SERVICES[index % 2],), daemon=True)
                        for index in range(kiosks)]
        self.threads.append(threading.Thread(target=self._visitor, daemon=True))
        self.threads += [threading.Thread(target=self._officer, args=(counter, auth), daemon=True)
                         for counter, auth in officers.items()]

    def start(self) -> "Burst":
        for thread in self.threads:
            thread.start()
        return self

    def join(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(WAIT * 2)
            assert not thread.is_alive(), "a burst thread hangs"

    def _kiosk(self, service: str) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                key = uuid.uuid4().hex
                try:
                    answer = issue_with_key(session, self.base_url, self.kiosk_token, service, key)
                except requests.RequestException:
                    with self.ledger.lock:
                        self.ledger.pending_issues.append((service, key))
                    return
                if answer.status_code == 201:
                    self.ledger.took_ticket(answer.json())

    def _officer(self, counter: int, auth: dict) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                key = uuid.uuid4().hex
                try:
                    answer = session.post(f"{self.base_url}/api/counters/{counter}/call-next",
                                          headers={**auth, "Idempotency-Key": key}, timeout=WAIT)
                except requests.RequestException:
                    with self.ledger.lock:
                        self.ledger.pending_calls.append((counter, auth, key))
                    return
                if answer.status_code == 200:
                    self.ledger.was_called(counter, answer.json())
                elif answer.status_code == 204:
                    self.stop.wait(0.02)  # nobody waiting yet: the kiosks will bring someone

    def _visitor(self) -> None:
        """Book the next free slot, then check in at the kiosk (booking and arrival in one)."""
        with requests.Session() as session:
            while not self.stop.is_set():
                try:
                    booked = book_next_slot(session, self.base_url)
                    if booked is None:
                        return
                    with self.ledger.lock:
                        self.ledger.bookings[booked["code"]] = booked["token"]
                    arrived = session.post(f"{self.base_url}/api/checkin", json={"code": booked["code"]},
                                           headers=bearer(self.kiosk_token), timeout=WAIT)
                except requests.RequestException:
                    return
                if arrived.status_code == 201:
                    with self.ledger.lock:
                        self.ledger.checkins[booked["code"]] = arrived.json()["number"]
                    self.ledger.took_ticket(arrived.json())


def issue_with_key(session: requests.Session, base_url: str, kiosk_token: str, service: str,
                   key: str) -> requests.Response:
    return session.post(f"{base_url}/api/tickets", json={"service": service, "lane": "general"},
                        headers={**bearer(kiosk_token), "Idempotency-Key": key}, timeout=WAIT)


def book_next_slot(session: requests.Session, base_url: str) -> dict | None:
    """Book the first slot with a place left today or tomorrow; its 201 body, or None."""
    today = datetime.fromisoformat(office_today())
    for day in (today, today + timedelta(days=1)):
        date = day.date().isoformat()
        slots = session.get(f"{base_url}/api/slots", params={"service": BOOKED_SERVICE, "date": date},
                            timeout=WAIT)
        for slot in slots.json() if slots.status_code == 200 else []:
            if slot["remaining"] > 0:
                answer = session.post(f"{base_url}/api/bookings", timeout=WAIT, json={
                    "service": BOOKED_SERVICE, "date": date, "start": slot["start"], "lane": "general"})
                if answer.status_code == 201:
                    return answer.json()
                if answer.status_code == 429:
                    return None  # the hourly limit per address: this cycle books no more
    return None


def retry_pending(base_url: str, kiosk_token: str, ledger: Ledger) -> None:
    """After the restart, send again what got no answer, with the same keys, once each."""
    with ledger.lock:
        issues, ledger.pending_issues = ledger.pending_issues, []
        calls, ledger.pending_calls = ledger.pending_calls, []
    with requests.Session() as session:
        for service, key in issues:
            answer = issue_with_key(session, base_url, kiosk_token, service, key)
            assert answer.status_code in (201, 409, 429), answer.text
            if answer.status_code == 201:
                ledger.took_ticket(answer.json())
        for counter, auth, key in calls:
            answer = session.post(f"{base_url}/api/counters/{counter}/call-next",
                                  headers={**auth, "Idempotency-Key": key}, timeout=WAIT)
            assert answer.status_code in (200, 204, 409), answer.text
            if answer.status_code == 200:
                ledger.was_called(counter, answer.json())


# -- what the database must say afterwards ---------------------------------------------------

def check_database(db: sqlite3.Connection, ledger: Ledger) -> None:
    """Every answer the clients saw is stored; numbers are whole; nobody was called twice."""
    tickets = {number: (ticket_id, status) for ticket_id, number, status in db.execute(
        "SELECT id, number, status FROM tickets WHERE business_date = ?", (office_today(),))}
    missing = sorted(set(ledger.tickets) - set(tickets))
    assert not missing, f"tickets a kiosk was given are not in the database: {missing}"

    booked = {code: (status, ticket_id) for code, status, ticket_id in db.execute(
        "SELECT code, status, ticket_id FROM bookings")}
    lost = sorted(set(ledger.bookings) - set(booked))
    assert not lost, f"bookings a visitor was given are not in the database: {lost}"
    for code, number in ledger.checkins.items():
        status, ticket_id = booked[code]
        assert status == "checked_in" and ticket_id == tickets[number][0], (code, status)

    calls = defaultdict(list)
    for ticket_id, counter in db.execute(
            "SELECT ticket_id, counter FROM ticket_events WHERE to_status = 'called' "
            "AND from_status = 'waiting'"):
        calls[ticket_id].append(counter)
    for counter, number in ledger.calls:
        assert counter in calls[tickets[number][0]], f"{number}'s call to counter {counter} is not stored"
    returns = Counter(ticket_id for (ticket_id,) in db.execute(
        "SELECT ticket_id FROM ticket_events WHERE to_status = 'waiting' AND from_status IS NOT NULL"))
    twice = {ticket_id: counters for ticket_id, counters in calls.items()
             if len(counters) > 1 + returns[ticket_id]}
    assert not twice, f"tickets called from the line more than once: {twice}"

    for service, numbers, last in db.execute(
            "SELECT t.number_service, group_concat(t.sequence), n.last FROM tickets t "
            "JOIN ticket_numbers n ON n.business_date = t.business_date AND n.service = t.number_service "
            "WHERE t.business_date = ? GROUP BY t.number_service", (office_today(),)):
        sequences = sorted(int(value) for value in numbers.split(","))
        assert sequences == list(range(1, len(sequences) + 1)), f"{service}: gaps or repeats in {sequences}"
        assert last == len(sequences), f"{service}: the counter says {last}, {len(sequences)} tickets exist"


def standing_calls(db: sqlite3.Connection) -> dict[str, str]:
    """{counter: number} of the tickets called or being served at a counter, from the database."""
    return {str(counter): number for counter, number in db.execute(
        "SELECT counter, number FROM tickets WHERE business_date = ? AND status IN ('called', 'serving')",
        (office_today(),))}


def waiting_counts(db: sqlite3.Connection) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for service, lane, count in db.execute(
            "SELECT service, lane, count(*) FROM tickets WHERE business_date = ? AND status = 'waiting' "
            "GROUP BY service, lane", (office_today(),)):
        counts[service][lane] = count
    return counts
