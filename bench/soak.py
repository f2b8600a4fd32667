"""Soak: many screens connected through thousands of compressed operations; nothing missed, memory flat.

Setup: a fresh bench office on the real server; tickets issued for the phones to watch; client
processes (asyncio `socketio.AsyncClient`, websocket transport, events handled in wire order)
connect D wall displays to `/display` and P phones to `/ticket`, each phone watching one real
ticket. Then N operations are sent as fast as the server answers them, from two kiosks and five
officers at once, in a seeded random mix: issuing, call-next, recall, start, done, no-show,
transfer to another service, and pausing then reopening a counter. Each officer keeps track of
their own counter from the answers they get, so every action is one the counter can take.

Once the operations are over the driver reads the final state (the event log, `GET
/api/tickets/<token>` for every phone) and each client process waits until its screens have
caught up with it (bounded), then the checks run:

- every display received, after its connect `snapshot`, exactly the `called` events of the
  log, in `seq` order, each one `seq` = the previous message's `seq` + 1, `queue` snapshots
  rising, and ended on the log's last `seq`; the calls in the log are those the officers'
  call-next and recall answers returned;
- every phone's statuses follow its ticket's history (`ticket_events`) in order, and its last
  view equals `GET /api/tickets/<token>`;
- no client was disconnected, no operation failed, the server stayed up;
- the worker's RSS, sampled through the operations, is flat after a warm-up (see `memory_flat`).

`python -m bench.soak [--displays 50 --phones 500 --operations 2000 --seed 12]`
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import threading
import time
from pathlib import Path

import requests

from shared.domain.events import TicketCalled
from tests.helpers import processes
from tests.helpers.live import read_only_db

from . import server as bench_server
from .kiosks import SERVICES, issue_many, kiosk_session, round_robin
from .stats import summary_ms

COUNTERS = {1: "bench-officer-1", 3: "bench-officer-2", 4: "bench-officer-3", 5: "bench-officer-4", 6: "petugas"}
KIOSK_ACTORS = 2
ISSUE_SHARE = 0.25          # of the operations; the rest are the officers'
MAX_RECALLS = 3             # the demo office's [policy] max_recalls
CONNECT_CONCURRENCY = 50
CONNECT_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 10.0
SETTLE_TIMEOUT_S = 60.0     # for the screens to catch up with the final state
RSS_EVERY_S = 0.02   # often enough for 8+ samples even when a quiet machine runs the small count in a second
# Memory is flat when the median RSS of the last quarter of the samples exceeds that of the
# third quarter by less than this. The first half is warm-up: measured (docs/PERFORMANCE.md,
# "Soak"), the worker's heap grows by ~8–10 MB over the first ~2,000 operations of a run as its
# allocator's arenas, SQLite's page cache and the sockets' buffers fill, then grows less and
# less (+2 MB over the next 4,000); a flat run's third-to-last-quarter drift at 2,000
# operations was 0.4–3.3 MB. A leak of 16 KB an operation (8 MB in a quarter of 2,000) fails.
RSS_TOLERANCE_MB = 8.0


# -- client processes ----------------------------------------------------------------------

def client_worker(role: str, items: list, conn, base_url: str, connect_deadline_s: float) -> None:
    """A client process: `role` "display" (items: indexes) or "phone" (items: ticket tokens)."""
    try:
        asyncio.run(_clients(role, base_url, items, conn, connect_deadline_s))
    except Exception as error:  # tell the driver rather than die silently
        try:
            conn.send(("error", repr(error)))
        except Exception:
            pass


def _in_order_client_class():
    """An AsyncClient whose engine.io layer runs each message's handler before reading the next.

    The stock client starts a task per message; the soak checks order, so it must not rest on
    how the loop schedules those tasks.
    """
    import engineio
    import socketio

    class InOrderEngineIO(engineio.AsyncClient):
        async def _trigger_event(self, event, *args, **kwargs):
            if event == "message":
                kwargs["run_async"] = False
            return await super()._trigger_event(event, *args, **kwargs)

    class InOrderClient(socketio.AsyncClient):
        def _engineio_client_class(self):
            return InOrderEngineIO

    return InOrderClient


async def _clients(role: str, base_url: str, items: list, conn, connect_deadline_s: float) -> None:
    import aiohttp

    client_class = _in_order_client_class()
    loop = asyncio.get_running_loop()
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    sockets: list = []
    # display index -> messages as received: ("snapshot"|"queue", seq) or ("called", seq, number, counter, recall)
    seen_by_display: dict[int, list[tuple]] = {}
    views_by_token: dict[str, list[dict]] = {}   # phone token -> every `ticket` view received
    counts = {"events": 0, "disconnects": 0}
    errors: dict[str, int] = {}
    state = {"connected": True}
    semaphore = asyncio.Semaphore(CONNECT_CONCURRENCY)
    deadline = loop.time() + connect_deadline_s

    def disconnected(*_args) -> None:
        if state["connected"]:
            counts["disconnects"] += 1

    async def open_display(index: int) -> None:
        sio = client_class(reconnection=False, http_session=http, handle_sigint=False)
        messages = seen_by_display.setdefault(index, [])

        def on_state(name):
            def handle(data):
                counts["events"] += 1
                messages.append((name, data.get("seq")))
            return handle

        def on_called(data):
            counts["events"] += 1
            messages.append(("called", data.get("seq"), data.get("number"), data.get("counter"), data.get("recall")))

        sio.on("snapshot", on_state("snapshot"), namespace="/display")
        sio.on("queue", on_state("queue"), namespace="/display")
        sio.on("called", on_called, namespace="/display")
        sio.on("disconnect", disconnected, namespace="/display")
        await sio.connect(base_url, namespaces=["/display"], transports=["websocket"], wait_timeout=CONNECT_TIMEOUT_S)
        sockets.append(sio)
        while not messages:  # the snapshot comes with the connect
            await asyncio.sleep(0.01)

    async def open_phone(token: str) -> None:
        sio = client_class(reconnection=False, http_session=http, handle_sigint=False)
        views = views_by_token.setdefault(token, [])
        first = loop.create_future()

        def on_ticket(data):
            counts["events"] += 1
            views.append(data)
            if not first.done():
                first.set_result(None)

        def on_error(data):
            if not first.done():
                first.set_exception(RuntimeError(f"watch refused: {data}"))

        sio.on("ticket", on_ticket, namespace="/ticket")
        sio.on("error", on_error, namespace="/ticket")
        sio.on("disconnect", disconnected, namespace="/ticket")
        await sio.connect(base_url, namespaces=["/ticket"], transports=["websocket"], wait_timeout=CONNECT_TIMEOUT_S)
        sockets.append(sio)
        await sio.emit("watch", {"token": token}, namespace="/ticket")
        await first

    async def guarded(item) -> None:
        async with semaphore:
            remaining = deadline - loop.time()
            if remaining <= 0:
                errors["connect phase deadline passed"] = errors.get("connect phase deadline passed", 0) + 1
                return
            try:
                opener = open_display if role == "display" else open_phone
                await asyncio.wait_for(opener(item), min(remaining, CONNECT_TIMEOUT_S + 5))
            except Exception as error:
                kind = f"{type(error).__name__}: {error}"[:160]
                errors[kind] = errors.get(kind, 0) + 1

    started = time.monotonic()
    await asyncio.gather(*(guarded(item) for item in items))
    conn.send(("ready", {"role": role, "wanted": len(items), "connected": len(sockets), "errors": errors,
                         "connect_s": time.monotonic() - started}))

    # The driver sends the final state once the operations are over; wait until every screen
    # here shows it (bounded), then hand everything back.
    final = await loop.run_in_executor(None, conn.recv)
    cpu_before_settle = time.process_time()
    settle_by = loop.time() + final["timeout_s"]

    def caught_up() -> bool:
        if role == "display":
            return all(messages and messages[-1][1] is not None and messages[-1][1] >= final["seq"]
                       for messages in seen_by_display.values())
        return all(views and views[-1] == final["views"].get(token) for token, views in views_by_token.items())

    while not caught_up() and loop.time() < settle_by:
        await asyncio.sleep(0.05)
    settle_cpu_s = time.process_time() - cpu_before_settle
    state["connected"] = False
    conn.send(("results", {"role": role, "displays": seen_by_display, "phones": views_by_token,
                           "events": counts["events"], "disconnects": counts["disconnects"],
                           "caught_up": caught_up(), "settle_cpu_s": settle_cpu_s}))

    async def close(sio) -> None:
        try:
            await asyncio.wait_for(sio.disconnect(), 5)
        except Exception:
            pass

    await asyncio.gather(*(close(sio) for sio in sockets))
    await http.close()


# -- the operations ----------------------------------------------------------------------------

class Ledger:
    """What the actors did and were answered, shared by their threads."""

    def __init__(self, budget: int):
        self.lock = threading.Lock()
        self.left = budget
        self.kinds: dict[str, int] = {}
        self.calls: list[tuple[str, int, bool]] = []   # (number, counter, recall) per call-next/recall answer
        self.failures: list[str] = []
        self.latency: list[float] = []

    def take(self) -> bool:
        """One more operation from the shared budget, or False when it is spent (or a failure stops the run)."""
        with self.lock:
            if self.left <= 0 or len(self.failures) >= 5:
                return False
            self.left -= 1
            return True

    def record(self, kind: str, seconds: float, call: tuple | None = None) -> None:
        with self.lock:
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            self.latency.append(seconds)
            if call:
                self.calls.append(call)

    def fail(self, what: str) -> None:
        with self.lock:
            self.failures.append(what[:300])


def _kiosk_actor(base: str, token: str, rng: random.Random, ledger: Ledger) -> None:
    session = kiosk_session(token)
    try:
        while ledger.take():
            service = rng.choice(SERVICES)
            t0 = time.monotonic()
            response = session.post(f"{base}/api/tickets", json={"service": service, "lane": "general"},
                                    timeout=HTTP_TIMEOUT_S)
            if response.status_code != 201:
                ledger.fail(f"issue {service}: {response.status_code} {response.text[:200]}")
                continue
            ledger.record("issue", time.monotonic() - t0)
    except requests.RequestException as error:
        ledger.fail(f"kiosk: {error!r}")
    finally:
        session.close()


def _next_action(rng: random.Random, paused: bool, ticket: dict | None) -> str:
    """What an officer does next, given their counter as the last answers left it."""
    if paused:
        return "open"
    if ticket is None:
        return rng.choices(("call-next", "pause"), (90, 10))[0]
    if ticket["status"] == "called":
        recall = 20 if ticket["recalls"] < MAX_RECALLS else 0
        return rng.choices(("recall", "start", "no-show", "done", "transfer", "call-next"),
                           (recall, 35, 8, 10, 8, 19))[0]
    return rng.choices(("done", "transfer", "call-next"), (55, 10, 35))[0]


def _officer_actor(base: str, counter: int, token: str, rng: random.Random, ledger: Ledger) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    paused, ticket = False, None
    try:
        while ledger.take():
            action = _next_action(rng, paused, ticket)
            body = None
            if action == "transfer":
                body = {"service": rng.choice([code for code in SERVICES if code != ticket["service"]])}
            t0 = time.monotonic()
            response = session.post(f"{base}/api/counters/{counter}/{action}", json=body, timeout=HTTP_TIMEOUT_S)
            seconds = time.monotonic() - t0
            if response.status_code not in (200, 204):
                ledger.fail(f"counter {counter} {action}: {response.status_code} {response.text[:200]}")
                continue
            answer = response.json() if response.status_code == 200 else None
            call = None
            if action in ("call-next", "recall") and answer:
                call = (answer["number"], counter, action == "recall")
            ledger.record(action if response.status_code == 200 else f"{action} (nobody waiting)", seconds, call)
            if action in ("pause", "open"):
                paused = action == "pause"
            elif action in ("call-next", "recall", "start"):
                ticket = answer
            else:  # done, no-show, transfer: the counter is free
                ticket = None
    except requests.RequestException as error:
        ledger.fail(f"counter {counter}: {error!r}")
    finally:
        session.close()


def _sign_in(srv) -> dict[int, str]:
    """Each counter's officer's staff token (before the sampling: a sign-in's scrypt briefly takes memory)."""
    passwords = dict(srv.instance.officers, **srv.instance.demo_passwords)
    return {counter: bench_server.staff_token(srv.base_url, user, passwords[user]) for counter, user in COUNTERS.items()}


def _operate(srv, officer_tokens: dict[int, str], operations: int, seed: int) -> Ledger:
    """Run the seeded mix with every actor at once until `operations` have been sent."""
    base = srv.base_url
    ledger = Ledger(operations)
    rng = random.Random(seed)
    # The kiosks share ISSUE_SHARE of the budget and the officers the rest, each side drawing
    # from its own, so how fast one side's requests are answered does not change the mix.
    issue_budget = int(operations * ISSUE_SHARE)
    kiosk_ledger = Ledger(issue_budget)
    ledger.left = operations - issue_budget
    threads = [threading.Thread(target=_kiosk_actor, args=(base, token, random.Random(rng.random()), kiosk_ledger))
               for token in srv.instance.kiosk_tokens[:KIOSK_ACTORS]]
    threads += [threading.Thread(target=_officer_actor, args=(base, counter, token, random.Random(rng.random()), ledger))
                for counter, token in officer_tokens.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ledger.kinds.update(kiosk_ledger.kinds)
    ledger.failures += kiosk_ledger.failures
    ledger.latency += kiosk_ledger.latency
    return ledger


class RssSampler(threading.Thread):
    """The worker's VmRSS every RSS_EVERY_S, in MB, until stopped."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.status = Path(f"/proc/{srv.worker_pid()}/status")  # found once: finding it walks /proc
        self.samples: list[float] = []
        self.anon: list[float] = []   # RssAnon: the heap, as opposed to mapped files (RssFile)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                fields = dict(line.split(":", 1) for line in self.status.read_text().splitlines())
                self.samples.append(int(fields["VmRSS"].split()[0]) / 1024.0)
                self.anon.append(int(fields["RssAnon"].split()[0]) / 1024.0)
            except (OSError, KeyError, ValueError):
                pass
            self.stopping.wait(RSS_EVERY_S)

    def stop(self) -> list[float]:
        self.stopping.set()
        self.join()
        return self.samples


def memory_flat(samples: list[float], tolerance_mb: float = RSS_TOLERANCE_MB) -> dict:
    """Quarter medians of the RSS samples and whether the last exceeds the third by less than the tolerance."""
    if len(samples) < 8:
        return {"samples": len(samples), "flat": None}
    size = len(samples) // 4
    quarters = [statistics.median(samples[index * size:(index + 1) * size]) for index in range(3)]
    quarters.append(statistics.median(samples[3 * size:]))
    growth = quarters[3] - quarters[2]
    return {"samples": len(samples), "quarters_mb": [round(value, 1) for value in quarters],
            "first_mb": round(samples[0], 1), "third_mb": round(quarters[2], 1), "last_mb": round(quarters[3], 1),
            "peak_mb": round(max(samples), 1),
            "growth_mb": round(growth, 2), "tolerance_mb": tolerance_mb, "flat": growth < tolerance_mb}


# -- checks -------------------------------------------------------------------------------------

def check_display(messages: list[tuple], logged_calls: list[tuple], final_seq: int) -> list[str]:
    """Problems with one display's messages against the log's calls `(seq, number, counter, recall)`."""
    if not messages or messages[0][0] != "snapshot":
        return ["no snapshot first"]
    problems = []
    last = messages[0][1]
    for message in messages[1:]:
        kind, seq = message[0], message[1]
        if kind == "snapshot":
            problems.append(f"a second snapshot at seq {seq} (reconnected?)")
        elif kind == "called" and seq != last + 1:
            problems.append(f"called seq {seq} after seq {last}: {'a gap' if seq > last else 'out of order'}")
        elif kind == "queue" and seq <= last:
            problems.append(f"queue seq {seq} after seq {last}: out of order")
        last = max(last, seq)
    heard = [message[1:] for message in messages if message[0] == "called"]
    expected = [call for call in logged_calls if call[0] > messages[0][1]]
    if heard != expected:
        missing = sorted(set(expected) - set(heard))
        extra = [call for call in heard if call not in expected or heard.count(call) > 1]
        problems.append(f"calls: heard {len(heard)}, logged {len(expected)}; missing {missing[:3]}, "
                        f"extra or twice {extra[:3]}")
    if last != final_seq:
        problems.append(f"ended on seq {last}, the log on {final_seq}")
    return problems


def _is_subsequence(short: list, long: list) -> bool:
    remaining = iter(long)
    return all(any(item == other for other in remaining) for item in short)


def _squeeze(items: list) -> list:
    """Consecutive repeats dropped."""
    return [item for index, item in enumerate(items) if index == 0 or item != items[index - 1]]


def check_phone(views: list[dict], history: list[str], final: dict) -> tuple[list[str], int]:
    """Problems with one phone's views, and how many of its ticket's changes it never saw as a status.

    `history` is the ticket's statuses from `ticket_events`, oldest first. Views are whole
    states computed once per delivered batch: two changes of one ticket inside one batch reach
    the phone as one view (the later), so a phone may skip a status but never reorder them.
    """
    if not views:
        return ["no view at all"], 0
    statuses = _squeeze([view.get("status") for view in views])
    history = _squeeze(history)
    start = history.index(statuses[0]) if statuses[0] in history else 0
    problems = []
    if not _is_subsequence(statuses, history[start:]):
        problems.append(f"statuses {statuses} are not in the order of the ticket's history {history}")
    if views[-1] != final:
        problems.append(f"last view {views[-1]} differs from GET /api/tickets: {final}")
    return problems, max(0, len(history[start:]) - len(statuses))


def _logged(instance, start_seq: int) -> tuple[list[tuple], int, dict[int, list[str]]]:
    """The calls logged after `start_seq`, the last `seq`, and every ticket's status history."""
    db = read_only_db(instance)
    try:
        calls = []
        for seq, payload in db.execute("SELECT id, payload FROM events WHERE name = ? AND id > ? ORDER BY id",
                                       (TicketCalled.name, start_seq)):
            data = json.loads(payload)
            calls.append((seq, data["number"], data["counter"], data["recall"]))
        final_seq = db.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        history: dict[int, list[str]] = {}
        for ticket_id, status in db.execute("SELECT ticket_id, to_status FROM ticket_events ORDER BY id"):
            history.setdefault(ticket_id, []).append(status)
    finally:
        db.close()
    return calls, final_seq, history


# -- the driver -----------------------------------------------------------------------------

def run(mode: str = "gevent", *, displays: int = 50, phones: int = 500, operations: int = 2000, seed: int = 12,
        phone_procs: int = 2, connect_deadline_s: float = 60.0, keep: bool = False, log=print) -> dict:
    """One soak on a fresh server; the figures, and `problems` (empty when every check held).

    Only the gevent worker holds hundreds of sockets (the threading worker's 64 threads hold
    about 60, see `bench.run`'s realtime60), so the soak is not run in threading mode.
    """
    result: dict = {"scenario": "soak", "mode": mode, "displays_wanted": displays, "phones_wanted": phones,
                    "operations_wanted": operations, "seed": seed}
    if mode != "gevent":
        result["skipped"] = "the soak's sockets need the gevent worker"
        return result
    problems: list[str] = []
    with bench_server.start(mode, keep=keep) as srv:
        base = srv.base_url
        # Enough waiting that the counters never run dry (about a third of the operations are
        # calls), the phones' tickets spread over the whole line: they change to the end.
        tickets = issue_many(base, srv.instance.kiosk_tokens, round_robin(SERVICES, max(phones, operations // 2)))
        step = len(tickets) / max(1, phones)
        watched = {tickets[int(index * step)]["token"]: tickets[int(index * step)]["id"] for index in range(phones)}
        log(f"  [{mode}] soak: issued {len(tickets)} tickets; connecting {displays} displays + {phones} phones…")
        plans = [("display", list(range(displays)))] if displays else []
        tokens = list(watched)
        plans += [("phone", tokens[index::phone_procs]) for index in range(phone_procs) if tokens[index::phone_procs]]
        workers = processes.spawn(client_worker, plans, base, connect_deadline_s)
        try:
            ready = [processes.receive(parent, role, "ready", connect_deadline_s + 60)
                     for role, _process, parent in workers]
            result["displays_connected"] = sum(info["connected"] for info in ready if info["role"] == "display")
            result["phones_connected"] = sum(info["connected"] for info in ready if info["role"] == "phone")
            result["connect_s"] = max(info["connect_s"] for info in ready)
            for info in ready:
                if info["errors"]:
                    problems.append(f"{info['role']} connect errors: {info['errors']}")
            log(f"  [{mode}] soak: connected {result['displays_connected']} displays, "
                f"{result['phones_connected']} phones in {result['connect_s']:.1f} s; {operations} operations…")

            officer_tokens = _sign_in(srv)
            start_seq = _logged(srv.instance.path, 0)[1]
            sampler = RssSampler(srv)
            cpu_before = srv.worker_cpu_seconds()
            started = time.monotonic()
            sampler.start()
            ledger = _operate(srv, officer_tokens, operations, seed)
            elapsed = time.monotonic() - started
            samples = sampler.stop()
            cpu_after = srv.worker_cpu_seconds()

            calls, final_seq, history = _logged(srv.instance.path, start_seq)
            finals = {token: requests.get(f"{base}/api/tickets/{token}", timeout=HTTP_TIMEOUT_S).json()
                      for token in watched}
            for _role, _process, parent in workers:
                parent.send({"seq": final_seq, "views": finals, "timeout_s": SETTLE_TIMEOUT_S})
            results = [processes.receive(parent, role, "results", SETTLE_TIMEOUT_S + 60)
                       for role, _process, parent in workers]
            result["server_alive"] = srv.alive()
            result["rss_after_mb"] = (srv.worker_status_kb("VmRSS") or 0) / 1024.0
        finally:
            processes.reap(workers)

    done = sum(ledger.kinds.values())
    result.update(operations_done=done, kinds=dict(sorted(ledger.kinds.items())), elapsed_s=elapsed,
                  operations_per_s=done / elapsed if elapsed else None, http_ms=summary_ms(ledger.latency),
                  worker_cpu_s=(cpu_after - cpu_before) if cpu_before is not None and cpu_after is not None else None,
                  calls_logged=len(calls), recalls_logged=sum(1 for call in calls if call[3]), final_seq=final_seq,
                  start_seq=start_seq, events_delivered=sum(item["events"] for item in results),
                  disconnects=sum(item["disconnects"] for item in results), memory=memory_flat(samples),
                  rss_samples_mb=[round(value, 1) for value in samples],
                  anon_samples_mb=[round(value, 1) for value in sampler.anon])
    if result["worker_cpu_s"] is not None and elapsed:
        result["worker_cpu_share"] = result["worker_cpu_s"] / elapsed
    problems += [f"operation failed: {failure}" for failure in ledger.failures]
    if done != operations:
        problems.append(f"{done} of {operations} operations done")
    if not result["server_alive"]:
        problems.append("the server died")
    if result["disconnects"]:
        problems.append(f"{result['disconnects']} client disconnects")
    answered = sorted(ledger.calls)
    if answered != sorted(call[1:] for call in calls):
        problems.append(f"the officers were answered {len(answered)} calls and recalls, the log holds {len(calls)}")
    problems += _screen_problems(results, calls, final_seq, history, finals, watched, result)
    if result["memory"]["flat"] is False:
        problems.append(f"worker RSS grew {result['memory']['growth_mb']} MB from the third to the last quarter "
                        f"(tolerance {RSS_TOLERANCE_MB} MB): {result['memory']['quarters_mb']}")
    result["problems"] = problems
    result["problem_count"] = len(problems)
    if problems:  # what `bench.run` prints under its table
        result["error"] = f"{len(problems)} problems, the first: {problems[0]}"[:300]
    return result


def _screen_problems(results, calls, final_seq, history, finals, watched, result) -> list[str]:
    problems = []
    displays_checked = phones_checked = skipped = 0
    merged_examples = []
    for item in results:
        if not item["caught_up"]:
            problems.append(f"{item['role']} clients had not caught up with the final state after {SETTLE_TIMEOUT_S} s")
        for index, messages in item["displays"].items():
            displays_checked += 1
            problems += [f"display {index}: {problem}" for problem in check_display(messages, calls, final_seq)[:3]]
        for token, views in item["phones"].items():
            phones_checked += 1
            found, missed = check_phone(views, history.get(watched[token], []), finals[token])
            skipped += missed
            if missed and len(merged_examples) < 3:
                merged_examples.append({"seen": _squeeze([view.get("status") for view in views]),
                                        "history": history.get(watched[token], [])})
            problems += [f"phone of ticket {watched[token]}: {problem}" for problem in found[:2]]
    result.update(displays_checked=displays_checked, phones_checked=phones_checked, phone_statuses_merged=skipped,
                  phone_merged_examples=merged_examples)
    if displays_checked != result["displays_wanted"] or phones_checked != result["phones_wanted"]:
        problems.append(f"checked {displays_checked} displays and {phones_checked} phones of "
                        f"{result['displays_wanted']} and {result['phones_wanted']}")
    return problems[:40]


def summary(result: dict) -> str:
    memory = result["memory"]
    return (f"{result['operations_done']} operations in {result['elapsed_s']:.1f} s "
            f"({result['operations_per_s']:.0f}/s; {result['kinds']}); {result['calls_logged']} calls "
            f"({result['recalls_logged']} recalls); {result['events_delivered']} events delivered to "
            f"{result['displays_connected']} displays + {result['phones_connected']} phones; "
            f"{result['phone_statuses_merged']} phone statuses merged into a later view; worker CPU "
            f"{result['worker_cpu_s']:.1f} s; RSS quarters {memory.get('quarters_mb')} MB, growth "
            f"{memory.get('growth_mb')} MB; problems: {len(result['problems'])}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder and server log")
    parser.add_argument("--json", default=None, help="write the raw figures to this file")
    args = parser.parse_args(argv)
    result = run(args.mode, displays=args.displays, phones=args.phones, operations=args.operations, seed=args.seed,
                 keep=args.keep)
    print(summary(result))
    for problem in result["problems"]:
        print("  PROBLEM:", problem)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=1, default=str)


if __name__ == "__main__":
    main()
