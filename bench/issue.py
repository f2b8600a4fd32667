"""(b) Ticket issue: 4 kiosks (one thread and HTTP session each) issue tickets back to back.

Each kiosk posts `POST /api/tickets` for the six services in turn for `duration` seconds;
we time each request (latency) and count the 201s over the wall time (throughput). The
kiosk rate limit is lifted in the bench instance, so nothing is refused by design.

`python -m bench.issue --mode gevent [--kiosks 4 --duration 10]`
"""
from __future__ import annotations

import argparse
import json
import threading
import time

import requests

from . import server as bench_server
from .kiosks import REQUEST_TIMEOUT_S, SERVICES, kiosk_session
from .stats import summary_ms

MAX_REQUESTS_PER_KIOSK = 20000  # a bound on the loop besides the time


def run(mode: str, *, kiosks: int = 4, duration_s: float = 10.0, keep: bool = False, log=print) -> dict:
    with bench_server.start(mode, keep=keep) as srv:
        tokens = srv.instance.kiosk_tokens[:kiosks]
        latencies: list[list[float]] = [[] for _ in tokens]
        statuses: dict[str, int] = {}
        lock = threading.Lock()
        stop_at = [0.0]
        started_at = [0.0]

        def go() -> None:  # run by the barrier once everyone is there, before anyone is released
            started_at[0] = time.monotonic()
            stop_at[0] = started_at[0] + duration_s

        barrier = threading.Barrier(len(tokens) + 1, action=go)

        def kiosk(index: int, token: str) -> None:
            session = kiosk_session(token)
            url = f"{srv.base_url}/api/tickets"
            # One warm-up request per kiosk (opens the keep-alive connection), not counted.
            session.post(url, json={"service": SERVICES[0], "lane": "general"}, timeout=REQUEST_TIMEOUT_S)
            barrier.wait()
            for count in range(MAX_REQUESTS_PER_KIOSK):
                if time.monotonic() >= stop_at[0]:
                    break
                body = {"service": SERVICES[(index + count) % len(SERVICES)], "lane": "general"}
                t0 = time.perf_counter()
                try:
                    response = session.post(url, json=body, timeout=REQUEST_TIMEOUT_S)
                    status = str(response.status_code)
                except requests.RequestException as error:
                    status = type(error).__name__
                elapsed = time.perf_counter() - t0
                if status == "201":
                    latencies[index].append(elapsed)
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
            session.close()

        threads = [threading.Thread(target=kiosk, args=(index, token), daemon=True)
                   for index, token in enumerate(tokens)]
        for thread in threads:
            thread.start()
        cpu_before = srv.worker_cpu_seconds()
        barrier.wait(timeout=30)
        started = started_at[0]
        for thread in threads:
            thread.join(duration_s + REQUEST_TIMEOUT_S + 5)
        wall = time.monotonic() - started
        cpu_after = srv.worker_cpu_seconds()
        issued = statuses.get("201", 0)
        result = {
            "scenario": "issue", "mode": mode, "kiosks": len(tokens), "duration_s": wall,
            "issued": issued, "statuses": statuses,
            "tickets_per_s": issued / wall if wall else None,
            "latency_ms": summary_ms([value for per_kiosk in latencies for value in per_kiosk]),
            "server_cpu_per_ticket_ms": ((cpu_after - cpu_before) * 1000.0 / issued
                                         if issued and cpu_before is not None and cpu_after is not None else None),
        }
        log(f"  [{mode}] issued {issued} tickets in {wall:.1f} s")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--kiosks", type=int, default=4)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.mode, kiosks=args.kiosks, duration_s=args.duration, keep=args.keep), indent=2))


if __name__ == "__main__":
    main()
