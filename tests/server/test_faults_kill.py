"""Kill -9 in the middle of a burst, again and again: nothing a client was told is lost.

Each cycle: three kiosks issue tickets, a visitor books slots and checks in, two officers call
next; once the burst is under way the gunicorn master and its gevent worker are both killed
with SIGKILL; the server is started again on the same port and instance; the requests left
unanswered are sent again with their `Idempotency-Key`. Then the database must hold every
ticket, booking, check-in and call whose answer reached a client; no ticket is called twice
from the line; numbers run 1..n per service and day; `antrean audit verify` passes; and a
display reconnecting with its last `seq` and a phone watching a ticket agree with the database.

`ANTREAN_FAULT_CYCLES` sets the number of cycles (5 in `make test`, 20 for the full proof:
see docs/PERFORMANCE.md).
"""
from __future__ import annotations

import os
import re
import time

import pytest
import requests

from tests.helpers.crashes import Burst, Ledger, check_database, retry_pending, standing_calls, waiting_counts
from tests.helpers.live import (OFFICER_PASSWORD, WAIT, add_officer, bearer, cli, demo_instance, free_port,
                                login, read_only_db)

pytestmark = pytest.mark.server

CYCLES = int(os.environ.get("ANTREAN_FAULT_CYCLES", "5"))
SUCCESSES_BEFORE_KILL = 12  # answers the clients got in a cycle before the kill


def tune_demo_office(instance) -> None:
    """Let the burst run: no per-kiosk limit or cap on the room in the way, bookings close
    enough to check in (the demo's slots hold 3 booked places each)."""
    path = instance / "office.toml"
    text = path.read_text(encoding="utf-8")
    for key, value in (("rate_limit", '"100000 per minute"'), ("cutoff_min", "0"),
                       ("checkin_early_min", "240"), ("slot_capacity", "40"), ("max_inside", "5000")):
        text, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text, count=1)
        assert count == 1, key
    path.write_text(text, encoding="utf-8")


def last_seq(events) -> int:
    return max(data["seq"] for name, data in events if isinstance(data, dict) and "seq" in data)


def test_kill_9_during_bursts_loses_nothing_a_client_was_told(tmp_path, servers, recorders):
    instance = demo_instance(tmp_path / "instance")
    tune_demo_office(instance)
    add_officer(instance, "petugas2", OFFICER_PASSWORD)
    port = free_port()
    server = servers(instance, port=port)
    kiosk_token = server.logins.kiosk_token
    # Staff tokens outlive a restart (the secret key is kept in the instance folder).
    officers = {1: bearer(login(server.base_url, "petugas", server.logins.passwords["petugas"])),
                2: bearer(login(server.base_url, "petugas2", OFFICER_PASSWORD))}
    ledger = Ledger()
    seen_seq: int | None = None
    for cycle in range(CYCLES):
        display = recorders("/display", ("snapshot", "called", "queue"))
        display.connect(server.base_url, **({"auth": {"since": seen_seq}} if seen_seq else {}))
        display.wait_for(lambda events: any(name == "snapshot" for name, _ in events), what="snapshot")
        before = ledger.successes()
        burst = Burst(server.base_url, kiosk_token, officers, ledger).start()
        deadline = time.monotonic() + 4 * WAIT
        while ledger.successes() < before + SUCCESSES_BEFORE_KILL and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ledger.successes() >= before + SUCCESSES_BEFORE_KILL, f"cycle {cycle}: the burst got nowhere"
        server.kill_hard()
        burst.join()
        seen_seq = last_seq(display.events)
        display.close()

        server = servers(instance, port=port)
        retry_pending(server.base_url, kiosk_token, ledger)
        with read_only_db(instance) as db:
            check_database(db, ledger)
        cli(instance, "audit", "verify")
        assert_screens_converge(server, recorders, seen_seq, ledger)
    assert len(ledger.calls) >= CYCLES and ledger.bookings, "the burst must have called and booked"


def assert_screens_converge(server, recorders, since: int, ledger: Ledger) -> None:
    """A display back with its last `seq` and a phone watching a ticket show the database's state."""
    display = recorders("/display", ("snapshot", "called"))
    display.connect(server.base_url, auth={"since": since})
    [snapshot] = display.wait_for(lambda events: [data for name, data in events if name == "snapshot"],
                                  what="the snapshot after the restart")
    with read_only_db(server.instance) as db:
        standing = standing_calls(db)
        waiting = waiting_counts(db)
        made = set(db.execute("SELECT e.counter, t.number FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id "
                              "WHERE e.to_status = 'called'"))
        [number, token] = next(reversed(ledger.tickets.items()))
        status, counter = db.execute("SELECT status, counter FROM tickets WHERE number = ? "
                                     "ORDER BY id DESC LIMIT 1", (number,)).fetchone()
    assert {str(call["counter"]): call["number"] for call in snapshot["calls"]} == standing
    shown = {service: {lane: n for lane, n in lanes.items() if n} for service, lanes in snapshot["waiting"].items()}
    assert {service: lanes for service, lanes in shown.items() if lanes} == dict(waiting)
    assert snapshot["seq"] >= since
    # Calls the display missed: replayed, or sent live by the relay resuming after the restart
    # (whichever came first); each is news to it, and each happened.
    for call in display.of("called"):
        assert call["seq"] > since and (call["counter"], call["number"]) in made, call

    phone = recorders("/ticket", ("ticket", "error")).connect(server.base_url)
    phone.client.emit("watch", {"token": token}, namespace="/ticket")
    [view] = phone.wait_for(lambda events: [data for name, data in events if name in ("ticket", "error")][:1],
                            what="the watched ticket")
    assert (view["number"], view["status"], view["counter"]) == (number, status, counter), view
    answer = requests.get(server.url(f"/api/tickets/{token}"), timeout=WAIT).json()
    assert (answer["status"], answer["counter"]) == (status, counter)
