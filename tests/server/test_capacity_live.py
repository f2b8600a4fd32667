"""The occupancy cap on the real server: 30 visitors, room for 20, everyone invited in turn.

A custom office (one service, two counters, `[capacity] max_inside = 20`) is written before
the server starts. Thirty visitors take tickets at once from four kiosks: twenty wait inside,
ten outside, and at no moment are more than twenty inside (sampled live over `GET /api/queue`,
seen on the wall display's pushed snapshots, and replayed from the audit trail). Then every
visitor finished at a counter invites exactly the next one outside; phones watching outside
tickets are told "come in" and later "go to counter N" without asking; only a supervisor may
raise the cap, and raising it invites the next visitors outside at once.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
import requests

from tests.helpers.live import (
    OFFICER_PASSWORD, WAIT, assert_error_shape, bearer, build_office, cli, issue, login, read_only_db,
)
from tests.helpers.sockets import Recorder

pytestmark = pytest.mark.server

CAP = 20
VISITORS = 30
KIOSKS = 4
COUNTERS = 2
RAISED_CAP = 22
LATECOMERS = 3
SERVICE = "umum"
SUPERVISOR = "kepala"
SUPERVISOR_PASSWORD = "kata-sandi-kepala-kantor-panjang"
INSIDE = ("invited", "waiting", "called", "serving")


# -- the office ---------------------------------------------------------------------------

def capacity_office(instance):
    """`build_office`'s one-service office with 2 counters, 4 kiosks, 2 officers, a supervisor and a cap."""
    office = build_office(instance, counters=COUNTERS, kiosks=KIOSKS, officers=COUNTERS)
    cli(instance, "user", "add", SUPERVISOR, "--role", "supervisor", "--password", SUPERVISOR_PASSWORD)
    config = instance / "office.toml"
    # A new table after the [[counters]] array; invitations must not lapse during the test.
    config.write_text(config.read_text(encoding="utf-8")
                      + f"\n[capacity]\nmax_inside = {CAP}\ninvite_timeout_min = 60\n", encoding="utf-8")
    return office


# -- the database (read-only, while the server runs) ----------------------------------------

def db_tickets(instance) -> list[dict]:
    """Every ticket, with `arrived_at` parsed; the queue order of one lane is (arrived_at, id)."""
    db = read_only_db(instance)
    try:
        rows = db.execute("SELECT id, number, status, arrived_at, invited_at, counter FROM tickets").fetchall()
    finally:
        db.close()
    tickets = [{"id": row[0], "number": row[1], "status": row[2], "arrived_at": datetime.fromisoformat(row[3]),
                "invited_at": row[4], "counter": row[5]} for row in rows]
    return sorted(tickets, key=queue_order)


def queue_order(ticket: dict) -> tuple:
    return (ticket["arrived_at"], ticket["id"])


def numbers(tickets: list[dict], status: str) -> list[str]:
    """Numbers of the tickets in a state, in queue order (`tickets` is already sorted)."""
    return [ticket["number"] for ticket in tickets if ticket["status"] == status]


def replay_inside(instance) -> list[tuple[int, int]]:
    """(event id, people inside just after it) for every ticket event, in commit order."""
    db = read_only_db(instance)
    try:
        rows = db.execute("SELECT id, from_status, to_status FROM ticket_events ORDER BY id").fetchall()
    finally:
        db.close()
    inside, timeline = 0, []
    for event_id, before, after in rows:
        inside += (after in INSIDE) - (before in INSIDE)
        timeline.append((event_id, inside))
    return timeline


def last_event_id(instance) -> int:
    db = read_only_db(instance)
    try:
        return db.execute("SELECT COALESCE(MAX(id), 0) FROM ticket_events").fetchone()[0]
    finally:
        db.close()


# -- the test -------------------------------------------------------------------------------

# `antrean serve` runs gevent by default; `--async-mode threading` is the supported alternative.
@pytest.mark.parametrize("async_mode", ["gevent", "threading"])
def test_thirty_visitors_twenty_places(tmp_path, servers, recorders, async_mode):
    office = capacity_office(tmp_path / "office")
    server = servers(office.instance, async_mode=async_mode)
    # The line (arrival order) must be the order the tickets were issued in, in both modes:
    # the kiosk route hands the office a clock that is read inside the write lock.
    def same_order(ok: bool, problem: str) -> None:
        assert ok, problem

    base = server.base_url
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [pool.submit(login, base, name, OFFICER_PASSWORD) for name in office.officers]
        jobs.append(pool.submit(login, base, SUPERVISOR, SUPERVISOR_PASSWORD))
        officer1, officer2, supervisor = (bearer(job.result(timeout=30)) for job in jobs)
    officer_of = {1: officer1, 2: officer2}

    # The wall display connects while the office is empty.
    display = recorders("/display", ("snapshot", "queue", "called")).connect(base)
    first = display.wait_for(lambda events: [data for name, data in events if name == "snapshot"],
                             what="the display's snapshot")[0]
    assert first["occupancy"] == {"inside": 0, "max": CAP, "outside": 0}, first["occupancy"]
    assert first["invited"] == []
    assert requests.get(f"{base}/api/capacity", timeout=WAIT).json() == {"inside": 0, "max": CAP}

    # -- 30 visitors at once from 4 kiosks, while a sampler watches the occupancy -----------
    samples: list[dict] = []
    sample_errors: list[str] = []
    issuing = threading.Event()
    stop_sampling = threading.Event()

    def sampler() -> None:
        with requests.Session() as session:
            while not stop_sampling.is_set():
                try:
                    body = session.get(f"{base}/api/queue", timeout=WAIT).json()
                    samples.append(dict(body["occupancy"], during=issuing.is_set()))
                except Exception as error:  # reported below
                    sample_errors.append(repr(error))
                    return

    shares = [VISITORS // KIOSKS + (index < VISITORS % KIOSKS) for index in range(KIOSKS)]  # 8, 8, 7, 7
    answers: list[requests.Response] = []
    failures: list[str] = []
    start = threading.Barrier(KIOSKS + 1, timeout=WAIT)

    def kiosk(index: int) -> None:
        try:
            with requests.Session() as session:
                start.wait()
                for _ in range(shares[index]):
                    answers.append(issue(session, base, office.kiosk_tokens[index], SERVICE))
        except Exception as error:  # reported below, with the kiosk
            failures.append(f"kiosk {index + 1}: {error!r}")

    sampling = threading.Thread(target=sampler, daemon=True)
    kiosks = [threading.Thread(target=kiosk, args=(index,), daemon=True) for index in range(KIOSKS)]
    sampling.start()
    for thread in kiosks:
        thread.start()
    issuing.set()
    start.wait()
    for thread in kiosks:
        thread.join(timeout=20)
    issuing.clear()
    time.sleep(0.05)  # a few samples after the last ticket too
    stop_sampling.set()
    sampling.join(timeout=WAIT)
    assert not any(thread.is_alive() for thread in kiosks + [sampling]), "kiosks or sampler still running"
    assert not failures and not sample_errors, failures + sample_errors + [server.log_tail()]

    # The 201 bodies: 20 inside, 10 outside; the first 20 issued are the ones inside.
    not_created = [(answer.status_code, answer.text[:300]) for answer in answers if answer.status_code != 201]
    assert len(answers) == VISITORS and not not_created, not_created + [server.log_tail()]
    bodies = sorted((answer.json() for answer in answers), key=lambda body: body["id"])
    assert {body["number"] for body in bodies} == {f"A-{n:03d}" for n in range(1, VISITORS + 1)}
    assert Counter(body["status"] for body in bodies) == {"waiting": CAP, "outside": VISITORS - CAP}, \
        Counter(body["status"] for body in bodies)
    assert [body["status"] for body in bodies] == ["waiting"] * CAP + ["outside"] * (VISITORS - CAP), \
        "a later ticket got in while an earlier one was sent outside"
    by_number = {body["number"]: body for body in bodies}

    # The database agrees, and nobody outside arrived before somebody inside.
    tickets = db_tickets(office.instance)
    assert {t["number"]: t["status"] for t in tickets} == {b["number"]: b["status"] for b in bodies}
    in_line = [(t["number"], t["status"]) for t in tickets]
    same_order([t["number"] for t in tickets] == sorted(t["number"] for t in tickets),
               f"the line (arrived_at, id) is not the order of the printed numbers: {in_line}")
    same_order([t["status"] for t in tickets] == ["waiting"] * CAP + ["outside"] * (VISITORS - CAP),
               f"someone outside is ahead in line of someone inside: {in_line}")
    waiting_order = numbers(tickets, "waiting")
    outside_order = numbers(tickets, "outside")
    # Each body's `ahead` is its place in the line: inside first, then outside in arrival order.
    for place, number in enumerate(waiting_order + outside_order):
        same_order(by_number[number]["ahead"] == place,
                   f"{number}: the 201 body said {by_number[number]['ahead']} ahead; its place in line is {place}")

    # Never more than 20 inside: live samples, pushed snapshots, and the audit trail.
    assert samples and any(sample["during"] for sample in samples), f"the sampler saw nothing: {samples}"
    over = [sample for sample in samples if sample["inside"] > CAP or sample["max"] != CAP]
    assert not over, f"GET /api/queue showed more than {CAP} inside: {over[:5]}"
    assert samples[-1]["inside"] == CAP and samples[-1]["outside"] == VISITORS - CAP, samples[-1]
    display.wait_for(lambda events: any(name == "queue" and data["occupancy"]["outside"] == VISITORS - CAP
                                        for name, data in events), what="a snapshot with 10 outside")
    pushed = [data["occupancy"] for name, data in display.events if name in ("snapshot", "queue")]
    assert all(occupancy["inside"] <= CAP and occupancy["max"] == CAP for occupancy in pushed), pushed
    assert max(inside for _, inside in replay_inside(office.instance)) == CAP

    # -- phones follow three of the outside tickets ----------------------------------------
    watched = [outside_order[0], outside_order[4], outside_order[9]]
    phones: dict[str, Recorder] = {}
    for number in watched:
        phone = recorders("/ticket", ("ticket", "error")).connect(base)
        phone.client.emit("watch", {"token": by_number[number]["token"]}, namespace="/ticket")
        phones[number] = phone

    def phone_reaches(number: str, status: str, **expected) -> dict:
        """The watched ticket's phone gets a pushed `ticket` in this state (bounded wait)."""
        phone = phones[number]

        def reached(events):
            if any(name == "error" for name, _ in events):
                return True
            return [data for name, data in events if name == "ticket" and data["status"] == status]

        phone.wait_for(reached, what=f"{number}'s phone to show {status}")
        assert not phone.of("error"), phone.of("error")
        update = [data for data in phone.of("ticket") if data["status"] == status][0]
        for key, value in expected.items():
            assert update[key] == value, (number, key, update)
        return update

    for number in watched:
        first_update = phone_reaches(number, "outside", ahead=CAP + outside_order.index(number))
        assert first_update["number"] == number and first_update["counter"] is None
        assert first_update["estimate_min"] and first_update["estimate_min"][0] < first_update["estimate_min"][1]

    # -- each visitor finished invites exactly the next one outside -----------------------
    invited: list[str] = []
    for step in range(VISITORS - CAP):
        counter = 1 + step % COUNTERS
        called = requests.post(f"{base}/api/counters/{counter}/call-next", headers=officer_of[counter], timeout=WAIT)
        assert called.status_code == 200, called.text
        assert (called.json()["number"], called.json()["counter"]) == (waiting_order[step], counter), called.json()
        assert numbers(db_tickets(office.instance), "invited") == invited, "a call alone invited someone"

        before = db_tickets(office.instance)
        next_outside = numbers(before, "outside")[0]
        done = requests.post(f"{base}/api/counters/{counter}/done", headers=officer_of[counter], timeout=WAIT)
        assert done.status_code == 200, done.text
        assert (done.json()["number"], done.json()["status"]) == (waiting_order[step], "done"), done.json()
        invited.append(next_outside)

        after = db_tickets(office.instance)
        was = {t["number"]: t["status"] for t in before}
        newly_invited = [t["number"] for t in after if t["status"] == "invited" and was[t["number"]] != "invited"]
        assert newly_invited == [next_outside], f"done #{step + 1} invited {newly_invited}, not {next_outside}"
        assert numbers(after, "invited") == invited
        assert numbers(after, "outside") == outside_order[step + 1:]
        snapshot = requests.get(f"{base}/api/queue", timeout=WAIT).json()
        assert snapshot["invited"] == invited, snapshot["invited"]
        assert snapshot["occupancy"] == {"inside": CAP, "max": CAP, "outside": VISITORS - CAP - step - 1}
        display.wait_for(lambda events: any(name == "queue" and data["invited"] == invited for name, data in events),
                         what=f"a display snapshot listing {invited}")
        if next_outside in phones:  # pushed to the phone right away, nobody asked
            phone_reaches(next_outside, "invited", counter=None)

    pushed = [data["occupancy"] for name, data in display.events if name in ("snapshot", "queue")]
    assert all(occupancy["inside"] <= CAP for occupancy in pushed), [o for o in pushed if o["inside"] > CAP]

    # -- the cap: only a supervisor may change it; raising it invites at once -------------
    with requests.Session() as session:
        late = [issue(session, base, office.kiosk_tokens[0], SERVICE) for _ in range(LATECOMERS)]
    assert [(r.status_code, r.json()["status"]) for r in late] == [(201, "outside")] * LATECOMERS, \
        [r.text[:200] for r in late]
    late_numbers = [r.json()["number"] for r in late]
    token_of = {body["number"]: body["token"] for body in bodies + [r.json() for r in late]}

    refused = requests.put(f"{base}/api/capacity", json={"max_inside": RAISED_CAP}, headers=officer1, timeout=WAIT)
    assert_error_shape(refused, 403, "forbidden")
    anonymous = requests.put(f"{base}/api/capacity", json={"max_inside": RAISED_CAP}, timeout=WAIT)
    assert anonymous.status_code == 401, anonymous.text
    assert requests.get(f"{base}/api/capacity", timeout=WAIT).json() == {"inside": CAP, "max": CAP}
    assert numbers(db_tickets(office.instance), "outside") == late_numbers, "a refused change invited someone"

    boundary = last_event_id(office.instance)
    raised = requests.put(f"{base}/api/capacity", json={"max_inside": RAISED_CAP}, headers=supervisor, timeout=WAIT)
    assert raised.status_code == 200, raised.text
    assert raised.json() == {"inside": RAISED_CAP, "max": RAISED_CAP}
    tickets = db_tickets(office.instance)  # the same transaction invited them: no wait needed
    invited += late_numbers[:RAISED_CAP - CAP]
    assert numbers(tickets, "invited") == invited
    assert numbers(tickets, "outside") == late_numbers[RAISED_CAP - CAP:]
    assert requests.get(f"{base}/api/capacity", timeout=WAIT).json() == {"inside": RAISED_CAP, "max": RAISED_CAP}
    display.wait_for(lambda events: any(name == "queue" and data["occupancy"]["max"] == RAISED_CAP
                                        and data["invited"] == invited for name, data in events),
                     what="a display snapshot with the raised cap and the newly invited")

    # -- the invited come in (door kiosk, staff token, counter admit); the phones follow -----
    kiosk_door = bearer(office.kiosk_tokens[1])
    for index, number in enumerate(invited):
        if number == watched[2]:
            entered = requests.post(f"{base}/api/counters/1/admit", json={"number": number},
                                    headers=officer1, timeout=WAIT)
        else:
            headers = kiosk_door if index % 2 == 0 or number in watched else officer2
            entered = requests.post(f"{base}/api/tickets/{token_of[number]}/enter", headers=headers, timeout=WAIT)
        assert entered.status_code == 200, (number, entered.text)
        assert (entered.json()["number"], entered.json()["status"]) == (number, "waiting"), entered.json()
    for number in watched:
        phone_reaches(number, "waiting", counter=None)
    tickets = db_tickets(office.instance)
    assert numbers(tickets, "invited") == []
    still_waiting = numbers(tickets, "waiting")
    same_order(still_waiting[:CAP - (VISITORS - CAP)] == waiting_order[VISITORS - CAP:],
               f"a visitor let in from outside is ahead in line of one who waited inside: {still_waiting}")

    # Counters call on in queue order until all three watched visitors have been called.
    for step, expected in enumerate(still_waiting[:still_waiting.index(watched[2]) + 1]):
        counter = 1 + step % COUNTERS
        called = requests.post(f"{base}/api/counters/{counter}/call-next", headers=officer_of[counter], timeout=WAIT)
        assert called.status_code == 200, called.text
        assert (called.json()["number"], called.json()["counter"]) == (expected, counter), called.json()
        if expected in phones:
            phone_reaches(expected, "called", counter=counter, ahead=0)

    for number, phone in phones.items():
        statuses = [data["status"] for data in phone.of("ticket")]
        collapsed = [status for index, status in enumerate(statuses) if index == 0 or statuses[index - 1] != status]
        # A visitor called earlier whom nobody started serving is absent at their counter's next
        # call-next: then `no_show` (they may still come back), never `done`.
        assert collapsed in (["outside", "invited", "waiting", "called"],
                             ["outside", "invited", "waiting", "called", "no_show"]), (number, statuses)
        final = requests.get(f"{base}/api/tickets/{token_of[number]}", timeout=WAIT).json()
        phone.wait_for(lambda events: [data for name, data in events if name == "ticket"][-1] == final,
                       what=f"{number}'s phone to show its final state {final}")

    # The whole day, replayed from the audit trail: never over the cap in force at the time.
    timeline = replay_inside(office.instance)
    assert max(inside for event_id, inside in timeline if event_id <= boundary) <= CAP
    assert max(inside for _, inside in timeline) <= RAISED_CAP
    pushed = [data["occupancy"] for name, data in display.events if name in ("snapshot", "queue")]
    assert all(occupancy["inside"] <= occupancy["max"] for occupancy in pushed), \
        [o for o in pushed if o["inside"] > o["max"]]
