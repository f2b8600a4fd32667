"""Many phones race for a slot's last place on the real server: exactly one wins, nobody waits long."""
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


def test_the_last_place_of_a_slot_goes_to_exactly_one_visitor(live_server):
    day = (datetime.now(ZoneInfo("Asia/Jakarta")) + timedelta(days=2)).date().isoformat()
    [slot] = [s for s in requests.get(live_server.url(f"/api/slots?service={SERVICE}&date={day}"), timeout=WAIT).json()
              if s["start"] == "10:00"]
    booking = {"service": SERVICE, "date": day, "start": "10:00", "lane": "general"}
    for _ in range(slot["capacity"] - 1):
        assert requests.post(live_server.url("/api/bookings"), json=booking, timeout=WAIT).status_code == 201
    barrier = threading.Barrier(RACERS)
    answers: list[requests.Response] = []

    def phone() -> None:
        with requests.Session() as session:
            barrier.wait(WAIT)
            answers.append(session.post(live_server.url("/api/bookings"), json=booking, timeout=WAIT))

    threads = [threading.Thread(target=phone) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
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
