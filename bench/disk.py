"""The disk under the figures: latency of one bare SQLite commit as the server makes it.

Every ticket issue and call-next is one `BEGIN IMMEDIATE … COMMIT` in WAL mode with
`synchronous=FULL`, i.e. one fsync of the WAL per write. On a virtual disk that fsync can
cost far more than the Python around it, and it costs more when writes are spaced out
(as an officer's presses are) than back to back. This probe times bare commits of one
small row in a scratch database in the same folder the bench instances use, so the
report can tell the disk's share from the server's.

`python -m bench.disk [--dir /tmp]`
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from pathlib import Path

from .stats import summary_ms


def probe(directory: str | None = None, *, back_to_back: int = 300, spaced: int = 50, spacing_s: float = 0.1) -> dict:
    with tempfile.TemporaryDirectory(prefix="antrean-bench-disk-", dir=directory) as folder:
        connection = sqlite3.connect(str(Path(folder) / "probe.sqlite3"), isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("CREATE TABLE t (x INTEGER, at TEXT)")

            def commit(value: int) -> float:
                t0 = time.perf_counter()
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO t VALUES (?, ?)", (value, "2026-11-25T08:00:00"))
                connection.execute("COMMIT")
                return time.perf_counter() - t0

            tight = [commit(index) for index in range(back_to_back)]
            paced = []
            for index in range(spaced):
                paced.append(commit(index))
                time.sleep(spacing_s)
        finally:
            connection.close()
    return {"scenario": "disk", "dir": directory or tempfile.gettempdir(),
            "commit_back_to_back_ms": summary_ms(tight), "commit_spaced_ms": summary_ms(paced),
            "spacing_s": spacing_s}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=None, help="folder for the scratch database (default: temp folder)")
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.dir), indent=2))


if __name__ == "__main__":
    main()
