"""How `GeventWebSocket` writes engine.io's packets (shared/web/websocket.py): at once when the
socket can take them, else through engine.io's writer greenlet, and never out of order.

The socket and engine.io's socket are stand-ins, so each case (a full kernel buffer, half a
frame taken, a write under way, an upgrade not finished) is made to happen exactly."""
from __future__ import annotations

import contextlib
import logging
from types import SimpleNamespace

import pytest
from engineio import packet
from gevent.queue import Queue
from wsproto.connection import Connection, ConnectionType
from wsproto import WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request, TextMessage

from shared.web.websocket import SOCKET_KEY, GeventWebSocket, data_frame

HANDSHAKE = {"HTTP_UPGRADE": "websocket", "HTTP_SEC_WEBSOCKET_VERSION": "13",
             "HTTP_SEC_WEBSOCKET_KEY": "dGhlIHNhbXBsZSBub25jZQ=="}


class FakeSocket:
    """Gunicorn's (gevent) socket: records what went out; `take` says how much each send takes."""

    def __init__(self):
        self.out = bytearray()
        self.take: list = []   # per send: a byte count, or BlockingIOError; empty: everything

    def sendall(self, data):
        self.out += data

    def send(self, data, flags=0, timeout=None):
        assert timeout == 0.0, "a write at once must never wait"
        step = self.take.pop(0) if self.take else len(data)
        if step is BlockingIOError:
            raise BlockingIOError()
        self.out += data[:step]
        return min(step, len(data))

    def settimeout(self, _seconds):
        pass

    def shutdown(self, _how):
        pass


class FakeEngineSocket:
    """engine.io's socket: its handler runs `scenario(self, ws)` once the websocket is open."""

    def __init__(self, scenario, *, upgraded=True):
        self.queue = Queue()
        self.upgraded = upgraded
        self.upgrading = False
        self.sid = "sid"
        self.server = SimpleNamespace(logger=logging.getLogger("test.engineio"), max_http_buffer_size=64 * 1024)
        self.scenario = scenario

    def check_ping_timeout(self):
        return True

    def send(self, pkt):   # engine.io's own: queue for the writer greenlet
        self.queue.put(pkt)

    def handler(self, ws):
        self.scenario(self, ws)


def serve(scenario, *, upgraded=True):
    """Open a websocket on a fake socket and run `scenario(engine, ws)` as engine.io's handler."""
    engine = FakeEngineSocket(scenario, upgraded=upgraded)
    sock = FakeSocket()
    engine.sock = sock
    ws = GeventWebSocket(engine.handler, engine.server)
    with pytest.raises(StopIteration):   # the handshake was answered by hand
        ws(dict(HANDSHAKE, **{SOCKET_KEY: sock}), lambda *_: None)
    return engine, sock


def message(text: str) -> packet.Packet:
    return packet.Packet(packet.MESSAGE, data=text)


def drain_writer(engine, ws) -> None:
    """What engine.io's writer greenlet does with what is queued."""
    while not engine.queue.empty():
        ws.send(engine.queue.get().encode())


def frames(sock: FakeSocket) -> list[str]:
    """The text messages on the wire after the handshake, as a browser reads them."""
    wire = bytes(sock.out).split(b"\r\n\r\n", 1)[1]
    client = Connection(ConnectionType.CLIENT)
    client.receive_data(wire)
    return [event.data for event in client.events() if isinstance(event, TextMessage)]


def test_a_message_is_written_at_once_when_nothing_is_queued():
    def scenario(engine, _ws):
        engine.send(message("hello"))
        engine.queued = engine.queue.qsize()

    engine, sock = serve(scenario)
    assert engine.queued == 0
    assert frames(sock) == ["4hello"]


def test_what_the_kernel_did_not_take_is_written_first_by_the_writer_then_the_rest_in_order():
    def scenario(engine, ws):
        engine.sock.take = [5]   # half a frame goes out
        engine.send(message("first, long enough to be cut"))
        engine.send(message("second"))   # must not slip in before the rest of the first
        engine.queued = engine.queue.qsize()
        drain_writer(engine, ws)
        engine.send(message("third"))    # the queue is empty again: at once
        engine.after = engine.queue.qsize()

    engine, sock = serve(scenario)
    assert engine.queued == 2
    assert engine.after == 0
    assert frames(sock) == ["4first, long enough to be cut", "4second", "4third"]


def kernel_takes_nothing(engine, _ws):
    engine.sock.take = [BlockingIOError]
    return contextlib.nullcontext()


def writer_is_writing(_engine, ws):
    return ws._lock   # the writer greenlet, blocked half-way into a slow phone


@pytest.mark.parametrize("cannot_write", [kernel_takes_nothing, writer_is_writing])
def test_a_message_that_cannot_go_out_now_is_queued_whole_for_the_writer(cannot_write):
    def scenario(engine, ws):
        with cannot_write(engine, ws):
            engine.send(message("later"))
            engine.queued = engine.queue.qsize()
        drain_writer(engine, ws)

    engine, sock = serve(scenario)
    assert engine.queued == 1
    assert frames(sock) == ["4later"]


def test_before_the_upgrade_is_done_engine_io_queues_as_it_always_did():
    def scenario(engine, _ws):
        engine.send(message("held"))
        engine.queued = [item.data for item in list(engine.queue.queue)]

    engine, sock = serve(scenario, upgraded=False)
    assert engine.queued == ["held"]
    assert frames(sock) == []


def test_once_closed_the_engine_socket_has_its_own_send_back():
    def scenario(_engine, _ws):
        pass

    engine, _sock = serve(scenario)
    assert "send" not in vars(engine)   # no attribute left pointing at the websocket (no cycle)
    engine.send(message("after"))
    assert engine.queue.qsize() == 1


@pytest.mark.parametrize("message", ["", "a" * 125, "é" * 63, "a" * 126, "b" * 65535, "c" * 65536, "d" * 200_000,
                                     b"\x00\xff" * 40, b"e" * 70_000])
def test_a_message_is_framed_as_wsproto_frames_it_and_reads_back_whole(message):
    """`data_frame` builds by hand what wsproto's frame protocol builds (one unmasked frame):
    same bytes at each length boundary (125/126, 65535/65536), and a client reads it back."""
    server = Connection(ConnectionType.SERVER)
    event = TextMessage(data=message) if isinstance(message, str) else BytesMessage(data=message)
    assert data_frame(message) == server.send(event)

    peer, them = WSConnection(ConnectionType.CLIENT), WSConnection(ConnectionType.SERVER)
    them.receive_data(peer.send(Request(host="office", target="/socket.io/")))
    next(them.events())
    peer.receive_data(them.send(AcceptConnection()))
    next(peer.events())
    peer.receive_data(data_frame(message))
    parts = list(peer.events())
    assert (b"" if isinstance(message, bytes) else "").join(part.data for part in parts) == message
    assert parts[-1].message_finished and type(parts[-1]) is type(event)
