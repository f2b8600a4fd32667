"""Eight counters calling at once on the real server: every ticket is called exactly once.

A custom office (one service, eight counters) is written before the server starts; 200
tickets wait; eight officers press call-next in a loop until 204. The calls, the wall
display's `called` events and the audit trail in the database must all tell the same story.
"""
from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests

from tests.helpers.live import OFFICER_PASSWORD, WAIT, bearer, build_office, issue, login, read_only_db

pytestmark = pytest.mark.server

TICKETS = 200
COUNTERS = 8


def test_eight_counters_call_every_ticket_exactly_once(tmp_path, servers, recorders):
    office = build_office(tmp_path / "office", counters=COUNTERS, kiosks=1, officers=COUNTERS)
    server = servers(office.instance)  # gevent, as `antrean serve` runs by default

    # The wall display connects first, while the office is quiet, so every message it will get
    # follows the `snapshot` it starts from.
    display = recorders("/display", ("snapshot", "called", "queue")).connect(server.base_url)
    snapshot = display.wait_for(lambda events: [data for name, data in events if name == "snapshot"],
                                what="the display's snapshot")[0]
    assert snapshot["waiting"]["umum"]["general"] == 0

    with requests.Session() as kiosk:
        issued = [issue(kiosk, server.base_url, office.kiosk_tokens[0], "umum") for _ in range(TICKETS)]
    assert [response.status_code for response in issued] == [201] * TICKETS
    all_numbers = {response.json()["number"] for response in issued}
    assert all_numbers == {f"A-{n:03d}" for n in range(1, TICKETS + 1)}

    tokens = {number: login(server.base_url, office.officers[number - 1], OFFICER_PASSWORD)
              for number in range(1, COUNTERS + 1)}
    results: dict[int, list[tuple[int, dict | None]]] = {number: [] for number in tokens}
    failures: list[str] = []
    start = threading.Barrier(COUNTERS, timeout=WAIT)

    def officer(number: int) -> None:
        try:
            with requests.Session() as session:
                session.headers.update(bearer(tokens[number]))
                start.wait()
                for _ in range(TICKETS + 2):  # bounded: no counter can get more than every ticket
                    response = session.post(f"{server.base_url}/api/counters/{number}/call-next", timeout=WAIT)
                    if response.status_code == 204:
                        results[number].append((204, None))
                        return
                    if response.status_code != 200:
                        failures.append(f"counter {number}: {response.status_code} {response.text[:300]}")
                        return
                    results[number].append((200, response.json()))
                failures.append(f"counter {number}: never got 204")
        except Exception as error:  # reported below, with the counter
            failures.append(f"counter {number}: {error!r}")

    threads = [threading.Thread(target=officer, args=(number,), daemon=True) for number in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=45)
    assert not any(thread.is_alive() for thread in threads), "call-next loop still running after 45 s"
    assert not failures, failures + [server.log_tail()]

    # The HTTP answers: every ticket called once, to the counter that asked.
    called_by_http: dict[str, int] = {}
    duplicates = []
    for number, answers in results.items():
        assert answers[-1] == (204, None)
        for status, body in answers[:-1]:
            assert status == 200
            assert body["counter"] == number, body
            assert body["status"] == "called", body
            if body["number"] in called_by_http:
                duplicates.append((body["number"], called_by_http[body["number"]], number))
            called_by_http[body["number"]] = number
    assert not duplicates, f"tickets called twice: {duplicates[:10]}"
    assert set(called_by_http) == all_numbers, f"never called: {sorted(all_numbers - set(called_by_http))[:10]}"
    assert sum(len(answers) - 1 for answers in results.values()) == TICKETS

    # The wall display: 200 `called` events, in order, one per call.
    def settled(events) -> bool:
        """All 200 calls announced and nothing sent that the display has not received."""
        if sum(1 for name, _ in events if name == "called") < TICKETS:
            return False
        last_sent = requests.get(server.url("/api/queue"), timeout=WAIT).json()["seq"]
        return events[-1][1]["seq"] >= last_sent

    display.wait_for(settled, what=f"{TICKETS} `called` events and the last `queue` snapshot")
    called = display.of("called")
    assert len(called) == TICKETS, f"{len(called)} `called` events for {TICKETS} calls"
    seqs = [event["seq"] for event in called]
    out_of_order = [(a, b) for a, b in zip(seqs, seqs[1:]) if b <= a]
    assert not out_of_order, f"`called` seq not strictly increasing in arrival order: {out_of_order[:10]}"
    assert {event["number"] for event in called} == all_numbers
    assert Counter(event["number"] for event in called).most_common(1)[0][1] == 1
    assert all(event["counter"] == called_by_http[event["number"]] for event in called)
    assert not any(event["recall"] for event in called)
    # The contract: `seq` rises by one per event, so a display that sees a gap re-fetches. A
    # `called` carries its own event's number; a `queue` snapshot stands for every event since
    # the message before it (its seq may jump: it is a complete state). Nothing was lost here,
    # so every `called` is exactly the next number and no message goes back.
    messages = [(name, data["seq"]) for name, data in display.events if name != "snapshot"]
    pairs = list(zip([("snapshot", snapshot["seq"])] + messages, messages))
    gaps = [(a, b) for a, b in pairs if b[0] == "called" and b[1] != a[1] + 1]
    assert not gaps, f"a `called` is not the next `seq` after the message before it: {gaps[:10]}"
    backwards = [(a, b) for a, b in pairs if b[1] <= a[1]]
    assert not backwards, f"`seq` did not rise from one /display message to the next: {backwards[:10]}"

    # The audit trail: exactly one waiting → called event per ticket, at the right counter.
    db = read_only_db(office.instance)
    try:
        rows = db.execute(
            """
            SELECT t.number, COUNT(e.id), MIN(e.counter), MAX(e.counter)
            FROM tickets t LEFT JOIN ticket_events e
                ON e.ticket_id = t.id AND e.from_status = 'waiting' AND e.to_status = 'called'
            GROUP BY t.id
            """
        ).fetchall()
        total_calls = db.execute("SELECT COUNT(*) FROM ticket_events WHERE to_status = 'called'").fetchone()[0]
    finally:
        db.close()
    assert len(rows) == TICKETS
    wrong = [row for row in rows if row[1] != 1 or row[2] != row[3] or row[2] != called_by_http.get(row[0])]
    assert not wrong, f"audit trail disagrees (number, calls, counter…): {wrong[:10]}"
    assert total_calls == TICKETS
