"""Fixtures of the live-server tests; the helpers themselves live in `livekit`."""
from __future__ import annotations

from pathlib import Path

import pytest

from livekit import Recorder, Server, demo_instance, launch


@pytest.fixture
def servers():
    """Start servers with `servers(instance)`; every one is stopped after the test."""
    started: list[Server] = []

    def start(instance: Path, **kwargs) -> Server:
        server = launch(instance, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def demo_server(tmp_path, servers) -> Server:
    """A live demo office (like `live_server`, with a quicker stop); `.logins` has its accounts."""
    return servers(demo_instance(tmp_path / "demo-instance"))


@pytest.fixture
def recorders():
    """`recorders(namespace, names)` → a Recorder, disconnected after the test."""
    made: list[Recorder] = []

    def make(namespace: str, names: tuple[str, ...]) -> Recorder:
        recorder = Recorder(namespace, names)
        made.append(recorder)
        return recorder

    yield make
    for recorder in made:
        recorder.close()
