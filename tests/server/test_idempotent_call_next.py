"""Double presses on the real server: one call (one announcement), or one printed ticket."""
from __future__ import annotations

import threading

import pytest
import requests

from tests.helpers.live import WAIT, bearer, issue, login, read_only_db

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"  # demo office: counters 1 and 2 serve it (prefix A)


def test_same_idempotency_key_twice_at_once_and_twice_after_calls_one_ticket(live_server, recorders):
    base = live_server.base_url
    with requests.Session() as kiosk:
        numbers = [issue(kiosk, base, live_server.logins.kiosk_token, SERVICE).json()["number"] for _ in range(4)]
    assert numbers == ["A-001", "A-002", "A-003", "A-004"]
    display = recorders("/display", ("snapshot", "called", "queue")).connect(base)
    display.wait_for(lambda events: any(name == "snapshot" for name, _ in events), what="snapshot")
    officer = bearer(login(base, "petugas", live_server.logins.passwords["petugas"]))

    def press(key: str, counter: int = 1) -> requests.Response:
        return requests.post(f"{base}/api/counters/{counter}/call-next",
                             headers={**officer, "Idempotency-Key": key}, timeout=WAIT)

    # Two presses in flight at the same moment (two threads released by one barrier) …
    answers: list[requests.Response | BaseException] = [None, None]
    barrier = threading.Barrier(2, timeout=WAIT)

    def racer(slot: int) -> None:
        try:
            barrier.wait()
            answers[slot] = press("druk-1")
        except BaseException as error:  # reported below
            answers[slot] = error

    threads = [threading.Thread(target=racer, args=(slot,), daemon=True) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert not any(thread.is_alive() for thread in threads)
    assert all(isinstance(answer, requests.Response) for answer in answers), answers
    # … then the same key twice more, one after the other (a retried request).
    answers += [press("druk-1"), press("druk-1")]
    assert [answer.status_code for answer in answers] == [200] * 4, [a.text[:200] for a in answers]
    bodies = [answer.json() for answer in answers]
    assert all(body == bodies[0] for body in bodies), bodies
    assert bodies[0]["number"] == "A-001" and bodies[0]["counter"] == 1 and bodies[0]["status"] == "called"

    # A fresh key sent twice in sequence at another counter: also one call.
    second = [press("druk-2", counter=2), press("druk-2", counter=2)]
    assert [answer.status_code for answer in second] == [200, 200]
    assert second[0].json() == second[1].json()
    assert second[0].json()["number"] == "A-002"

    waiting = requests.get(f"{base}/api/counters/1/waiting", headers=officer, timeout=WAIT).json()
    assert waiting["current"]["number"] == "A-001" and waiting["current"]["status"] == "called"
    assert [ticket["number"] for ticket in waiting["waiting"]] == ["A-003", "A-004"]

    # A new press (new key) is a real call; once its announcement arrives, every earlier one has too.
    third = press("druk-3")
    assert third.status_code == 200 and third.json()["number"] == "A-003"
    display.wait_for(lambda events: any(name == "called" and data["number"] == "A-003" for name, data in events),
                     what="the call of A-003")
    assert [(event["number"], event["counter"]) for event in display.of("called")] == [
        ("A-001", 1), ("A-002", 2), ("A-003", 1)]

    db = read_only_db(live_server.instance)
    try:
        calls = db.execute(
            "SELECT t.number, COUNT(*) FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
            "WHERE e.to_status = 'called' GROUP BY t.number ORDER BY t.number"
        ).fetchall()
        statuses = dict(db.execute("SELECT number, status FROM tickets"))
    finally:
        db.close()
    assert calls == [("A-001", 1), ("A-002", 1), ("A-003", 1)]
    # The duplicate presses did not finish A-001 behind the officer's back; druk-3 did, and since
    # A-001 never came to the counter (nobody pressed start) it is absent, not done.
    assert statuses == {"A-001": "no_show", "A-002": "called", "A-003": "called", "A-004": "waiting"}


def test_kiosk_double_press_with_one_idempotency_key_prints_one_ticket(live_server):
    """Two presses at once and two retries with the same key: one ticket, no number used up."""
    base, token = live_server.base_url, live_server.logins.kiosk_token
    answers: list[requests.Response | BaseException] = [None, None]
    barrier = threading.Barrier(2, timeout=WAIT)

    def racer(slot: int) -> None:
        try:
            barrier.wait()
            with requests.Session() as session:
                answers[slot] = issue(session, base, token, "izin_kesehatan", **{"Idempotency-Key": "cetak-1"})
        except BaseException as error:  # reported below
            answers[slot] = error

    threads = [threading.Thread(target=racer, args=(slot,), daemon=True) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert not any(thread.is_alive() for thread in threads)
    assert all(isinstance(answer, requests.Response) for answer in answers), answers
    with requests.Session() as session:
        answers += [issue(session, base, token, "izin_kesehatan", **{"Idempotency-Key": "cetak-1"}) for _ in range(2)]
        following = issue(session, base, token, "izin_kesehatan")
    assert [answer.status_code for answer in answers] == [201] * 4, [a.text[:200] for a in answers]
    assert {(answer.json()["id"], answer.json()["number"]) for answer in answers} == {(answers[0].json()["id"], "B-001")}
    assert following.status_code == 201 and following.json()["number"] == "B-002"
    db = read_only_db(live_server.instance)
    try:
        assert db.execute("SELECT number FROM tickets ORDER BY id").fetchall() == [("B-001",), ("B-002",)]
    finally:
        db.close()
