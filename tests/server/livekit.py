"""Helpers for the live-server tests: custom offices, CLI accounts, Socket.IO clients, hard kills.

Everything here talks to a real `antrean serve` (gunicorn + gevent) on 127.0.0.1 and bounds
every wait with a timeout, so a broken server fails a test instead of hanging the suite.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import engineio
import pytest
import requests
import socketio

REPO = Path(__file__).resolve().parents[2]
WAIT = 10.0  # seconds: upper bound of any single wait on the server


# -- instances ----------------------------------------------------------------------------

def write_office(instance: Path, *, counters: int = 8, rate_limit: str = "100000 per minute") -> Path:
    """An office with one service `umum` (prefix A) served by counters 1..`counters`."""
    instance.mkdir(parents=True, exist_ok=True)
    lines = [
        "[office]",
        'name = "Kantor Uji Konkurensi"',
        'timezone = "Asia/Jakarta"',
        "",
        "[kiosk]",
        f'rate_limit = "{rate_limit}"',
        "",
        "[[services]]",
        'code = "umum"',
        'name = "Layanan Umum"',
        'name_en = "General services"',
        'prefix = "A"',
        "",
    ]
    for number in range(1, counters + 1):
        lines += ["[[counters]]", f"number = {number}", f'name = "Loket {number}"', 'services = ["umum"]', ""]
    (instance / "office.toml").write_text("\n".join(lines), encoding="utf-8")
    return instance


def cli(instance: Path, *args: str) -> str:
    """Run `python -m shared.cli --instance DIR ...`; its stdout (fails the test on error)."""
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "--instance", str(instance), *args],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def add_kiosk(instance: Path, name: str) -> str:
    """Register a kiosk through the CLI; its token (the last stdout line)."""
    return cli(instance, "kiosk", "add", name).strip().splitlines()[-1].strip()


def add_officer(instance: Path, name: str, password: str) -> None:
    cli(instance, "user", "add", name, "--role", "officer", "--password", password)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class DemoLogins:
    """The credentials a fresh demo instance was created with (as in tests/conftest.py)."""

    kiosk_token: str
    passwords: dict[str, str]


def read_demo_logins(instance: Path) -> DemoLogins:
    note = (instance / "demo-credentials.txt").read_text()
    passwords = dict(re.findall(r"user (\S+)\s+password (\S+)", note))
    return DemoLogins(note.rsplit("Demo kiosk token: ", 1)[1].strip(), passwords)


def demo_instance(instance: Path) -> Path:
    """A fresh demo office (the product's template and demo accounts) in `instance`."""
    from shared.instance import ensure_instance

    _paths, created = ensure_instance(instance)
    assert created
    return instance


# -- the server process -------------------------------------------------------------------

@dataclass
class Server:
    """A running `antrean serve` (the gunicorn master) and its instance folder."""

    base_url: str
    instance: Path
    process: subprocess.Popen
    log: Path | None = None
    logins: DemoLogins | None = None  # set for demo offices

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's stderr (gunicorn's error log), for failure messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:] if self.log else ""
        except FileNotFoundError:
            return ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def stop(self) -> None:
        """Stop the master, which stops its worker (SIGQUIT, quick shutdown); SIGKILL if it hangs."""
        children = workers(self.process.pid) if self.process.poll() is None else []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # gunicorn's quick shutdown: ~0.7 s, not ~2 s
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for pid, cmdline in children:
            _kill_and_wait_gone(pid, cmdline)

    def kill_hard(self) -> None:
        kill_hard(self.process)


def kill_hard(process: subprocess.Popen) -> None:
    """SIGKILL the gunicorn master and its worker(s): a crash, no clean shutdown at all."""
    children = workers(process.pid)
    assert children, "the gunicorn master has no worker process"
    process.kill()
    process.wait(timeout=WAIT)
    for pid, cmdline in children:
        _kill_and_wait_gone(pid, cmdline)


def workers(pid: int) -> list[tuple[int, bytes | None]]:
    """The master's worker processes with their command lines (to recognise them later)."""
    return [(child, _cmdline(child)) for child in child_pids(pid)]


def child_pids(pid: int) -> list[int]:
    """Direct children of a process, read from /proc (every thread's `children` file)."""
    pids: set[int] = set()
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except FileNotFoundError:
        return []
    for task in tasks:
        try:
            pids.update(int(item) for item in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return sorted(pids)


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True
    return state in ("Z", "X")  # a zombie no longer runs or holds sockets/locks


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _kill_and_wait_gone(pid: int, cmdline: bytes | None) -> None:
    """SIGKILL a worker found earlier, unless its pid now belongs to some other program."""
    if cmdline is None or _cmdline(pid) != cmdline:
        return  # already gone (and maybe the pid reused): nothing of ours to kill
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + WAIT
    while not _gone(pid):
        assert time.monotonic() < deadline, f"process {pid} survived SIGKILL"
        time.sleep(0.02)


def launch(instance: Path, *, async_mode: str = "gevent") -> Server:
    """Start the production server on an existing instance and wait until it answers.

    Unlike `start_server` in tests/conftest.py this needs no demo-credentials.txt, so it
    works for offices whose accounts the test made itself.
    """
    assert (instance / "office.toml").exists(), "write office.toml (or call ensure_instance) first"
    port = free_port()
    log = instance.parent / f"{instance.name}-server-{port}.log"
    with open(log, "wb") as sink:  # a file, not a pipe: a chatty server can never block on it
        process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "--instance", str(instance), "serve", "--port", str(port),
             "--async-mode", async_mode, "--quiet"],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=sink,
        )
    logins = read_demo_logins(instance) if (instance / "demo-credentials.txt").exists() else None
    server = Server(f"http://127.0.0.1:{port}", instance, process, log, logins)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {server.log_tail()}")
        try:
            if requests.get(server.url("/api/services"), timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError("server did not answer within 30 s")


# -- HTTP ---------------------------------------------------------------------------------

def login(base_url: str, username: str, password: str) -> str:
    response = requests.post(f"{base_url}/api/login", json={"username": username, "password": password}, timeout=WAIT)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# -- Socket.IO ------------------------------------------------------------------------------

class _InOrderEngineIO(engineio.Client):
    """engine.io client that hands messages to Socket.IO in the order they came off the wire.

    The stock client runs each incoming message's handler in a new thread
    (`_trigger_event("message", ..., run_async=True)`), so handlers may run out of wire order;
    a test of event *order* must not depend on thread scheduling.
    """

    def _trigger_event(self, event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):
    """A python-socketio client whose event handlers run in arrival order (see above)."""

    def _engineio_client_class(self):
        return _InOrderEngineIO


class Recorder:
    """Collects Socket.IO events of one namespace in arrival order; waits with timeouts."""

    def __init__(self, namespace: str, names: tuple[str, ...]):
        self.namespace = namespace
        self.events: list[tuple[str, object]] = []
        self._cond = threading.Condition()
        self.client = InOrderClient(reconnection=False, request_timeout=WAIT)
        for name in names:
            self.client.on(name, self._handler(name), namespace=namespace)

    def _handler(self, name: str):
        def handle(data=None):
            with self._cond:
                self.events.append((name, data))
                self._cond.notify_all()

        return handle

    def connect(self, base_url: str, **kwargs) -> "Recorder":
        self.client.connect(base_url, namespaces=[self.namespace], transports=["websocket"],
                            wait_timeout=WAIT, **kwargs)
        return self

    def of(self, name: str) -> list:
        with self._cond:
            return [data for event, data in self.events if event == name]

    def wait_for(self, predicate, timeout: float = WAIT, what: str = "event"):
        """Wait until `predicate(events)` is truthy; return its value, or fail after `timeout`.

        The predicate runs outside the lock (it may ask the server something) on a copy of
        the events so far, again after each new event and at least every 0.2 s.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                seen = list(self.events)
            value = predicate(seen)
            if value:
                return value
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                names = [event for event, _ in seen][-20:]
                pytest.fail(f"timed out after {timeout} s waiting for {what}; last events: {names}")
            with self._cond:
                self._cond.wait_for(lambda: len(self.events) != len(seen), timeout=min(remaining, 0.2))

    def close(self) -> None:
        try:
            self.client.disconnect()
        except Exception:  # already gone (server killed, refused connect)
            pass


# -- a custom office, ready to serve ----------------------------------------------------------

OFFICER_PASSWORD = "kata-sandi-loket-panjang"


@dataclass
class CustomOffice:
    instance: Path
    kiosk_tokens: list[str]
    officers: list[str]  # usernames; the password is OFFICER_PASSWORD


def build_office(instance: Path, *, counters: int = 8, kiosks: int = 1, officers: int = 0,
                 rate_limit: str = "100000 per minute") -> CustomOffice:
    """Write office.toml first (so no demo office is made), then add accounts with the CLI."""
    write_office(instance, counters=counters, rate_limit=rate_limit)
    assert not (instance / "demo-credentials.txt").exists()
    names = [f"loket{index}" for index in range(1, officers + 1)]
    # Each CLI call is a fresh Python process (~0.4 s); run a few at once. Their writes are
    # serialised by SQLite (BEGIN IMMEDIATE + busy timeout), which is part of the CLI's job.
    with ThreadPoolExecutor(max_workers=4) as pool:
        kiosk_jobs = [pool.submit(add_kiosk, instance, f"Kiosk {index}") for index in range(1, kiosks + 1)]
        officer_jobs = [pool.submit(add_officer, instance, name, OFFICER_PASSWORD) for name in names]
        tokens = [job.result(timeout=60) for job in kiosk_jobs]
        for job in officer_jobs:
            job.result(timeout=60)
    assert not (instance / "demo-credentials.txt").exists(), "the CLI turned the custom office into the demo"
    return CustomOffice(instance, tokens, names)


def issue(session: requests.Session, base_url: str, kiosk_token: str, service: str, lane: str = "general",
          **headers) -> requests.Response:
    return session.post(f"{base_url}/api/tickets", json={"service": service, "lane": lane},
                        headers={**bearer(kiosk_token), **headers}, timeout=WAIT)


def read_only_db(instance: Path) -> sqlite3.Connection:
    """The office database opened read-only (the server may still be running)."""
    return sqlite3.connect(f"file:{instance / 'antrean.sqlite3'}?mode=ro", uri=True, timeout=WAIT)


def assert_error_shape(response: requests.Response, status: int, code: str) -> None:
    """The contract's one error shape: {"error": {"code", "message"}} with a readable message."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip(), body
