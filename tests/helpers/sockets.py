"""Socket.IO clients for tests against a live server: events recorded in wire order.

Kept apart from `tests.helpers.live` because waiting here fails the test through pytest,
which the bench (a user of `live`) must not need.
"""
from __future__ import annotations

import threading
import time

import engineio
import pytest
import socketio
import websocket

from .live import WAIT


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


# -- engine.io by hand -------------------------------------------------------------------------

def ws_url(server) -> str:
    return server.base_url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"


def raw_socket(server, namespace: str | None = "/ticket") -> websocket.WebSocket:
    """A websocket speaking engine.io by hand, joined to `namespace` when given."""
    ws = websocket.create_connection(ws_url(server), timeout=WAIT)
    assert ws.recv().startswith("0{")  # engine.io open
    if namespace:
        ws.send(f"40{namespace},")
        assert ws.recv().startswith(f"40{namespace},")
    return ws
