"""How fast the reports answer for a busy month: ~500 tickets a weekday, about 15,000 in all.

    .venv/bin/python -m bench.reports [--scale 11] [--repeat 5]

A fresh demo office gets a month of history (`shared.services.history.demo_month`, scaled up),
then the summary, the CSV, the PDF and the page are each asked for that month through the
Flask test client (no network: what is measured is the read, the figures and the rendering).
Prints the median and the slowest of the repeats in milliseconds.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from shared.instance import ensure_instance
from shared.services import history
from shared.web import create_app
from tests.helpers.live import read_demo_logins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=11.0, help="visitors × about 60 a weekday (11: ~15,000 a month)")
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder) / "instance"
        ensure_instance(instance)
        app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance)
        office = app.extensions["antrean.office"]
        last = date.fromisoformat(office.today()) - timedelta(days=1)
        db = office.store.connect()
        started = time.perf_counter()
        users = [user["id"] for user in db.accounts.list_users()]
        written = history.record(office, db, history.demo_month(office, last, 30, users, scale=options.scale))
        db.close()
        print(f"{written} tickets over 30 days written in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        logins = read_demo_logins(instance)
        token = client.post("/api/login", json={"username": "supervisor", "password": logins.passwords["supervisor"]})
        headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
        query = f"from={last - timedelta(days=29)}&to={last}"
        for name, path in (("summary", "/api/reports/summary"), ("tickets.csv", "/api/reports/tickets.csv"),
                           ("report.pdf", "/api/reports/report.pdf"), ("page", "/counter/reports")):
            times = []
            for _ in range(options.repeat):
                begun = time.perf_counter()
                response = client.get(f"{path}?{query}", headers=headers)
                times.append((time.perf_counter() - begun) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            print(f"{name:12} median {statistics.median(times):7.0f} ms   slowest {max(times):7.0f} ms"
                  f"   ({len(response.data) / 1000:.0f} kB)")


if __name__ == "__main__":
    main()
