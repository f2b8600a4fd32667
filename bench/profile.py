"""Where a request's time goes in the serving worker: py-spy samples it under a bench load.

    .venv/bin/python -m bench.profile --scenario issue    [--waiting 1000] [--seconds 10]
    .venv/bin/python -m bench.profile --scenario call_next
    .venv/bin/python -m bench.profile --scenario console
    .venv/bin/python -m bench.profile --scenario realtime [--displays 100 --phones 1900]
    .venv/bin/python -m bench.profile --scenario booking  [--visitors 20]

A fresh bench office (`bench.server`), `--waiting` tickets issued first (the queue an office
has at its busiest), then the scenario's load for `--seconds` (for `realtime`: the displays and phones of
bench.realtime connected, then one call every 100 ms) while `py-spy record` samples
the gunicorn worker (the process that runs every request and socket). The samples are folded
into two tables: the functions the worker was *in* (inclusive) and the ones it was *running*
(self), each as a share of the samples, Antrean's own code named by module. py-spy needs to
attach to another process (ptrace): it works as root or with
`kernel.yama.ptrace_scope = 0`. The profile is a distribution, so a busy machine changes its
scale, not its shape; the latency figures belong to `make bench`.
"""
from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from . import booking, realtime
from . import server as bench_server
from .console import sign_in
from .kiosks import REQUEST_TIMEOUT_S, SERVICES, issue_many, kiosk_session

SCENARIOS = ("issue", "call_next", "console", "realtime", "booking")
OWN_CODE = ("shared/", "kiosk/", "counter/", "display/", "booking/", "admin/")


def _load(srv, scenario: str, seconds: float) -> int:
    """Drive the scenario for `seconds`; how many requests were answered."""
    stop_at = time.monotonic() + seconds
    done = [0]
    lock = threading.Lock()

    def kiosk(index: int, token: str) -> None:
        session = kiosk_session(token)
        count = 0
        while time.monotonic() < stop_at:
            body = {"service": SERVICES[(index + count) % len(SERVICES)], "lane": "general"}
            session.post(f"{srv.base_url}/api/tickets", json=body, timeout=REQUEST_TIMEOUT_S)
            count += 1
        with lock:
            done[0] += count

    def officer(counter: int, username: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = (
            f"Bearer {bench_server.staff_token(srv.base_url, username, srv.instance.officers[username])}")
        count = 0
        while time.monotonic() < stop_at:
            session.post(f"{srv.base_url}/api/counters/{counter}/call-next", timeout=REQUEST_TIMEOUT_S)
            count += 1
        with lock:
            done[0] += count

    def console() -> None:
        session = requests.Session()
        sign_in(session, srv.base_url, "bench-officer-1", srv.instance.officers["bench-officer-1"])
        count = 0
        while time.monotonic() < stop_at:
            session.get(f"{srv.base_url}/counter/1", timeout=REQUEST_TIMEOUT_S)
            count += 1
        with lock:
            done[0] += count

    if scenario == "issue":
        targets = [(kiosk, (index, token)) for index, token in enumerate(srv.instance.kiosk_tokens[:4])]
    elif scenario == "call_next":
        targets = [(officer, (index, f"bench-officer-{index}")) for index in range(1, 5)]
    else:
        targets = [(console, ())]
    threads = [threading.Thread(target=target, args=args, daemon=True) for target, args in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 2 * REQUEST_TIMEOUT_S)
    return done[0]


def fold(raw: str) -> tuple[int, collections.Counter, collections.Counter]:
    """py-spy's collapsed stacks (`frame;frame;frame count`) → samples, inclusive and self counts."""
    total, inclusive, own = 0, collections.Counter(), collections.Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples = int(count)
        total += samples
        frames = [_name(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    return total, inclusive, own


def _name(frame: str) -> str:
    """`function (path/to/module.py:line)` → `function (module path)` without the line number,
    so every line of a function counts as the function."""
    function, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for root in OWN_CODE:
        if f"/{root}" in path or path.startswith(root):
            path = root + path.split(f"/{root}", 1)[-1] if f"/{root}" in path else path
            break
    else:
        path = path.rsplit("site-packages/", 1)[-1]
    return f"{function} ({path})"


def table(counter: collections.Counter, total: int, rows: int, only_own: bool = False) -> list[str]:
    lines = ["| share | function |", "|---|---|"]
    shown = 0
    for name, count in counter.most_common():
        if only_own and not name.split(" (", 1)[-1].startswith(OWN_CODE):
            continue
        lines.append(f"| {100.0 * count / total:.1f} % | `{name}` |")
        shown += 1
        if shown >= rows:
            break
    return lines


def _record(spy: str, pid: int, seconds: float, raw_file: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "250",
         "--format", "raw", "--output", str(raw_file), "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _realtime(spy: str, seconds: float, displays: int, phones: int, raw_file: Path) -> int:
    """Scenario (a) with py-spy on the worker while the calls go out; how many calls were made."""
    calls = max(1, int(seconds * 10))

    def while_calling(srv):
        recorder = _record(spy, srv.worker_pid(), seconds, raw_file)
        time.sleep(0.5)
        return lambda: recorder.communicate(timeout=seconds + 60)

    result = realtime.run("gevent", displays=displays, phones=phones, calls=calls, log=lambda *_: None,
                          while_calling=while_calling)
    return result.get("calls_200", 0)


def _booking(spy: str, seconds: float, visitors: int, raw_file: Path) -> int:
    """Scenario (f), bench.booking's visitors, with py-spy on the worker while they book; how many booked."""
    def while_booking(srv):
        recorder = _record(spy, srv.worker_pid(), seconds, raw_file)
        return lambda: recorder.communicate(timeout=seconds + 60)

    return booking.run("gevent", visitors=visitors, bursts=0, duration_s=seconds + 1, log=lambda *_: None,
                       while_booking=while_booking)["saturated"]["booked"]


def run(scenario: str, *, waiting: int, seconds: float, rows: int, out: Path | None,
        displays: int = 100, phones: int = 1900, visitors: int = 20) -> str:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if scenario == "booking":
        raw_file = Path(tempfile.mkstemp(suffix=".txt", prefix="antrean-profile-")[1])
        booked = _booking(spy, seconds, visitors, raw_file)
        raw = raw_file.read_text()
        raw_file.unlink(missing_ok=True)
        if out:
            out.write_text(raw)
        return _report(scenario, raw, booked, seconds, 0, rows)
    if scenario == "realtime":
        raw_file = Path(tempfile.mkstemp(suffix=".txt", prefix="antrean-profile-")[1])
        answered = _realtime(spy, seconds, displays, phones, raw_file)
        raw = raw_file.read_text()
        raw_file.unlink(missing_ok=True)
        if out:
            out.write_text(raw)
        waiting = phones
        return _report(scenario, raw, answered, seconds, waiting, rows)
    with bench_server.start("gevent") as srv:
        if waiting:
            plan = [(SERVICES[index % len(SERVICES)], "general") for index in range(waiting)]
            issue_many(srv.base_url, srv.instance.kiosk_tokens, plan, deadline_s=600)
        raw_file = Path(tempfile.mkstemp(suffix=".txt", prefix="antrean-profile-")[1])
        recorder = _record(spy, srv.worker_pid(), seconds, raw_file)
        time.sleep(0.5)   # attached before the load starts
        answered = _load(srv, scenario, seconds)
        _, errors = recorder.communicate(timeout=seconds + 60)
        raw = raw_file.read_text() if raw_file.exists() else ""
        raw_file.unlink(missing_ok=True)
        if not raw:
            raise RuntimeError(f"py-spy recorded nothing: {errors.strip()[-500:]}")
        if out:
            out.write_text(raw)
    return _report(scenario, raw, answered, seconds, waiting, rows)


def _report(scenario: str, raw: str, answered: int, seconds: float, waiting: int, rows: int) -> str:
    total, inclusive, own = fold(raw)
    report = [f"### {scenario}: {answered} requests in {seconds:.0f} s with {waiting} tickets issued first; "
              f"{total} samples of the worker", "",
              "Inclusive (Antrean's code the worker was in):", "", *table(inclusive, total, rows, only_own=True), "",
              "Self (what it was running):", "", *table(own, total, rows)]
    return "\n".join(report)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", choices=SCENARIOS, default="issue")
    parser.add_argument("--waiting", type=int, default=1000, help="tickets issued before the load")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rows", type=int, default=15)
    parser.add_argument("--displays", type=int, default=100, help="realtime: displays connected")
    parser.add_argument("--phones", type=int, default=1900, help="realtime: phones connected, one per ticket")
    parser.add_argument("--visitors", type=int, default=20, help="booking: visitors booking at once")
    parser.add_argument("--raw", type=Path, default=None, help="also keep py-spy's collapsed stacks here")
    args = parser.parse_args(argv)
    print(run(args.scenario, waiting=args.waiting, seconds=args.seconds, rows=args.rows, out=args.raw,
              displays=args.displays, phones=args.phones, visitors=args.visitors))


if __name__ == "__main__":
    main()
