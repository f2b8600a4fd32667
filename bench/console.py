"""(d) Officer console load: sign in through the page form, then time `GET /counter/1`.

The sign-in is what a browser does: `GET /counter/login`, take `csrf_token` from the hidden
input, `POST` the form (session cookie kept by the HTTP session). Before timing, the kiosks
issue `waiting` tickets for counter 1's service, so the console lists a realistic queue.
Each timed load is one full page (HTML only, not its CSS/JS, which are static files).

`python -m bench.console --mode gevent [--loads 200 --waiting 100]`
"""
from __future__ import annotations

import argparse
import json
import re
import time

import requests

from . import server as bench_server
from .kiosks import issue_many
from .stats import summary_ms

CSRF_INPUT = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
REQUEST_TIMEOUT_S = 10.0


def sign_in(session: requests.Session, base_url: str, username: str, password: str) -> None:
    page = session.get(f"{base_url}/counter/login", timeout=REQUEST_TIMEOUT_S)
    page.raise_for_status()
    match = CSRF_INPUT.search(page.text)
    if match is None:
        raise RuntimeError("no csrf_token input on the sign-in page")
    response = session.post(f"{base_url}/counter/login", timeout=REQUEST_TIMEOUT_S, allow_redirects=False,
                            data={"csrf_token": match.group(1), "username": username, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"form sign-in failed: {response.status_code}")


def run(mode: str, *, loads: int = 200, waiting: int = 100, keep: bool = False, log=print) -> dict:
    with bench_server.start(mode, keep=keep) as srv:
        if waiting:
            issue_many(srv.base_url, srv.instance.kiosk_tokens, [("perizinan_berusaha", "general")] * waiting)
        session = requests.Session()
        sign_in(session, srv.base_url, "bench-officer-1", srv.instance.officers["bench-officer-1"])
        url = f"{srv.base_url}/counter/1"
        first = session.get(url, timeout=REQUEST_TIMEOUT_S, allow_redirects=False)  # warm-up, not counted
        if first.status_code != 200 or "csrf_token" not in first.text:
            raise RuntimeError(f"console did not load after sign-in: {first.status_code}")
        latencies, sizes, statuses = [], [], {}
        for _ in range(loads):
            t0 = time.perf_counter()
            response = session.get(url, timeout=REQUEST_TIMEOUT_S, allow_redirects=False)
            elapsed = time.perf_counter() - t0
            statuses[str(response.status_code)] = statuses.get(str(response.status_code), 0) + 1
            if response.status_code == 200:
                latencies.append(elapsed)
                sizes.append(len(response.content))
        session.close()
        log(f"  [{mode}] {len(latencies)} console loads")
    return {
        "scenario": "console", "mode": mode, "loads": loads, "waiting": waiting, "statuses": statuses,
        "page_kb": (sum(sizes) / len(sizes) / 1024.0) if sizes else None,
        "latency_ms": summary_ms(latencies),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--loads", type=int, default=200)
    parser.add_argument("--waiting", type=int, default=100, help="tickets waiting for counter 1")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.mode, loads=args.loads, waiting=args.waiting, keep=args.keep), indent=2))


if __name__ == "__main__":
    main()
