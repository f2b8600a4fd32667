"""(c) call-next by 4 officers at once on counters 1–4.

Counters 1 and 2 share `perizinan_berusaha` (2 also serves `non_perizinan`), 3 serves
`izin_kesehatan`, 4 `kartu_kuning`. Before the run the kiosks issue enough tickets of those
services that no counter runs dry (a few thousand for the full run), so every timed call
completes the counter's previous ticket and calls a new one — the full write. Each
officer signs in through `POST /api/login`. Two phases, each request timed:

- bursts (the figure held against the target): the 4 officers press at the same instant
  (a barrier), wait ~100 ms, and again, `calls` times — four simultaneous presses, the
  worst a real office sees, without a queue building up between bursts;
- back to back: each officer presses again as soon as the answer arrives, `calls` times
  (closed loop, the server saturated): throughput, and latency under that overload;
- the bursts again with a lean client (`_raw_bursts`): one thread, raw HTTP on kept-alive
  sockets, so the bench client's own work stays out of the server's figure.

The server's worker and the bench client run on cores of their own (`_apart`), as in an
office, where the officers' browsers are on their own machines. Sharing the two cores, the
kernel woke the client on the core the worker was busy on: timed on one clock, the worker
had written an answer 1–2 ms before the client could read it (docs/PERFORMANCE.md). The lean
bursts are run once more with both free to share the cores (`burst_raw_shared`), for comparison,
and once more 5 ms apart instead of ~100 (`burst_raw_warm`): after ~100 ms idle this machine runs
the worker's whole burst ~1.5 times slower than with its caches still warm (docs/PERFORMANCE.md,
"a cold CPU"), and officers' presses come seconds or minutes apart, so the figure held against
the target keeps the pause.

`python -m bench.call_next --mode gevent [--calls 400] [--shared-cores]`
"""
from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
import threading
import time

import requests

from . import server as bench_server
from .kiosks import issue_many
from .stats import summary_ms

COUNTERS = (1, 2, 3, 4)
REQUEST_TIMEOUT_S = 10.0
WARM_PAUSE_S = 0.005   # the pause of the warm bursts, for comparison (the worker's caches still hold it)
MARGIN = 1.25
RUN_BOUND_S = 300.0  # a bound on each phase whatever the server does


def ticket_plan(calls: int) -> list[tuple[str, str]]:
    """Interleaved tickets so that counters 1–4 each have `calls` to call, and more."""
    per_counter = int(calls * MARGIN) + 5
    wanted = {
        "perizinan_berusaha": 2 * per_counter,  # counters 1 and 2
        "non_perizinan": per_counter // 2,      # counter 2's second service
        "izin_kesehatan": per_counter,          # counter 3
        "kartu_kuning": per_counter,            # counter 4
    }
    plan, remaining = [], dict(wanted)
    while any(remaining.values()):
        for service in wanted:
            if remaining[service]:
                plan.append((service, "general"))
                remaining[service] -= 1
    return plan


def _officer_sessions(srv) -> list[requests.Session]:
    sessions = []
    for index, _counter in enumerate(COUNTERS, start=1):
        username = f"bench-officer-{index}"
        session = requests.Session()
        session.headers["Authorization"] = (
            f"Bearer {bench_server.staff_token(srv.base_url, username, srv.instance.officers[username])}")
        sessions.append(session)
    return sessions


def _press(session: requests.Session, url: str) -> tuple[str, float]:
    t0 = time.perf_counter()
    try:
        status = str(session.post(url, timeout=REQUEST_TIMEOUT_S).status_code)
    except requests.RequestException as error:
        status = type(error).__name__
    return status, time.perf_counter() - t0


def _run_officers(srv, sessions, rounds: int, *, burst_pause_s: float | None) -> dict:
    """Each officer presses `rounds` times: in lock-step bursts (all 4 at once, then a pause)
    when `burst_pause_s` is set, else back to back (closed loop, the server saturated)."""
    latencies: list[list[float]] = [[] for _ in COUNTERS]
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    parties = len(COUNTERS)
    start_barrier = threading.Barrier(parties + 1)
    round_barrier = threading.Barrier(parties)
    stop_at = [time.monotonic() + RUN_BOUND_S]

    def officer(slot: int, counter: int) -> None:
        url = f"{srv.base_url}/api/counters/{counter}/call-next"
        start_barrier.wait()
        for _ in range(rounds):
            if time.monotonic() > stop_at[0]:
                break
            if burst_pause_s is not None:
                try:
                    round_barrier.wait(timeout=REQUEST_TIMEOUT_S + 5)
                except threading.BrokenBarrierError:
                    break
            status, elapsed = _press(sessions[slot], url)
            if status == "200":
                latencies[slot].append(elapsed)
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            if burst_pause_s is not None:
                time.sleep(burst_pause_s)

    threads = [threading.Thread(target=officer, args=(slot, counter), daemon=True)
               for slot, counter in enumerate(COUNTERS)]
    for thread in threads:
        thread.start()
    cpu_before = srv.worker_cpu_seconds()
    start_barrier.wait(timeout=30)
    started = time.monotonic()
    stop_at[0] = started + RUN_BOUND_S
    for thread in threads:
        thread.join(RUN_BOUND_S + REQUEST_TIMEOUT_S + 10)
    round_barrier.abort()
    wall = time.monotonic() - started
    cpu_after = srv.worker_cpu_seconds()
    done = statuses.get("200", 0)
    return {
        "statuses": statuses, "duration_s": wall, "calls_per_s": done / wall if wall else None,
        "latency_ms": summary_ms([value for per_officer in latencies for value in per_officer]),
        "per_counter_p99_ms": {str(counter): summary_ms(latencies[slot])["p99"]
                               for slot, counter in enumerate(COUNTERS)},
        "server_cpu_per_call_ms": ((cpu_after - cpu_before) * 1000.0 / done
                                   if done and cpu_before is not None and cpu_after is not None else None),
    }


def _raw_bursts(srv, sessions, rounds: int, pause_s: float) -> dict:
    """The bursts again, timed without the HTTP library: one thread sends the four presses on
    kept-alive sockets within microseconds of each other and waits for the four answers.

    With `requests` in four threads of one process, the client's own work (building,
    sending and parsing, one thread at a time under the GIL) lands in the fourth officer's
    latency; this shows what the server itself takes, as four browsers on four machines would.
    """
    host, port = srv.base_url.split("//", 1)[1].split(":")
    sockets = []
    for session in sessions:
        sock = socket.create_connection((host, int(port)), timeout=REQUEST_TIMEOUT_S)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sockets.append(sock)
    requests_bytes = [
        (f"POST /api/counters/{counter}/call-next HTTP/1.1\r\nHost: {host}:{port}\r\n"
         f"Authorization: {session.headers['Authorization']}\r\nContent-Length: 0\r\n\r\n").encode()
        for session, counter in zip(sessions, COUNTERS)]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    selector = selectors.DefaultSelector()
    try:
        for _ in range(rounds):
            buffers = {sock: b"" for sock in sockets}
            started = time.perf_counter()
            for sock, request in zip(sockets, requests_bytes):
                sock.sendall(request)
            for sock in sockets:
                selector.register(sock, selectors.EVENT_READ)
            pending = set(sockets)
            deadline = started + REQUEST_TIMEOUT_S
            while pending and time.perf_counter() < deadline:
                for key, _events in selector.select(timeout=REQUEST_TIMEOUT_S):
                    sock = key.fileobj
                    buffers[sock] += sock.recv(65536)
                    status = _complete(buffers[sock])
                    if status is not None:
                        elapsed = time.perf_counter() - started
                        selector.unregister(sock)
                        pending.discard(sock)
                        statuses[status] = statuses.get(status, 0) + 1
                        if status == "200":
                            latencies.append(elapsed)
            for sock in pending:
                selector.unregister(sock)
                statuses["timeout"] = statuses.get("timeout", 0) + 1
            if pending:
                break
            time.sleep(pause_s)
    finally:
        selector.close()
        for sock in sockets:
            sock.close()
    return {"statuses": statuses, "latency_ms": summary_ms(latencies)}


def _complete(buffer: bytes) -> str | None:
    """The status code once a whole HTTP response (headers and Content-Length body) is in."""
    head, separator, body = buffer.partition(b"\r\n\r\n")
    if not separator:
        return None
    lines = head.split(b"\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if len(body) < length:
        return None
    return lines[0].split()[1].decode()


def _apart(srv) -> dict | None:
    """The worker on the first core it may use, this process (and the threads it starts) on the
    others; None (nothing changed) with a single core or no worker found."""
    cpus = sorted(os.sched_getaffinity(0))
    worker = srv.worker_pid()
    if len(cpus) < 2 or worker is None:
        return None
    server, client = {cpus[0]}, set(cpus[1:])
    _pin_process(worker, server)
    os.sched_setaffinity(0, client)
    return {"worker": sorted(server), "client": sorted(client), "all": cpus}


def _pin_process(pid: int, cpus: set[int]) -> None:
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            os.sched_setaffinity(int(task), cpus)
        except ProcessLookupError:
            pass   # a thread that has just ended


def run(mode: str, *, calls: int = 200, burst_pause_s: float = 0.1, keep: bool = False, apart: bool = True,
        log=print) -> dict:
    """`calls` lock-step bursts of 4 presses, then `calls` back-to-back presses per officer."""
    with bench_server.start(mode, keep=keep) as srv:
        plan = ticket_plan((5 if apart else 4) * calls)   # the warm and shared-cores bursts call `calls` more each
        issue_many(srv.base_url, srv.instance.kiosk_tokens, plan, deadline_s=300)
        log(f"  [{mode}] pre-issued {len(plan)} tickets; 4 officers × {calls} bursts, then × {calls} back to back…")
        sessions = _officer_sessions(srv)
        cores = _apart(srv) if apart else None
        try:
            burst = _run_officers(srv, sessions, calls, burst_pause_s=burst_pause_s)
            saturated = _run_officers(srv, sessions, calls, burst_pause_s=None)
            burst_raw = _raw_bursts(srv, sessions, calls, burst_pause_s)
            burst_raw_warm = _raw_bursts(srv, sessions, calls, WARM_PAUSE_S)
            burst_raw_shared = None
            if cores is not None:
                _pin_process(srv.worker_pid(), set(cores["all"]))
                os.sched_setaffinity(0, set(cores["all"]))
                burst_raw_shared = _raw_bursts(srv, sessions, calls, burst_pause_s)
        finally:
            if cores is not None:
                os.sched_setaffinity(0, set(cores["all"]))
            for session in sessions:
                session.close()
        shared = (f"; sharing the cores {burst_raw_shared['latency_ms']['p99'] or float('nan'):.1f} ms"
                  if burst_raw_shared else "")
        log(f"  [{mode}] bursts p99 {burst['latency_ms']['p99']:.1f} ms "
            f"(lean client {burst_raw['latency_ms']['p99'] or float('nan'):.1f} ms{shared}; "
            f"5 ms apart {burst_raw_warm['latency_ms']['p99'] or float('nan'):.1f} ms); "
            f"back to back {saturated['calls_per_s']:.0f} calls/s")
    return {"scenario": "call_next", "mode": mode, "officers": len(COUNTERS), "calls_per_officer": calls,
            "pre_issued": len(plan), "cores": cores, "burst": burst, "saturated": saturated,
            "burst_raw": burst_raw, "burst_raw_warm": burst_raw_warm, "burst_raw_shared": burst_raw_shared}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--calls", type=int, default=200, help="bursts, and back-to-back presses, per officer")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between bursts")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--shared-cores", action="store_true",
                        help="leave the worker and the client free to share the cores throughout")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.mode, calls=args.calls, burst_pause_s=args.pause, keep=args.keep,
                         apart=not args.shared_cores), indent=2))


if __name__ == "__main__":
    main()
