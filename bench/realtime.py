"""(a) call → screen latency with many live sockets, and (e) the worker's memory after it.

Setup: a fresh office; the kiosks issue tickets round-robin over the six services; client
processes connect D wall displays to `/display` and P phones to `/ticket` over websockets,
offering compression as browsers do, each phone watching one real ticket token. The clients
are lean by default: they speak engine.io by hand, stamp each frame as it arrives and parse it
after the run, so their own work stays out of the server's figure (`--clients socketio` uses
asyncio `socketio.AsyncClient`, which costs the 2-core machine as much CPU as the server). Then officers press call-next on counters 1, 3, 4 and 6 in turn, one call every
~100 ms. For each call we take the instant just before the HTTP request is sent (t0) and:

- display latency: until EVERY connected display has received the matching `called` event;
- phone latency: until the phone watching the called ticket got `ticket` with status `called`;
- HTTP latency: until the call-next response arrived.

All clocks are `time.monotonic()` (CLOCK_MONOTONIC, shared by all processes on Linux). The
server's RSS is read from /proc/<worker>/status while the clients are still connected.

`python -m bench.realtime --mode gevent [--displays 50 --phones 950 --calls 100] [--clients socketio]`
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import time

import requests

from . import server as bench_server
from .kiosks import SERVICES, issue_many, round_robin
from .stats import summary_ms

CALL_COUNTERS = (1, 3, 4, 6)  # one per officer; together they serve all six services
CONNECT_CONCURRENCY = 50
CONNECT_TIMEOUT_S = 10.0
HTTP_TIMEOUT_S = 5.0
MAX_CONSECUTIVE_HTTP_FAILURES = 3
SETTLE_S = 1.0
RESULTS_TIMEOUT_S = 90.0
# Every browser offers permessage-deflate when it opens a websocket; so do these clients, so a
# server that accepted it would pay here what it pays for real displays and phones (a zlib
# stream per socket, docs/PERFORMANCE.md, memory).
BROWSER_WEBSOCKET = {"compress": 15}
CLIENTS = ("lean", "socketio")


# -- client processes ----------------------------------------------------------------------

def client_worker(role: str, base_url: str, items: list, conn, connect_deadline_s: float,
                  lean: bool = False) -> None:
    """Entry point of a client process: `role` is "display" (items = indexes) or "phone" (items = tokens)."""
    try:
        main = _lean_client_main if lean else _client_main
        asyncio.run(main(role, base_url, items, conn, connect_deadline_s))
    except Exception as error:  # report instead of dying silently
        try:
            conn.send(("error", repr(error)))
        except Exception:
            pass


async def _connect_all(items: list, connect, connect_deadline_s: float, conn, role: str,
                       errors: dict[str, int]) -> None:
    """Open every client (`CONNECT_CONCURRENCY` at a time, within the deadline), then tell the
    driver how many are ready and what went wrong."""
    loop = asyncio.get_running_loop()
    semaphore = asyncio.Semaphore(CONNECT_CONCURRENCY)
    deadline = loop.time() + connect_deadline_s
    connected = {"count": 0}

    def note_error(kind: str) -> None:
        errors[kind[:160]] = errors.get(kind[:160], 0) + 1

    async def guarded(item) -> None:
        async with semaphore:
            remaining = deadline - loop.time()
            if remaining <= 0:
                note_error("not tried: connect phase deadline passed")
                return
            try:
                await asyncio.wait_for(connect(item), min(remaining, CONNECT_TIMEOUT_S + 5))
                connected["count"] += 1
            except asyncio.TimeoutError:
                note_error("timeout")
            except Exception as error:  # connection refused, handshake failed…
                note_error(f"{type(error).__name__}: {error}")

    started = time.monotonic()
    await asyncio.gather(*(guarded(item) for item in items))
    _settle_collector()
    conn.send(("ready", {"role": role, "wanted": len(items), "connected": connected["count"], "errors": errors,
                         "connect_s": time.monotonic() - started}))


async def _measure(items: list, connect, connect_deadline_s: float, conn, role: str, errors: dict[str, int],
                   running: dict) -> float:
    """Connect every client, say so, then record (`running["measuring"]`) until the driver says
    the measurement is over; the client process's CPU seconds meanwhile."""
    started = time.monotonic()
    await _connect_all(items, connect, connect_deadline_s, conn, role, errors)
    gc.disable()   # see _settle_collector
    running["measuring"] = True
    cpu_ready = time.process_time()
    loop = asyncio.get_running_loop()
    try:
        while True:   # waiting without blocking the loop
            if await loop.run_in_executor(None, conn.poll, 1.0):
                conn.recv()
                break
            if time.monotonic() - started > 3600:  # never outlive a forgotten driver
                break
    finally:
        running["measuring"] = False
        gc.enable()
    return time.process_time() - cpu_ready


def _settle_collector() -> None:
    """Keep Python's cycle collector out of the measurement in this client process.

    One process holds hundreds of phones' connections; a full collection over them took 40-60 ms
    (timed with `gc.callbacks`, once per phone process in a 100-call run), and every frame
    arriving meanwhile was stamped that much late: the p99 of the last phone told was that pause,
    not the server. Real phones are devices of their own. So the objects of the connections
    made so far are collected once and frozen, and the collector stays off while measuring."""
    gc.collect()
    gc.freeze()


async def _client_main(role: str, base_url: str, items: list, conn, connect_deadline_s: float) -> None:
    import aiohttp
    import socketio

    loop = asyncio.get_running_loop()
    namespace = "/display" if role == "display" else "/ticket"
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))
    clients: list = []
    display_called: dict[str, list[float]] = {}   # number -> first receive time per display
    phone_called: dict[str, float] = {}           # token -> first `ticket` with status called
    phone_updates: list[float] = []               # every `ticket` update received while measuring
    counts = {"events": 0, "disconnects": 0}
    errors: dict[str, int] = {}
    running = {"measuring": False}

    async def connect_display(_index) -> None:
        sio = socketio.AsyncClient(reconnection=False, http_session=http, handle_sigint=False,
                                   websocket_extra_options=BROWSER_WEBSOCKET)
        seen: set[str] = set()

        def on_called(data):
            now = time.monotonic()
            counts["events"] += 1
            number = data.get("number") if isinstance(data, dict) else None
            if number is not None and number not in seen:
                seen.add(number)
                display_called.setdefault(number, []).append(now)

        def on_disconnect(*_args):
            if running["measuring"]:
                counts["disconnects"] += 1

        sio.on("called", on_called, namespace=namespace)
        sio.on("disconnect", on_disconnect, namespace=namespace)
        await sio.connect(base_url, namespaces=[namespace], transports=["websocket"],
                          wait_timeout=CONNECT_TIMEOUT_S)
        clients.append(sio)

    async def connect_phone(token: str) -> None:
        sio = socketio.AsyncClient(reconnection=False, http_session=http, handle_sigint=False,
                                   websocket_extra_options=BROWSER_WEBSOCKET)
        first = loop.create_future()

        def on_ticket(data):
            now = time.monotonic()
            counts["events"] += 1
            if not first.done():
                first.set_result(data)
            elif running["measuring"]:
                phone_updates.append(now)
            if isinstance(data, dict) and data.get("status") == "called" and token not in phone_called:
                phone_called[token] = now

        def on_error(data):
            if not first.done():
                first.set_exception(RuntimeError(f"watch refused: {data}"))

        def on_disconnect(*_args):
            if running["measuring"]:
                counts["disconnects"] += 1

        sio.on("ticket", on_ticket, namespace=namespace)
        sio.on("error", on_error, namespace=namespace)
        sio.on("disconnect", on_disconnect, namespace=namespace)
        await sio.connect(base_url, namespaces=[namespace], transports=["websocket"],
                          wait_timeout=CONNECT_TIMEOUT_S)
        clients.append(sio)
        await sio.emit("watch", {"token": token}, namespace=namespace)
        await asyncio.wait_for(first, CONNECT_TIMEOUT_S)

    connect = connect_display if role == "display" else connect_phone
    cpu_s = await _measure(items, connect, connect_deadline_s, conn, role, errors, running)
    conn.send(("results", {"role": role, "display_called": display_called, "phone_called": phone_called,
                           "phone_updates": phone_updates,
                           "events": counts["events"], "disconnects": counts["disconnects"], "cpu_s": cpu_s}))

    async def close(sio) -> None:
        try:
            await asyncio.wait_for(sio.disconnect(), 5)
        except Exception:
            pass

    try:
        await asyncio.wait_for(asyncio.gather(*(close(sio) for sio in clients)), 30)
    except Exception:
        pass
    await http.close()


async def _lean_client_main(role: str, base_url: str, items: list, conn, connect_deadline_s: float) -> None:
    """The same clients speaking engine.io by hand: each frame is stamped on arrival and parsed
    after the measurement, so the clients' own work (python-socketio decodes and dispatches
    every frame; on a 2-core machine as much CPU as the server spends) stays out of the
    server's figure, as with phones and displays that are devices of their own."""
    import aiohttp

    loop = asyncio.get_running_loop()
    namespace = "/display" if role == "display" else "/ticket"
    url = base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, force_close=False))
    sockets: list = []
    frames: list[list] = []      # per connection: (arrival, text) while measuring
    tokens: list[str | None] = []
    counts = {"disconnects": 0}
    errors: dict[str, int] = {}
    running = {"measuring": False}
    event_prefix = f"42{namespace},"

    async def read(ws, inbox: list, first) -> None:
        async for message in ws:
            now = time.monotonic()
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            data = message.data
            if data == "2":
                await ws.send_str("3")
            elif running["measuring"]:
                inbox.append((now, data))
            elif not first.done() and data.startswith(event_prefix + '["ticket"'):
                first.set_result(data)
            elif not first.done() and data.startswith(event_prefix + '["error"'):
                first.set_exception(RuntimeError(f"watch refused: {data[:200]}"))
        if running["measuring"]:
            counts["disconnects"] += 1

    async def connect(item) -> None:
        ws = await http.ws_connect(url, **BROWSER_WEBSOCKET)
        opened = await ws.receive_str(timeout=CONNECT_TIMEOUT_S)
        if not opened.startswith("0{"):
            raise RuntimeError(f"no engine.io open: {opened[:80]}")
        await ws.send_str(f"40{namespace},")
        first = loop.create_future()
        if role == "display":
            first.set_result(None)
        inbox: list = []
        task = loop.create_task(read(ws, inbox, first))
        if role == "phone":
            await ws.send_str(event_prefix + json.dumps(["watch", {"token": item}]))
            await asyncio.wait_for(first, CONNECT_TIMEOUT_S)
        sockets.append((ws, task))
        frames.append(inbox)
        tokens.append(item if role == "phone" else None)

    cpu_s = await _measure(items, connect, connect_deadline_s, conn, role, errors, running)
    # Parsed now, outside the measurement, into what the python-socketio clients report.
    display_called: dict[str, list[float]] = {}
    phone_called: dict[str, float] = {}
    phone_updates: list[float] = []
    events = 0
    for inbox, token in zip(frames, tokens):
        seen: set[str] = set()
        for arrival, data in inbox:
            if not data.startswith(event_prefix):
                continue
            name, payload = json.loads(data[len(event_prefix):])[:2]
            events += name == ("called" if role == "display" else "ticket")
            if role == "display" and name == "called" and isinstance(payload, dict):
                number = payload.get("number")
                if number is not None and number not in seen:
                    seen.add(number)
                    display_called.setdefault(number, []).append(arrival)
            elif role == "phone" and name == "ticket":
                phone_updates.append(arrival)
                if isinstance(payload, dict) and payload.get("status") == "called" and token not in phone_called:
                    phone_called[token] = arrival
    conn.send(("results", {"role": role, "display_called": display_called, "phone_called": phone_called,
                           "phone_updates": phone_updates, "events": events,
                           "disconnects": counts["disconnects"], "cpu_s": cpu_s}))
    for ws, task in sockets:
        try:
            await asyncio.wait_for(ws.close(), 2)
        except Exception:
            pass
        task.cancel()
    await http.close()


# -- the driver ---------------------------------------------------------------------------

def _split(items: list, parts: int) -> list[list]:
    parts = max(1, min(parts, len(items))) if items else 1
    return [items[index::parts] for index in range(parts)]


def run(mode: str, *, displays: int = 50, phones: int = 950, calls: int = 100, spacing_s: float = 0.1,
        phone_procs: int = 2, connect_deadline_s: float = 60.0, keep: bool = False, log=print,
        server_env: dict | None = None, while_calling=None, clients: str = "lean") -> dict:
    """One run of scenario (a) + (e) on a fresh server; returns the figures.

    `while_calling(srv)`, if given, is called once every client is connected, just before the
    calls start, and returns a function called when they end (bench.profile samples the worker
    in between).
    """
    result: dict = {"scenario": "realtime", "mode": mode, "displays_wanted": displays, "phones_wanted": phones,
                    "calls_wanted": calls, "clients": clients}
    with bench_server.start(mode, keep=keep, extra_env=server_env) as srv:
        base = srv.base_url
        tickets = issue_many(base, srv.instance.kiosk_tokens, round_robin(SERVICES, max(phones, 2 * calls)))
        token_by_id = {ticket["id"]: ticket["token"] for ticket in tickets[:phones]}
        # A real office prints its tickets: one printed ticket (PDF with its QR code) loads the
        # printing libraries into the worker before its memory is read, as on any office day.
        printed = requests.get(tickets[0]["pdf_url"], timeout=HTTP_TIMEOUT_S)
        if printed.status_code != 200:
            raise RuntimeError(f"ticket print answered {printed.status_code}")
        rss_idle = srv.worker_status_kb("VmRSS")
        log(f"  [{mode}] issued {len(tickets)} tickets; connecting {displays} displays + {phones} phones…")

        context = multiprocessing.get_context("spawn")
        workers = []
        plans = ([("display", list(range(displays)))] if displays else []) + \
            [("phone", chunk) for chunk in _split([t["token"] for t in tickets[:phones]], phone_procs) if chunk]
        for role, items in plans:
            parent, child = context.Pipe()
            process = context.Process(target=client_worker, daemon=True,
                                      args=(role, base, items, child, connect_deadline_s, clients == "lean"))
            process.start()
            workers.append((role, process, parent))
        try:
            ready = []
            for role, process, parent in workers:
                if not parent.poll(connect_deadline_s + 60):
                    raise RuntimeError(f"{role} client process did not report")
                kind, info = parent.recv()
                if kind != "ready":
                    raise RuntimeError(f"{role} client process failed: {info}")
                ready.append(info)
            displays_ok = sum(info["connected"] for info in ready if info["role"] == "display")
            phones_ok = sum(info["connected"] for info in ready if info["role"] == "phone")
            errors: dict[str, int] = {}
            for info in ready:
                for kind, count in info["errors"].items():
                    errors[kind] = errors.get(kind, 0) + count
            result.update(displays_connected=displays_ok, phones_connected=phones_ok, connect_errors=errors,
                          connect_s=max(info["connect_s"] for info in ready), server_alive=srv.alive())
            log(f"  [{mode}] connected {displays_ok}/{displays} displays, {phones_ok}/{phones} phones "
                f"in {result['connect_s']:.1f} s" + (f"; errors {errors}" if errors else ""))

            finish = while_calling(srv) if while_calling else None
            calls_done = _drive_calls(srv, calls, spacing_s, result, log)
            if finish:
                finish()
            time.sleep(SETTLE_S)
            result["rss_mb"] = _mb(srv.worker_status_kb("VmRSS"))
            result["hwm_mb"] = _mb(srv.worker_status_kb("VmHWM"))
            result["rss_idle_mb"] = _mb(rss_idle)
            result["worker_threads"] = srv.worker_threads()
            result["server_alive_after"] = srv.alive()

            received = {"display_called": {}, "phone_called": {}, "phone_updates": [], "events": 0,
                        "disconnects": 0, "cpu_s": 0.0}
            for role, _process, parent in workers:
                parent.send("stop")
            for role, _process, parent in workers:
                if not parent.poll(RESULTS_TIMEOUT_S):
                    raise RuntimeError(f"{role} client process sent no results")
                kind, info = parent.recv()
                if kind != "results":
                    raise RuntimeError(f"{role} client process failed: {info}")
                for number, times in info["display_called"].items():
                    received["display_called"].setdefault(number, []).extend(times)
                received["phone_called"].update(info["phone_called"])
                received["phone_updates"].extend(info.get("phone_updates", []))
                received["events"] += info["events"]
                received["disconnects"] += info["disconnects"]
                received["cpu_s"] += info["cpu_s"]
        finally:
            for _role, process, parent in workers:
                process.join(40)
                if process.is_alive():
                    process.terminate()
                    process.join(5)
                parent.close()
        time.sleep(1.0)
        result["rss_after_disconnect_mb"] = _mb(srv.worker_status_kb("VmRSS"))
        _figures(result, calls_done, received, token_by_id)
    return result


def _mb(kb: int | None) -> float | None:
    return None if kb is None else kb / 1024.0


def _drive_calls(srv, calls: int, spacing_s: float, result: dict, log) -> list[dict]:
    """Press call-next `calls` times, one every `spacing_s`, rotating over CALL_COUNTERS."""
    done: list[dict] = []
    sessions = {}
    try:
        for index, counter in enumerate(CALL_COUNTERS, start=1):
            session = requests.Session()
            token = bench_server.staff_token(srv.base_url, f"bench-officer-{index}",
                                             srv.instance.officers[f"bench-officer-{index}"])
            session.headers["Authorization"] = f"Bearer {token}"
            sessions[counter] = session
    except requests.RequestException as error:
        result["calls_error"] = f"officer sign-in failed: {type(error).__name__}"
        log(f"  [{srv.mode}] {result['calls_error']}")
        return done
    failures = consecutive = 0
    cpu_before = srv.worker_cpu_seconds()
    start = time.monotonic()
    for index in range(calls):
        counter = CALL_COUNTERS[index % len(CALL_COUNTERS)]
        t0 = time.monotonic()
        try:
            response = sessions[counter].post(f"{srv.base_url}/api/counters/{counter}/call-next",
                                              timeout=HTTP_TIMEOUT_S)
            t1 = time.monotonic()
            body = response.json() if response.status_code == 200 else None
            done.append({"t0": t0, "t1": t1, "status": response.status_code, "counter": counter,
                         "number": body and body.get("number"), "id": body and body.get("id")})
            consecutive = 0
        except requests.RequestException as error:
            failures += 1
            consecutive += 1
            done.append({"t0": t0, "t1": None, "status": type(error).__name__, "counter": counter})
            if consecutive >= MAX_CONSECUTIVE_HTTP_FAILURES:
                result["calls_error"] = f"{consecutive} call-next requests in a row failed ({type(error).__name__})"
                log(f"  [{srv.mode}] {result['calls_error']}; giving up")
                break
        next_at = start + (index + 1) * spacing_s
        time.sleep(max(0.0, next_at - time.monotonic()))
    cpu_after = srv.worker_cpu_seconds()
    ok = [call for call in done if call["status"] == 200]
    if cpu_before is not None and cpu_after is not None and ok:
        result["server_cpu_per_call_ms"] = (cpu_after - cpu_before) * 1000.0 / len(done)
    for session in sessions.values():
        session.close()
    return done


def _figures(result: dict, calls: list[dict], received: dict, token_by_id: dict) -> None:
    displays = result.get("displays_connected", 0)
    display_lat, first_display_lat, phone_lat, http_lat = [], [], [], []
    display_missing = phone_missing = phone_unwatched = 0
    per_call = []  # [counter, http ms, all displays ms, phone ms, t0 (monotonic s)] in call order
    for call in calls:
        if call["status"] != 200:
            continue
        row = [call["counter"], round((call["t1"] - call["t0"]) * 1000, 2), None, None, round(call["t0"], 3)]
        http_lat.append(call["t1"] - call["t0"])
        times = received["display_called"].get(call["number"], [])
        if displays:
            if len(times) >= displays:
                display_lat.append(max(times) - call["t0"])
                row[2] = round(display_lat[-1] * 1000, 2)
            else:
                display_missing += 1
            if times:
                first_display_lat.append(min(times) - call["t0"])
        token = token_by_id.get(call["id"])
        if token is None:
            phone_unwatched += 1
        elif token in received["phone_called"]:
            phone_lat.append(received["phone_called"][token] - call["t0"])
            row[3] = round(phone_lat[-1] * 1000, 2)
        else:
            phone_missing += 1
        per_call.append(row)
    # Every phone's update after a call: a call moves everyone behind the called visitor up one
    # place, so every phone watching that service (and the called one) is sent its new view.
    # Updates are attributed to the latest call sent before them (calls are `spacing` apart, so
    # this holds while the fan-out takes less than that).
    fanout_lat, fanout_counts = [], []
    updates = sorted(received["phone_updates"])
    sent = [call for call in calls if call["status"] == 200]
    for index, call in enumerate(sent):
        until = sent[index + 1]["t0"] if index + 1 < len(sent) else call["t0"] + 1.0
        window = [moment for moment in updates if call["t0"] <= moment < until]
        if window:
            fanout_lat.append(max(window) - call["t0"])
            fanout_counts.append(len(window))
    result.update(
        phone_fanout_ms=summary_ms(fanout_lat),
        phone_fanout_updates_per_call=(sum(fanout_counts) / len(fanout_counts)) if fanout_counts else 0,
        calls_sent=len(calls),
        calls_200=sum(1 for call in calls if call["status"] == 200),
        calls_204=sum(1 for call in calls if call["status"] == 204),
        calls_failed=sum(1 for call in calls if call["status"] not in (200, 204)),
        http_ms=summary_ms(http_lat),
        display_all_ms=summary_ms(display_lat),
        display_first_ms=summary_ms(first_display_lat),
        display_missing=display_missing,
        phone_ms=summary_ms(phone_lat),
        phone_missing=phone_missing,
        phone_unwatched=phone_unwatched,
        client_events=received["events"],
        client_disconnects=received["disconnects"],
        per_call=per_call,
        clients_cpu_per_call_ms=received["cpu_s"] * 1000.0 / len(calls) if calls else None,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("gevent", "threading"), default="gevent")
    parser.add_argument("--displays", type=int, default=50)
    parser.add_argument("--phones", type=int, default=950)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--spacing", type=float, default=0.1, help="seconds between calls")
    parser.add_argument("--phone-procs", type=int, default=2, help="client processes for the phones")
    parser.add_argument("--connect-deadline", type=float, default=60.0, help="seconds for all clients to connect")
    parser.add_argument("--keep", action="store_true", help="keep the instance folder and server log")
    parser.add_argument("--clients", choices=CLIENTS, default="lean",
                        help="lean: engine.io by hand, frames parsed after the run; socketio: python-socketio")
    args = parser.parse_args(argv)
    result = run(args.mode, displays=args.displays, phones=args.phones, calls=args.calls, spacing_s=args.spacing,
                 phone_procs=args.phone_procs, connect_deadline_s=args.connect_deadline, keep=args.keep,
                 clients=args.clients)
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
