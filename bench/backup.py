"""What a backup costs a serving kiosk: ticket latency while a copy of a large database is taken.

    .venv/bin/python -m bench.backup [--tickets 150000] [--rounds 3]

An office gets a year of history written straight into its database (`--tickets` finished
tickets with four `ticket_events` rows each: about 85 MB at 150,000), then `antrean serve`
starts and two kiosk threads issue tickets back to back over loopback. After a quiet baseline,
each round copies the database three ways, each from a process of its own, as an operator's
command or the daily job would: SQLite's online backup API (`store.backups.copy_database`),
`VACUUM INTO` (the same with `vacuum=True`), and the `antrean backup` command (the backup API
plus the command's start-up). Prints, per way, how long the copies took and the kiosks' ticket
latency (p50, p99, max) and throughput while they ran.
"""
from __future__ import annotations

import argparse
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from tests.helpers.live import PYTHON, REPO, build_office, issue, launch


def _history(database: Path, tickets: int) -> None:
    connection = sqlite3.connect(database)
    with connection:
        for index in range(tickets):
            day = f"2025-{1 + (index // 20000) % 12:02d}-{1 + (index // 700) % 28:02d}"
            row = connection.execute(
                "INSERT INTO tickets (business_date, service, lane, sequence, number, number_service, status, "
                "issued_at, arrived_at) VALUES (?, 'umum', 'general', ?, ?, 'umum', 'done', ?, ?)",
                (day, index + 1, f"A-{index + 1:03d}", f"{day}T01:00:00Z", f"{day}T01:00:00Z"))
            connection.executemany(
                "INSERT INTO ticket_events (ticket_id, from_status, to_status, service, at) VALUES (?, ?, ?, 'umum', ?)",
                [(row.lastrowid, before, after, f"{day}T01:00:00Z") for before, after in
                 ((None, "waiting"), ("waiting", "called"), ("called", "serving"), ("serving", "done"))])
    connection.close()


def _quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=150_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        office = build_office(root / "instance", kiosks=2)
        database = office.instance / "antrean.sqlite3"
        _history(database, options.tickets)
        print(f"database: {database.stat().st_size / 1e6:.0f} MB", flush=True)
        copier = "from shared.store.backups import copy_database as c; c({source!r}, {target!r}, vacuum={vacuum})"
        ways = {
            "backup API": [PYTHON, "-c", copier.format(source=str(database), target=str(root / "a.sqlite3"),
                                                       vacuum=False)],
            "VACUUM INTO": [PYTHON, "-c", copier.format(source=str(database), target=str(root / "v.sqlite3"),
                                                        vacuum=True)],
            "antrean backup": [PYTHON, "-m", "shared.cli", "--instance", str(office.instance), "backup",
                               str(root / "c.sqlite3")],
        }
        server = launch(office.instance)
        samples: list[tuple[float, float, int]] = []
        stop = threading.Event()

        def kiosk(token: str) -> None:
            session = requests.Session()
            while not stop.is_set():
                began = time.monotonic()
                status = issue(session, server.base_url, token, "umum").status_code
                samples.append((began, time.monotonic() - began, status))

        threads = [threading.Thread(target=kiosk, args=(token,)) for token in office.kiosk_tokens]
        for thread in threads:
            thread.start()
        windows: list[tuple[str, float, float]] = []
        try:
            began = time.monotonic()
            time.sleep(5)
            windows.append(("no copy (baseline)", began, time.monotonic()))
            for _ in range(options.rounds):
                for name, command in ways.items():
                    time.sleep(3)
                    began = time.monotonic()
                    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
                    windows.append((name, began, time.monotonic()))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=30)
            server.stop()
        for name in dict.fromkeys(name for name, _began, _ended in windows):
            spans = [(began, ended) for way, began, ended in windows if way == name]
            inside = [(latency * 1000, status) for began_at, latency, status in samples
                      if any(began <= began_at <= ended for began, ended in spans)]
            latencies = [latency for latency, _status in inside]
            seconds = sum(ended - began for began, ended in spans)
            print(f"{name:20} copies {', '.join(f'{ended - began:.1f}' for began, ended in spans)} s | "
                  f"tickets/s {len(latencies) / seconds:5.0f} | p50 {_quantile(latencies, .5):6.1f} "
                  f"p99 {_quantile(latencies, .99):7.1f} max {max(latencies):7.1f} ms | "
                  f"refused {sum(status != 201 for _latency, status in inside)}")


if __name__ == "__main__":
    main()
