"""(f) Booking: 20 visitors book at once, as the booking page does.

Each visitor is one thread with its own HTTP session. A booking is what a phone does: list
the day's slots (`GET /api/slots`), take the earliest with a place left, book it (`POST
/api/bookings`) with a contact of its own. Two phases, like (c), each request timed:

- bursts (the figure held against the target): the 20 visitors book at the same instant (a
  barrier), wait ~200 ms, and again, `bursts` times — twenty bookings arriving together,
  more than an office's booking page sees, without a queue building up between bursts;
- back to back: each visitor books again as soon as the answer arrives, for `duration`
  seconds (closed loop, the server saturated): throughput, and latency under that overload.

Visitors of the same service race for the same earliest slot, so slots fill up under load and
some answers are `409 slot_full` (the visitor lists again and takes the next one, as the page
shows the step again); every tenth booking repeats the visitor's previous contact, service and
day, which the one-booking rule must refuse (`409 already_booked`, or `409 slot_full` when that
slot filled up meanwhile). Each request carries its own phone's address in `X-Forwarded-For`
(the server runs `--behind-proxy`, as behind nginx), so the per-address
limit on public bookings (30 an hour) counts phones, as in an office, not the bench.

The office is the bench office (`bench.server`) with a booking window of 30 days and slots of
`SLOT_CAPACITY` visitors, so thousands of bookings fit. After the load the database is checked:
no slot holds more bookings than its places (and `slot_places` counts them exactly), every
booking answered `201` exists, and no contact holds two active bookings for a service and day.

`python -m bench.booking --mode gevent [--visitors 20 --duration 10]`
"""
from __future__ import annotations

import argparse
import json
import os
import re
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from tests.helpers.live import read_only_db

from . import server as bench_server
from .kiosks import REQUEST_TIMEOUT_S, SERVICES
from .stats import summary_ms

WINDOW_DAYS = 30
SLOT_CAPACITY = 40          # a slot's visitors in all; half of them may book ahead (bookable_share)
REPEAT_EVERY = 10           # every tenth booking repeats the previous contact: must be refused
MAX_BOOKINGS_PER_VISITOR = 20000  # a bound on the loop besides the time
ZONE = ZoneInfo("Asia/Jakarta")   # the demo office's zone


def widen_booking(instance: Path) -> None:
    """Room for thousands of bookings: a 30-day window and larger slots (the demo's are 6 visitors)."""
    config = instance / "office.toml"
    text = config.read_text()
    for key, value in (("window_days", WINDOW_DAYS), ("slot_capacity", SLOT_CAPACITY)):
        text, count = re.subn(rf"(?m)^{key}\s*=\s*\d+", f"{key} = {value}", text)
        if count != 1:
            raise RuntimeError(f"office.toml has no [booking] {key} line to rewrite")
    config.write_text(text)


def contact(visitor: int, count: int) -> str:
    """A contact per booking: a mobile number for even visitors, an e-mail address for odd ones."""
    if visitor % 2 == 0:   # 0812 and eight digits, whatever the counts (unique below 100 visitors)
        return f"0812{(visitor * 1_000_000 + count) % 100_000_000:08d}"
    return f"visitor{visitor}.{count}@example.org"


class Visitor:
    """One phone booking back to back: its timings, answers and the bookings it was given."""

    def __init__(self, index: int, base_url: str):
        self.index = index
        self.base_url = base_url
        self.service = SERVICES[index % len(SERVICES)]
        self.day = datetime.now(ZONE).date() + timedelta(days=1)
        self.session = requests.Session()
        self.booking_s: list[float] = []     # POST /api/bookings answered 201
        self.listing_s: list[float] = []     # GET /api/slots answered 200
        self.statuses: dict[str, int] = {}   # every booking POST's answer: status or error code
        self.codes: list[str] = []           # the 201s' booking codes
        self.repeats: dict[str, int] = {}    # the repeated bookings' answers
        self.phone = 0                       # each request comes from a phone of its own
        self.steps = 0
        self.last: tuple[str, str] | None = None   # (start, contact) of the previous booking

    def _headers(self) -> dict:
        self.phone += 1
        return {"X-Forwarded-For": f"10.{self.index}.{self.phone // 250 % 250}.{self.phone % 250 + 1}"}

    def open_slot(self) -> str | None:
        """The earliest slot with a place left on the visitor's day (the next day once it is full)."""
        for _ in range(WINDOW_DAYS):
            t0 = time.perf_counter()
            response = self.session.get(f"{self.base_url}/api/slots",
                                        params={"service": self.service, "date": self.day.isoformat()},
                                        headers=self._headers(), timeout=REQUEST_TIMEOUT_S)
            if response.status_code != 200:
                self._count(f"slots {response.status_code}")
                return None
            self.listing_s.append(time.perf_counter() - t0)
            start = next((slot["start"] for slot in response.json() if slot["remaining"] > 0), None)
            if start is not None:
                return start
            self.day += timedelta(days=1)
        return None

    def book(self, start: str, who: str) -> tuple[str, float]:
        body = {"service": self.service, "date": self.day.isoformat(), "start": start, "lane": "general",
                "contact": who}
        t0 = time.perf_counter()
        try:
            response = self.session.post(f"{self.base_url}/api/bookings", json=body, headers=self._headers(),
                                         timeout=REQUEST_TIMEOUT_S)
        except requests.RequestException as error:
            return type(error).__name__, time.perf_counter() - t0
        elapsed = time.perf_counter() - t0
        if response.status_code == 201:
            self.codes.append(response.json()["code"])
            return "201", elapsed
        try:
            return f"{response.status_code} {response.json()['error']['code']}", elapsed
        except (ValueError, KeyError, TypeError):
            return str(response.status_code), elapsed

    def _count(self, status: str) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def step(self) -> None:
        """One booking as the page makes it (or, every tenth time, the previous one repeated)."""
        count = self.steps
        self.steps += 1
        if self.last is not None and count % REPEAT_EVERY == 0:
            status, _ = self.book(*self.last)   # the same contact, service and day again
            self.repeats[status] = self.repeats.get(status, 0) + 1
            self.last = None
            return
        start = self.open_slot()
        if start is None:
            return
        who = contact(self.index, count)
        status, elapsed = self.book(start, who)
        self._count(status)
        if status == "201":
            self.booking_s.append(elapsed)
            self.last = (start, who)

    def take_figures(self) -> tuple[list[float], list[float], dict[str, int]]:
        """The timings and answers since the last call (one phase's), and a clean slate."""
        figures = (self.booking_s, self.listing_s, self.statuses)
        self.booking_s, self.listing_s, self.statuses = [], [], {}
        return figures

    def warm_up(self) -> None:
        """One listing (opens the keep-alive connection), not counted."""
        self.session.get(f"{self.base_url}/api/slots", params={"service": self.service, "date": self.day.isoformat()},
                         headers=self._headers(), timeout=REQUEST_TIMEOUT_S)


def check_database(instance: Path, codes: list[str], places: int) -> dict:
    """What the database holds after the load, against what the visitors were told."""
    db = read_only_db(instance)
    try:
        active = "status IN ('booked', 'checked_in')"
        per_slot = db.execute(
            f"SELECT b.service, b.business_date, b.start, COUNT(*), p.taken FROM bookings b "
            f"LEFT JOIN slot_places p USING (service, business_date, start) WHERE {active} "
            "GROUP BY b.service, b.business_date, b.start").fetchall()
        doubles = db.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM bookings WHERE contact_key IS NOT NULL AND {active} "
            "GROUP BY contact_key, service, business_date HAVING COUNT(*) > 1)").fetchone()[0]
        stored = {row[0] for row in db.execute("SELECT code FROM bookings")}
        total = db.execute("SELECT COUNT(*) FROM bookings").fetchone()[0]
    finally:
        db.close()
    return {
        "slots_over_capacity": sum(1 for *_slot, count, _taken in per_slot if count > places),
        "slots_miscounted": sum(1 for *_slot, count, taken in per_slot if taken != count),
        "acknowledged_missing": sum(1 for code in codes if code not in stored),
        "contacts_doubled": doubles,
        "bookings_in_db": total,
        "slots_used": len(per_slot),
    }


def _added(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for each in counts:
        for key, count in each.items():
            total[key] = total.get(key, 0) + count
    return total


def _own_cpu_seconds() -> float:
    """This process's CPU (the visitors' threads): on a 2-core machine the clients compete with the server."""
    times = os.times()
    return times.user + times.system


def _phase(crowd: list[Visitor], rounds: int, *, pause_s: float | None, duration_s: float) -> dict:
    """Every visitor books `rounds` times in lock-step bursts (all at once, then a pause) when
    `pause_s` is set, else back to back for `duration_s` (closed loop, the server saturated)."""
    parties = len(crowd)
    started = threading.Barrier(parties + 1)
    each_round = threading.Barrier(parties)
    stop_at = [0.0]

    def visit(visitor: Visitor) -> None:
        started.wait()
        for _ in range(rounds if pause_s is not None else MAX_BOOKINGS_PER_VISITOR):
            if pause_s is not None:
                try:
                    each_round.wait(timeout=REQUEST_TIMEOUT_S * 3)
                except threading.BrokenBarrierError:
                    return
            elif time.monotonic() >= stop_at[0]:
                return
            visitor.step()
            if pause_s is not None:
                time.sleep(pause_s)

    threads = [threading.Thread(target=visit, args=(visitor,), daemon=True) for visitor in crowd]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + duration_s
    started.wait(timeout=30)
    bound = rounds * (pause_s + REQUEST_TIMEOUT_S) if pause_s is not None else duration_s + REQUEST_TIMEOUT_S
    for thread in threads:
        thread.join(max(1.0, began + bound - time.monotonic()))
    each_round.abort()
    wall = time.monotonic() - began
    booking_s, listing_s, statuses = [], [], {}
    for visitor in crowd:
        booked, listed, answers = visitor.take_figures()
        booking_s += booked
        listing_s += listed
        statuses = _added([statuses, answers])
    return {"booked": len(booking_s), "statuses": statuses, "wall_s": wall,
            "bookings_per_s": len(booking_s) / wall if wall else None,
            "latency_ms": summary_ms(booking_s), "slots_latency_ms": summary_ms(listing_s)}


def run(mode: str, *, visitors: int = 20, bursts: int = 50, burst_pause_s: float = 0.2, duration_s: float = 10.0,
        keep: bool = False, log=print, while_booking=None) -> dict:
    """Bursts of `visitors` bookings at once, then `duration_s` of them booking back to back,
    on a fresh server; `while_booking(srv)` (profiling) is called as the back-to-back phase starts."""
    with bench_server.start(mode, keep=keep, extra_env={"ANTREAN_BEHIND_PROXY": "1"},
                            edit_office=widen_booking) as srv:
        crowd = [Visitor(index, srv.base_url) for index in range(visitors)]
        for visitor in crowd:
            visitor.warm_up()
        log(f"  [{mode}] {visitors} visitors: {bursts} bursts at once, then {duration_s:.0f} s back to back…")
        cpu_before, clients_before = srv.worker_cpu_seconds(), _own_cpu_seconds()
        burst = _phase(crowd, bursts, pause_s=burst_pause_s, duration_s=0.0)
        cpu_between, clients_between = srv.worker_cpu_seconds(), _own_cpu_seconds()
        finish = while_booking(srv) if while_booking else None
        saturated = _phase(crowd, 0, pause_s=None, duration_s=duration_s)
        cpu_after, clients_after = srv.worker_cpu_seconds(), _own_cpu_seconds()
        if finish:
            finish()
        for visitor in crowd:
            visitor.session.close()
        for phase, cpu, clients in ((burst, cpu_between - cpu_before, clients_between - clients_before),
                                    (saturated, cpu_after - cpu_between, clients_after - clients_between)):
            phase["server_cpu_per_booking_ms"] = cpu * 1000.0 / phase["booked"] if phase["booked"] else None
            phase["clients_cpu_per_booking_ms"] = clients * 1000.0 / phase["booked"] if phase["booked"] else None
        repeats = _added(visitor.repeats for visitor in crowd)
        codes = [code for visitor in crowd for code in visitor.codes]
        check = check_database(srv.instance.path, codes, SLOT_CAPACITY // 2)   # the demo's bookable_share = 0.5
        check["ok"] = (check["slots_over_capacity"] == check["slots_miscounted"] == 0
                       and check["acknowledged_missing"] == check["contacts_doubled"] == 0
                       and "201" not in repeats)
        result = {"scenario": "booking", "mode": mode, "visitors": visitors, "burst": burst, "saturated": saturated,
                  "repeats": repeats, "check": check}
        log(f"  [{mode}] bursts p99 {burst['latency_ms']['p99'] or 0:.1f} ms; back to back "
            f"{saturated['bookings_per_s'] or 0:.0f} bookings/s; database check "
            f"{'ok' if check['ok'] else 'FAILED: ' + json.dumps(check)}")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--bursts", type=int, default=50, help="bursts of every visitor booking at once")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between bursts")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of booking back to back")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.mode, visitors=args.visitors, bursts=args.bursts, burst_pause_s=args.pause,
                         duration_s=args.duration, keep=args.keep), indent=2))


if __name__ == "__main__":
    main()
