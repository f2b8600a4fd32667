"""Fixtures shared by the whole suite: a demo office on a temp-file database, clients, a live server."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shared.instance import ensure_instance
from shared.web import create_app
from tests.helpers.live import DemoLogins, Server, demo_instance, launch, read_demo_logins


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


@pytest.fixture
def servers():
    """Start servers with `servers(instance, **launch_options)`; every one is stopped after the test."""
    started: list[Server] = []

    def start(instance: Path, **kwargs) -> Server:
        server = launch(instance, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def live_server(tmp_path, servers) -> Server:
    """A real server (gunicorn + gevent) for a fresh demo office; `.logins` has its accounts."""
    return servers(demo_instance(tmp_path / "live-instance"))
