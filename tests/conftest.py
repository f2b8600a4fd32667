"""Fixtures shared by the whole suite: a demo office on a temp-file database, clients, a live server."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from shared.instance import ensure_instance
from shared.web import create_app

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class DemoLogins:
    """The credentials a fresh demo instance was created with."""

    kiosk_token: str
    passwords: dict[str, str]


def read_demo_logins(instance: Path) -> DemoLogins:
    note = (instance / "demo-credentials.txt").read_text()
    passwords = dict(re.findall(r"user (\S+)\s+password (\S+)", note))
    return DemoLogins(note.rsplit("Demo kiosk token: ", 1)[1].strip(), passwords)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """One demo office made per session (password hashing is slow on purpose); tests copy it."""
    path = tmp_path_factory.mktemp("template") / "instance"
    ensure_instance(path)
    return path


@pytest.fixture
def instance_dir(tmp_path, demo_template) -> Path:
    """A fresh demo office in a temp folder (a real file database, WAL and all)."""
    path = tmp_path / "instance"
    shutil.copytree(demo_template, path)
    return path


@pytest.fixture
def demo(instance_dir) -> DemoLogins:
    return read_demo_logins(instance_dir)


@pytest.fixture
def app(instance_dir):
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def kiosk_headers(demo) -> dict:
    return {"Authorization": f"Bearer {demo.kiosk_token}"}


@pytest.fixture
def staff_headers(client, demo):
    """Bearer headers for a demo staff role: `staff_headers("officer")`."""

    def headers(role: str = "officer") -> dict:
        username = {"officer": "petugas", "supervisor": "supervisor", "admin": "admin"}[role]
        response = client.post("/api/login", json={"username": username, "password": demo.passwords[username]})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return headers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveServer:
    """`antrean serve` running in a child process on loopback."""

    base_url: str
    instance: Path
    logins: DemoLogins
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(instance: Path, *, async_mode: str = "gevent", extra_env: dict | None = None) -> LiveServer:
    """Start the production server on a free port and wait until `GET /api/services` answers."""
    ensure_instance(instance)
    port = free_port()
    env = {**os.environ, **(extra_env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "--instance", str(instance), "serve", "--port", str(port),
         "--async-mode", async_mode, "--quiet"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base_url}/api/services", timeout=1).status_code == 200:
                return LiveServer(base_url, instance, read_demo_logins(instance), process)
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not answer within 30 s")


@pytest.fixture
def live_server(tmp_path):
    """A real server (gunicorn + gevent) for a fresh demo office, stopped after the test."""
    server = start_server(tmp_path / "live-instance")
    yield server
    server.stop()
