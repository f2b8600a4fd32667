"""Many phones race on the real server: for a slot's last place, or with one contact for one day;
exactly one wins, and the losers leave no place taken."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.helpers.live import WAIT, read_only_db

pytestmark = pytest.mark.server

SERVICE = "konsultasi"
RACERS = 12


def _day_after_tomorrow() -> str:
    return (datetime.now(ZoneInfo("Asia/Jakarta")) + timedelta(days=2)).date().isoformat()


def _at_once(live_server, bodies: list[dict]) -> list[requests.Response]:
    """Each body posted to /api/bookings by its own phone, all released together."""
    barrier = threading.Barrier(len(bodies))
    answers: list[requests.Response] = []

    def phone(body: dict) -> None:
        with requests.Session() as session:
            barrier.wait(WAIT)
            answers.append(session.post(live_server.url("/api/bookings"), json=body, timeout=WAIT))

    threads = [threading.Thread(target=phone, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    return answers


def test_the_last_place_of_a_slot_goes_to_exactly_one_visitor(live_server):
    day = _day_after_tomorrow()
    [slot] = [s for s in requests.get(live_server.url(f"/api/slots?service={SERVICE}&date={day}"), timeout=WAIT).json()
              if s["start"] == "10:00"]
    booking = {"service": SERVICE, "date": day, "start": "10:00", "lane": "general"}
    for _ in range(slot["capacity"] - 1):
        assert requests.post(live_server.url("/api/bookings"), json=booking, timeout=WAIT).status_code == 201
    answers = _at_once(live_server, [booking] * RACERS)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (RACERS - 1), statuses
    assert {answer.json()["error"]["code"] for answer in answers if answer.status_code == 409} == {"slot_full"}
    left = [s for s in requests.get(live_server.url(f"/api/slots?service={SERVICE}&date={day}"), timeout=WAIT).json()
            if s["start"] == "10:00"]
    assert left[0]["remaining"] == 0
    db = read_only_db(live_server.instance)
    try:
        booked = db.execute("SELECT COUNT(*) FROM bookings WHERE business_date = ? AND start = '10:00'",
                            (day,)).fetchone()[0]
        taken = db.execute("SELECT taken FROM slot_places WHERE business_date = ? AND start = '10:00'",
                           (day,)).fetchone()[0]
    finally:
        db.close()
    assert booked == taken == slot["capacity"]


def test_one_contact_racing_for_several_slots_of_a_day_gets_one_and_leaves_the_other_places_free(live_server):
    """The one-booking-per-contact rule under a race: the same phone number, written as people
    write it, books twelve different slots of one day at once. One booking is made; the others
    are refused `already_booked`, and the places their requests took are given back with them."""
    day = _day_after_tomorrow()
    spellings = ("0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890")
    bodies = [{"service": SERVICE, "date": day, "start": f"{9 + index // 2:02d}:{30 * (index % 2):02d}",
               "lane": "general", "contact": spellings[index % len(spellings)]} for index in range(RACERS)]
    answers = _at_once(live_server, bodies)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (RACERS - 1), statuses
    assert {answer.json()["error"]["code"] for answer in answers if answer.status_code == 409} == {"already_booked"}
    db = read_only_db(live_server.instance)
    try:
        booked = db.execute("SELECT start FROM bookings WHERE business_date = ? AND service = ?",
                            (day, SERVICE)).fetchall()
        taken = db.execute("SELECT SUM(taken) FROM slot_places WHERE business_date = ? AND service = ?",
                           (day, SERVICE)).fetchone()[0]
    finally:
        db.close()
    assert len(booked) == 1 and taken == 1
    slots = requests.get(live_server.url(f"/api/slots?service={SERVICE}&date={day}"), timeout=WAIT).json()
    left = {slot["start"]: slot["remaining"] for slot in slots}
    assert sum(slot["capacity"] - slot["remaining"] for slot in slots) == 1
    assert left[booked[0][0]] == slots[0]["capacity"] - 1
