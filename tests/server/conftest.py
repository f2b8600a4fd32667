"""Fixtures of the live-server tests; `servers` and `live_server` come from tests/conftest.py,
the helpers themselves from `tests.helpers`."""
from __future__ import annotations

import pytest

from tests.helpers.sockets import Recorder


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
