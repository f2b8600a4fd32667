"""A real `antrean serve` (gunicorn + gevent or threads) on 127.0.0.1, and what it takes to
prepare an office for it and talk to it.

Every wait is bounded (`WAIT`, `START_TIMEOUT_S`), so a broken server fails a test or a bench
scenario instead of hanging it. The server's output goes to a log FILE, never to a pipe:
nobody reads a pipe while the server runs, and a full one would stall the server.

This module does not import pytest: `bench/` uses it outside a test run, so what the bench
calls (instances, the CLI, the server process) raises ordinary exceptions, which a test
reports as a failure all the same; only the test-side checks (`assert_error_shape`, ...) assert.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import requests

from shared.instance import ensure_instance

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
WAIT = 10.0             # seconds: upper bound of any single wait on the server
START_TIMEOUT_S = 30.0  # until a fresh server answers `GET /api/services`
CLI_TIMEOUT_S = 60.0


# -- instances ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoLogins:
    """The credentials a fresh demo instance was created with."""

    kiosk_token: str
    passwords: dict[str, str]


def read_demo_logins(instance: Path) -> DemoLogins:
    """The demo accounts, from the note `ensure_instance` writes (the only place they are kept)."""
    note = (instance / "demo-credentials.txt").read_text()
    passwords = dict(re.findall(r"user (\S+)\s+password (\S+)", note))
    return DemoLogins(note.rsplit("Demo kiosk token: ", 1)[1].strip(), passwords)


def demo_instance(instance: Path) -> Path:
    """A fresh demo office (the product's template and demo accounts) in `instance`.

    Made here, in-process, before any CLI call or server start: the command line makes the
    demo office in an empty folder only when asked to (`--demo`), so no helper may count on a
    CLI call doing it by the way. An existing office is refused: "fresh" is the point.
    """
    _paths, created = ensure_instance(instance)
    if not created:
        raise FileExistsError(f"{instance} already holds an office; a demo office needs an empty folder")
    return instance


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


def read_only_db(instance: Path) -> sqlite3.Connection:
    """The office database opened read-only (the server may still be running)."""
    return sqlite3.connect(f"file:{instance / 'antrean.sqlite3'}?mode=ro", uri=True, timeout=WAIT)


def rows_in_the_file_alone(database: Path, scratch: Path, table: str) -> int:
    """Rows of `table` in the database file itself, copied without its WAL into `scratch`:
    what checkpoints have copied there so far."""
    copy = scratch / f"file-alone-{time.monotonic_ns()}.sqlite3"
    shutil.copyfile(database, copy)
    connection = sqlite3.connect(copy)
    try:
        return connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


# -- the command line -----------------------------------------------------------------------

class CliError(RuntimeError):
    """`antrean ...` exited non-zero; the message ends with its stderr."""


def cli(instance: Path, *args: str) -> str:
    """Run `python -m shared.cli --instance DIR ...` as an operator would; its stdout.

    A separate process on purpose: the CLI's own start-up, locking and exit codes are part
    of what is used. The folder must hold an office already (see `demo_instance`).
    """
    result = subprocess.run(
        [PYTHON, "-m", "shared.cli", "--instance", str(instance), *args],
        cwd=REPO, capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise CliError(f"antrean {' '.join(args[:2])} exited {result.returncode}: {result.stderr[-2000:]}")
    return result.stdout


def add_kiosk(instance: Path, name: str) -> str:
    """Register a kiosk through the CLI; its token (the last stdout line)."""
    return cli(instance, "kiosk", "add", name).strip().splitlines()[-1].strip()


def add_officer(instance: Path, name: str, password: str) -> None:
    cli(instance, "user", "add", name, "--role", "officer", "--password", password)


# -- the server process -------------------------------------------------------------------

def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running `antrean serve` (the gunicorn master), its instance folder and its log file."""

    base_url: str
    instance: Path
    process: subprocess.Popen
    log: Path
    logins: DemoLogins | None = None  # set for demo offices

    def url(self, path: str) -> str:
        return self.base_url + path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's output (gunicorn's error log), for failure messages."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    def workers(self) -> list[tuple[int, bytes | None]]:
        """The master's worker processes with their command lines (to recognise them later)."""
        return workers(self.process.pid)

    def stop(self) -> None:
        """Stop the master and make sure its worker is gone as well.

        SIGQUIT is gunicorn's quick shutdown (~0.7 s; SIGTERM waits ~2 s for open websockets);
        SIGKILL if the master hangs. A worker left behind would keep the port, the database
        and its memory, so it is killed and reaped here too.
        """
        children = self.workers() if self.alive() else []
        if self.alive():
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=WAIT)
        for pid, cmdline in children:
            _kill_and_wait_gone(pid, cmdline)

    def kill_hard(self) -> None:
        """SIGKILL the master and its worker(s): a crash, no clean shutdown at all."""
        children = self.workers()
        if not children:
            raise RuntimeError("the gunicorn master has no worker process")
        self.process.kill()
        self.process.wait(timeout=WAIT)
        for pid, cmdline in children:
            _kill_and_wait_gone(pid, cmdline)


def launch(instance: Path, *, async_mode: str = "gevent", env: dict | None = None, port: int | None = None,
           quiet: bool = True, log: Path | None = None, timeout: float = START_TIMEOUT_S) -> Server:
    """Start `antrean serve` on an existing office and wait until `GET /api/services` answers.

    The office must exist (`demo_instance`, `write_office`, a copy): `serve` is not left to
    make one. `env` is added to this process's environment; a fixed `port` lets a restarted
    server be found by the same pages; `quiet=False` keeps gunicorn's access log. The output
    is appended to `log` (default: beside the instance), so a restart keeps the earlier lines.
    """
    if not (instance / "office.toml").exists():
        raise FileNotFoundError(f"no office.toml in {instance}: make the office (e.g. demo_instance) first")
    port = port or free_port()
    command = serve_command(instance, port, async_mode=async_mode, quiet=quiet)
    return start(command, instance, port, env=env, log=log, timeout=timeout)


def serve_command(instance: Path, port: int, *, async_mode: str = "gevent", quiet: bool = True) -> list[str]:
    """The `antrean serve` command line for `instance` on 127.0.0.1:`port`."""
    return [PYTHON, "-m", "shared.cli", "--instance", str(instance), "serve", "--port", str(port),
            "--async-mode", async_mode, *(["--quiet"] if quiet else [])]


def start(command: list[str], instance: Path, port: int, *, env: dict | None = None, log: Path | None = None,
          timeout: float = START_TIMEOUT_S) -> Server:
    """Run `command` (a serve command, maybe wrapped) and wait until it answers on `port`.

    `instance` is where the demo logins are read from and what `Server.instance` names.
    """
    log = log or instance.parent / f"{instance.name}-server-{port}.log"
    with open(log, "ab") as sink:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, cwd=REPO, env={**os.environ, **(env or {})},
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    logins = read_demo_logins(instance) if (instance / "demo-credentials.txt").exists() else None
    server = Server(f"http://127.0.0.1:{port}", instance, process, log, logins)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {server.log_tail()}")
        try:
            if requests.get(server.url("/api/services"), timeout=1).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.05)
    tail = server.log_tail()
    server.stop()
    raise RuntimeError(f"server did not answer within {timeout:.0f} s: {tail}")


def workers(pid: int) -> list[tuple[int, bytes | None]]:
    """A master's worker processes with their command lines (to recognise them later)."""
    return [(child, _cmdline(child)) for child in child_pids(pid)]


def child_pids(pid: int) -> list[int]:
    """Direct children of a process, from /proc: every thread's `children` file.

    A child is listed under the thread that forked it, so one thread's file is not enough.
    Kernels without those files (CONFIG_PROC_CHILDREN off) get a scan of /proc instead.
    """
    pids: set[int] = set()
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except FileNotFoundError:
        return []
    readable = False
    for task in tasks:
        try:
            pids.update(int(item) for item in (task / "children").read_text().split())
            readable = True
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    if not readable and tasks:
        pids.update(child for child in _all_pids() if _parent(child) == pid)
    return sorted(pids)


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit()]


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (which may hold spaces): state, ppid, ..."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _parent(pid: int) -> int | None:
    fields = _stat_fields(pid)
    return int(fields[1]) if fields else None


def _gone(pid: int) -> bool:
    fields = _stat_fields(pid)
    return not fields or fields[0] in ("Z", "X")  # a zombie no longer runs or holds sockets/locks


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
        if time.monotonic() >= deadline:
            raise RuntimeError(f"process {pid} survived SIGKILL")
        time.sleep(0.02)


# -- the JSON API ---------------------------------------------------------------------------

def login(base_url: str, username: str, password: str) -> str:
    """A staff bearer token from `POST /api/login`."""
    response = requests.post(f"{base_url}/api/login", json={"username": username, "password": password}, timeout=WAIT)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def issue(session: requests.Session, base_url: str, kiosk_token: str, service: str, lane: str = "general",
          **headers) -> requests.Response:
    return session.post(f"{base_url}/api/tickets", json={"service": service, "lane": lane},
                        headers={**bearer(kiosk_token), **headers}, timeout=WAIT)


def assert_error_shape(response: requests.Response, status: int, code: str) -> None:
    """The contract's one error shape: {"error": {"code", "message"}} with a readable message."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers.get("Content-Type", "").startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"].strip(), body
