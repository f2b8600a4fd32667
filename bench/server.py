"""A bench server: a fresh demo instance tuned for load, `antrean serve` in a child process.

The instance gets its kiosk rate limit, capacity cap and daily quotas lifted (office.toml
`[kiosk] rate_limit`, `[capacity] max_inside`, `daily_quota`), four extra kiosks
(`antrean kiosk add`) and four extra officers (`antrean user add`), all through the command
line as an operator would. Starting, stopping and the command line are the test suite's
(`tests.helpers.live`), so the bench measures the very server the tests check; the server's
output goes to server.log in the scenario's folder, never to a pipe nobody reads (a full
pipe would stall the server under load).
"""
from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.helpers.live import Server, add_kiosk, add_officer, child_pids, demo_instance, launch, read_demo_logins

BENCH_RATE_LIMIT = "100000 per minute"
KIOSKS = 4
OFFICERS = 4


@dataclass
class Instance:
    """A prepared instance folder and the credentials made for it."""

    path: Path
    kiosk_tokens: list[str]
    officers: dict[str, str]  # username -> password
    demo_passwords: dict[str, str] = field(default_factory=dict)


def prepare_instance(root: Path, *, kiosks: int = KIOSKS, officers: int = OFFICERS) -> Instance:
    """A fresh demo office in `root` with a bench-sized kiosk rate limit, kiosks and officers."""
    path = demo_instance(root / "instance")  # made here: no CLI call is left to make it
    kiosk_tokens = [add_kiosk(path, f"bench-kiosk-{index}") for index in range(1, kiosks + 1)]
    config = path / "office.toml"
    text, count = re.subn(r'(?m)^rate_limit\s*=\s*"[^"]*"', f'rate_limit = "{BENCH_RATE_LIMIT}"', config.read_text())
    if count != 1:
        raise RuntimeError("office.toml has no [kiosk] rate_limit line to rewrite")
    # A capped office (`[capacity] max_inside`, when the office file has it) sends tickets past
    # the cap to wait outside, where no counter can call them: the bench measures the queue
    # itself, so it lifts the cap as it lifts the rate limit. Daily quotas go for the same
    # reason: a bench issues thousands of tickets in seconds.
    text = re.sub(r'(?m)^max_inside\s*=\s*\d+', "max_inside = 0", text)
    text = re.sub(r'(?m)^daily_quota\s*=\s*\d+\s*$', "", text)
    config.write_text(text)
    passwords = {}
    for index in range(1, officers + 1):
        username, password = f"bench-officer-{index}", secrets.token_hex(8)
        add_officer(path, username, password)
        passwords[username] = password
    return Instance(path, kiosk_tokens, passwords, read_demo_logins(path).passwords)


@dataclass
class BenchServer:
    """`antrean serve` on loopback for one scenario, with its instance and working folder."""

    mode: str
    server: Server
    instance: Instance
    workdir: Path
    keep: bool = False

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def worker_pid(self) -> int | None:
        """The gunicorn worker: the (only) child of the serving process."""
        children = child_pids(self.server.process.pid)
        return children[0] if children else None

    def worker_status_kb(self, key: str) -> int | None:
        """A `kB` line of /proc/<worker>/status (VmRSS, VmHWM…)."""
        pid = self.worker_pid()
        if pid is None:
            return None
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        except OSError:
            return None
        return None

    def worker_threads(self) -> int | None:
        pid = self.worker_pid()
        try:
            return len(os.listdir(f"/proc/{pid}/task")) if pid else None
        except OSError:
            return None

    def worker_cpu_seconds(self) -> float | None:
        """utime + stime of the worker, in seconds."""
        pid = self.worker_pid()
        if pid is None:
            return None
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.server.alive()

    def log_tail(self, chars: int = 2000) -> str:
        return self.server.log_tail(chars)

    def stop(self) -> None:
        """Stop the server (worker included) and drop the working folder unless asked to keep it."""
        try:
            self.server.stop()
        finally:
            if not self.keep:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> BenchServer:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


_template: Instance | None = None
_instance_root: str | None = None


def configure(*, instance_root: str | None = None) -> None:
    """Where instance folders are made (default: the system temp folder; e.g. /dev/shm for tmpfs)."""
    global _instance_root, _template
    _instance_root = instance_root
    _template = None


def fresh_instance(workdir: Path) -> Instance:
    """A copy of this process's prepared template instance (made on first use) in `workdir`.

    Preparing costs several `antrean` commands (seconds); copying the folder gives every
    scenario the same fresh office — no tickets yet — for a fraction of that.
    """
    global _template
    if _template is None or not _template.path.exists():
        template_root = Path(tempfile.mkdtemp(prefix="antrean-bench-template-", dir=_instance_root))
        _template = prepare_instance(template_root)
        atexit.register(shutil.rmtree, template_root, True)
    path = workdir / "instance"
    shutil.copytree(_template.path, path)
    return Instance(path, list(_template.kiosk_tokens), dict(_template.officers), dict(_template.demo_passwords))


def start(mode: str, *, keep: bool = False, access_log: bool = False, extra_env: dict | None = None,
          edit_office: Callable[[Path], None] | None = None) -> BenchServer:
    """A fresh instance and `antrean serve --async-mode MODE [--quiet]` on it, once it answers.

    `access_log` keeps gunicorn's access log (with each request's server time) in server.log,
    for diagnosis; the figures are taken without it, as `--quiet`. `extra_env` is added to
    the server's environment (diagnosis only, e.g. a PYTHONPATH with a sitecustomize).
    `edit_office` gets the copied instance folder before the server starts, for a scenario
    that needs other office rules than the template's (e.g. a wider booking window).
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"antrean-bench-{mode}-", dir=_instance_root))
    try:
        instance = fresh_instance(workdir)
        if edit_office is not None:
            edit_office(instance.path)
        server = launch(instance.path, async_mode=mode, env=extra_env, quiet=not access_log,
                        log=workdir / "server.log")
    except BaseException:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
        raise
    return BenchServer(mode, server, instance, workdir, keep)


def staff_token(base_url: str, username: str, password: str) -> str:
    response = requests.post(f"{base_url}/api/login", json={"username": username, "password": password}, timeout=10)
    response.raise_for_status()
    return response.json()["token"]
