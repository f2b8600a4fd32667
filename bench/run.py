"""Run every benchmark for one or both async modes and print the table (see docs/PERFORMANCE.md).

    .venv/bin/python -m bench.run --mode both            # the full run, 3 repeats, ~20 min
    .venv/bin/python -m bench.run --mode both --quick    # a smoke run, under a minute

Scenarios (each on its own fresh server and instance; `--only` picks some):

- realtime:   (a) 100 displays + 1,900 phones (the issue's 2,000 sockets), 100 calls ~100 ms
              apart; (e) worker RSS
- realtime60: (a) again with 50 displays + 10 phones (60 sockets: what a 64-thread
              threading worker can hold while still answering HTTP)
- issue:      (b) 4 kiosks issuing back to back for 10 s
- call_next:  (c) 4 officers on counters 1–4: simultaneous bursts, then back to back
- console:    (d) form sign-in, then 200 loads of /counter/1
- booking:    (f) 20 visitors booking at once (50 bursts), then back to back for 10 s
- soak:       (g) 50 displays + 500 phones through 2,000 compressed operations: nothing missed,
              memory flat (gevent only; bench/soak.py)
- disk:       bare SQLite commit latency in the instances' folder (context for the rest)

Medians over the repeats are printed; `--json FILE` keeps every run's raw figures.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from . import booking, call_next, console, disk, issue, realtime, soak
from . import server as bench_server

SCENARIOS = ("realtime", "realtime60", "issue", "call_next", "console", "booking", "soak", "disk")

FULL = {
    "repeat": 3,
    "realtime": {"displays": 100, "phones": 1900, "calls": 100, "connect_deadline_s": 60.0},
    "realtime60": {"displays": 50, "phones": 10, "calls": 100, "connect_deadline_s": 30.0},
    "issue": {"duration_s": 10.0},
    "call_next": {"calls": 200},
    "console": {"loads": 200, "waiting": 100},
    "booking": {"visitors": 20, "bursts": 50, "duration_s": 10.0},
    "soak": {"displays": 50, "phones": 500, "operations": 2000},
    "disk": {"back_to_back": 300, "spaced": 50},
}
QUICK = {
    "repeat": 1,
    "realtime": {"displays": 10, "phones": 40, "calls": 15, "connect_deadline_s": 15.0},
    "realtime60": None,
    "issue": {"duration_s": 2.0},
    "call_next": {"calls": 15},
    "console": {"loads": 30, "waiting": 30},
    "booking": {"visitors": 20, "bursts": 5, "duration_s": 2.0},
    "soak": {"displays": 5, "phones": 20, "operations": 100},
    "disk": {"back_to_back": 50, "spaced": 10},
}
RUNNERS = {
    "realtime": realtime.run, "realtime60": realtime.run, "issue": issue.run,
    "call_next": call_next.run, "console": console.run, "booking": booking.run, "soak": soak.run,
}


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal:")))
    except (OSError, StopIteration, ValueError):
        mem_kb = 0
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "kernel": platform.release()}


def cpu_busy(seconds: float = 1.0) -> float | None:
    """Fraction of all CPUs busy over `seconds` (from /proc/stat): other work on a shared machine."""
    def sample():
        fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]), idle

    try:
        total_a, idle_a = sample()
        time.sleep(seconds)
        total_b, idle_b = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1.0 - (idle_b - idle_a) / max(1, total_b - total_a)


def wait_quiet(limit_s: float, threshold: float = 0.3) -> float | None:
    """Wait (at most `limit_s`) until the machine is mostly idle; the busy fraction last seen."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    while busy is not None and busy > threshold and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return busy


# -- the table ----------------------------------------------------------------------------

def _get(result: dict | None, path: str):
    value = result
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _median(results: list[dict], path: str) -> float | None:
    values = [_get(result, path) for result in results]
    values = [value for value in values if isinstance(value, (int, float))]
    return statistics.median(values) if values else None


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:.{digits}f}" if digits else f"{value:.0f}"


def _trio(results: list[dict], base: str) -> str:
    """`p50 / p99 / max` (ms), each the median over the runs."""
    if not results or all(_get(result, base + ".n") in (None, 0) for result in results):
        return "—"
    return " / ".join(_fmt(_median(results, f"{base}.{key}")) for key in ("p50", "p99", "max"))


def _sockets(results: list[dict]) -> str:
    if not results:
        return "—"
    got = _median(results, "displays_connected") or 0
    got += _median(results, "phones_connected") or 0
    wanted = (_median(results, "displays_wanted") or 0) + (_median(results, "phones_wanted") or 0)
    calls = _median(results, "calls_200")
    answered = f"{calls:.0f}/{_median(results, 'calls_wanted'):.0f} calls" if calls is not None else ""
    return f"{got:.0f}/{wanted:.0f}" + (f", {answered}" if answered else "")


def _errors(results: list[dict]) -> str:
    notes = []
    for result in results:
        for key in ("error", "calls_error"):
            if result.get(key) and result[key] not in notes:
                notes.append(str(result[key]))
    return "; ".join(notes)


def _booking_check(results: list[dict]) -> str:
    """The worst of the runs' database checks after (f); "—" when no run got that far."""
    checks = [result["check"] for result in results if isinstance(result.get("check"), dict)]
    if not checks:
        return "—"
    return " / ".join(str(max(check[key] for check in checks))
                      for key in ("slots_over_capacity", "acknowledged_missing", "contacts_doubled"))


ROWS = (
    # label, target, scenario, cell(results)
    ("(a) sockets connected / wanted, calls answered", "all", "realtime", _sockets),
    ("(a) call → every display `called`, p50 / p99 / max ms", "p99 ≤ 50", "realtime",
     lambda r: _trio(r, "display_all_ms")),
    ("(a) call → watching phone `ticket` called, p50 / p99 / max ms", "p99 ≤ 50", "realtime",
     lambda r: _trio(r, "phone_ms")),
    ("(a) call → every phone whose place moved got its update, p50 / p99 / max ms", "p99 ≤ 50", "realtime",
     lambda r: _trio(r, "phone_fanout_ms")),
    ("(a) phone updates per call", "—", "realtime", lambda r: _fmt(_median(r, "phone_fanout_updates_per_call"), 0)),
    ("(a) call-next HTTP during (a), p50 / p99 / max ms", "—", "realtime", lambda r: _trio(r, "http_ms")),
    ("(a) CPU per call: server worker / bench clients, ms", "—", "realtime",
     lambda r: f"{_fmt(_median(r, 'server_cpu_per_call_ms'))} / {_fmt(_median(r, 'clients_cpu_per_call_ms'))}"),
    ("(a′) 60 sockets: connected / wanted, calls answered", "all", "realtime60", _sockets),
    ("(a′) 60 sockets: call → every display, p50 / p99 / max ms", "p99 ≤ 50", "realtime60",
     lambda r: _trio(r, "display_all_ms")),
    ("(a′) 60 sockets: call → phone, p50 / p99 / max ms", "p99 ≤ 50", "realtime60",
     lambda r: _trio(r, "phone_ms")),
    ("(b) ticket issue, 4 kiosks, p50 / p99 / max ms", "p99 ≤ 20", "issue", lambda r: _trio(r, "latency_ms")),
    ("(b) tickets issued per second", "≥ 300", "issue", lambda r: _fmt(_median(r, "tickets_per_s"), 0)),
    ("(c) call-next, 4 officers pressing at once, p50 / p99 / max ms", "p99 ≤ 10", "call_next",
     lambda r: _trio(r, "burst.latency_ms")),
    ("(c) the same bursts timed by a lean client (one thread, raw HTTP), p50 / p99 / max ms", "p99 ≤ 10",
     "call_next", lambda r: _trio(r, "burst_raw.latency_ms")),
    ("(c) the lean client's bursts with the worker and the client sharing the cores, p50 / p99 / max ms", "—",
     "call_next", lambda r: _trio(r, "burst_raw_shared.latency_ms")),
    ("(c) the lean client's bursts 5 ms apart, not ~100 (the worker's caches still warm), p50 / p99 / max ms", "—",
     "call_next", lambda r: _trio(r, "burst_raw_warm.latency_ms")),
    ("(c) call-next, 4 officers back to back, p50 / p99 / max ms", "—", "call_next",
     lambda r: _trio(r, "saturated.latency_ms")),
    ("(c) call-next back to back, calls per second", "—", "call_next",
     lambda r: _fmt(_median(r, "saturated.calls_per_s"), 0)),
    ("(d) GET /counter/1 (signed in), p50 / p99 / max ms", "≤ 100", "console", lambda r: _trio(r, "latency_ms")),
    ("(e) worker RSS with the (a) clients connected, MB", "≤ 200", "realtime",
     lambda r: _fmt(_median(r, "rss_mb"), 0)),
    ("(e) worker peak RSS (VmHWM) / RSS idle before (a), MB", "—", "realtime",
     lambda r: f"{_fmt(_median(r, 'hwm_mb'), 0)} / {_fmt(_median(r, 'rss_idle_mb'), 0)}"),
    ("(f) booking, 20 visitors at once, p50 / p99 / max ms", "p99 ≤ 50", "booking",
     lambda r: _trio(r, "burst.latency_ms")),
    ("(f) its slot listing (GET /api/slots), p50 / p99 / max ms", "—", "booking",
     lambda r: _trio(r, "burst.slots_latency_ms")),
    ("(f) booking, 20 visitors back to back, p50 / p99 / max ms; bookings per second", "—", "booking",
     lambda r: f"{_trio(r, 'saturated.latency_ms')}; {_fmt(_median(r, 'saturated.bookings_per_s'), 0)}"),
    ("(f) server CPU per booking with its listing, ms", "—", "booking",
     lambda r: _fmt(_median(r, "saturated.server_cpu_per_booking_ms"))),
    ("(f) after the load: slots overbooked / 201s not stored / contacts booked twice", "0 / 0 / 0", "booking",
     _booking_check),
    ("(g) soak: operations, per s / events delivered / problems", "0 problems", "soak",
     lambda r: f"{_fmt(_median(r, 'operations_done'), 0)}, {_fmt(_median(r, 'operations_per_s'), 0)}/s / "
               f"{_fmt(_median(r, 'events_delivered'), 0)} / {_fmt(_median(r, 'problem_count'), 0)}"
     if _median(r, 'operations_done') is not None else "—"),
    ("(g) soak: worker RSS, third → last quarter of the run, MB", "flat (< 8 MB)", "soak",
     lambda r: f"{_fmt(_median(r, 'memory.third_mb'))} → {_fmt(_median(r, 'memory.last_mb'))}"
     if _median(r, 'memory.last_mb') is not None else "—"),
)


def table(results: dict[str, dict[str, list[dict]]], modes: list[str], disk_results: list[dict]) -> str:
    lines = ["| figure | target | " + " | ".join(modes) + " |", "|---|---|" + "---|" * len(modes)]
    for label, target, scenario, cell in ROWS:
        if not any(results[mode].get(scenario) for mode in modes):
            continue
        lines.append(f"| {label} | {target} | " +
                     " | ".join(cell(results[mode].get(scenario, [])) for mode in modes) + " |")
    notes = [f"{mode}/{scenario}: {_errors(runs)}" for mode in modes for scenario, runs in results[mode].items()
             if _errors(runs)]
    if disk_results:
        lines.append("")
        lines.append("Disk (bare SQLite WAL commit, synchronous=FULL, same folder), p50 / p99 / max ms: "
                     f"back to back {_trio(disk_results, 'commit_back_to_back_ms')}; "
                     f"one every 100 ms {_trio(disk_results, 'commit_spaced_ms')}")
    busy = [result.get("machine_busy_before") for mode in modes for runs in results[mode].values()
            for result in runs if result.get("machine_busy_before") is not None]
    if busy:
        lines.append("")
        lines.append(f"Other work on the machine just before the scenarios: median {statistics.median(busy):.0%}, "
                     f"max {max(busy):.0%} CPU busy.")
    if notes:
        lines.append("")
        lines.extend(f"Note — {note}" for note in notes)
    return "\n".join(lines)


# -- running --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Antrean benchmarks (targets are reported, not asserted).")
    parser.add_argument("--mode", choices=("gevent", "threading", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="small numbers, one run: a smoke test (< 60 s)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per scenario (default 3, --quick 1)")
    parser.add_argument("--only", default=",".join(SCENARIOS), help=f"comma-separated subset of {SCENARIOS}")
    parser.add_argument("--instance-root", default=None,
                        help="folder for the bench instances (default: temp folder; /dev/shm takes the disk out)")
    parser.add_argument("--wait-quiet", type=float, default=None,
                        help="before each scenario wait up to this many seconds for other work on the machine "
                             "to calm down (default 60, --quick 0)")
    parser.add_argument("--json", default=None, help="write every run's raw figures to this file")
    args = parser.parse_args(argv)

    profile = QUICK if args.quick else FULL
    repeat = max(1, args.repeat if args.repeat is not None else profile["repeat"])
    modes = ["gevent", "threading"] if args.mode == "both" else [args.mode]
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    bench_server.configure(instance_root=args.instance_root)
    quiet_s = args.wait_quiet if args.wait_quiet is not None else (0.0 if args.quick else 60.0)

    info = machine()
    print(f"Machine: {info['nproc']} cores, {info['cpu']}, {info['ram_gib']} GiB RAM, Python {info['python']}")
    results: dict[str, dict[str, list[dict]]] = {mode: {} for mode in modes}
    disk_results: list[dict] = []
    started = time.monotonic()
    for run_index in range(repeat):
        if "disk" in wanted:
            print(f"run {run_index + 1}/{repeat}: disk")
            disk_results.append(disk.probe(args.instance_root, **profile["disk"]))
        for mode in modes:  # modes interleaved per run, so drift on a noisy machine hits both alike
            for scenario in wanted:
                if scenario == "disk" or profile.get(scenario) is None:
                    continue
                busy = wait_quiet(quiet_s) if quiet_s else None
                print(f"run {run_index + 1}/{repeat}: {mode} {scenario}" +
                      (f" (machine {busy:.0%} busy before)" if busy is not None else ""))
                sys.stdout.flush()
                scenario_started = time.monotonic()
                try:
                    result = RUNNERS[scenario](mode, **profile[scenario])
                except Exception as error:  # one failed scenario must not lose the others
                    result = {"scenario": scenario, "mode": mode, "error": f"{type(error).__name__}: {error}"[:300]}
                    print(f"  [{mode}] {scenario} failed: {result['error']}")
                result["machine_busy_before"] = busy
                result["wall_s"] = time.monotonic() - scenario_started
                results[mode].setdefault(scenario, []).append(result)
    elapsed = time.monotonic() - started
    print()
    print(f"Medians of {repeat} run(s), {elapsed:.0f} s in all" + (" (quick)" if args.quick else ""))
    print(table(results, modes, disk_results))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "quick": args.quick, "repeat": repeat,
                                               "results": results, "disk": disk_results}, indent=1, default=str))
        print(f"\nRaw figures: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
