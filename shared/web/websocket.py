"""The websocket under gevent: what each open display and phone costs the worker.

python-engineio runs a websocket under gevent on simple-websocket, which suits a few sockets
but not the 2,000 an office holds open all day (docs/PERFORMANCE.md, memory):

- it reads every socket in a greenlet of its own, while the request's greenlet sits waiting
  for that reader: two suspended greenlets, and their saved stacks, where one will do;
- it keeps the HTTP handshake's parser state (h11) for the socket's whole life;
- it accepts permessage-deflate, which every browser offers: each socket then holds a zlib
  compressor and decompressor for its whole life, ~110 KB of the worker's memory per display
  or phone, to compress messages of a few hundred bytes on a LAN.

`GeventWebSocket` is the same transport on the same framing library (wsproto's frame
protocol), read in the request's own greenlet, with the handshake answered and forgotten and
compression declined. Only the messages it sends are framed by hand (`data_frame`): the
hottest path of a call, and the simplest frame there is. engine.io drives it exactly as it
drives simple-websocket (`wait`, `send`, `close`); where the server is not gunicorn (a
development server) simple-websocket still serves.

It also writes a message at once, in the greenlet that sends it, when the socket can take it
(`_send_packet`). engine.io queues every message for a writer greenlet of the socket's own:
one wake-up, queue hand-over and timeout per message, ~25 µs of the worker's time on top of
the write itself. A call reaches a hundred displays and hundreds of phones, so that hand-over
was half of what a call cost the worker (docs/PERFORMANCE.md). A write that would have to
wait (a slow phone whose buffer is full) is never waited for there: what the kernel did not
take goes to the writer greenlet, and every later message queues behind it, in order.
"""
from __future__ import annotations

import functools
import socket
import struct

from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import CloseConnection, Message, Ping, TextMessage
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import LocalProtocolError, generate_accept_token

RECEIVE_BYTES = 4096
# A Sec-WebSocket-Key is 16 random bytes in base64 (RFC 6455 §4.1).
_KEY_LENGTH = 24


# Where gunicorn's socket travels instead of "gunicorn.socket" (see `install`).
SOCKET_KEY = "antrean.socket"


def install(app, engineio_server) -> None:
    """Serve this engine.io server's websockets with `GeventWebSocket` (gevent mode only)."""
    if engineio_server.async_mode != "gevent":
        return
    drivers = dict(engineio_server._async)  # the driver's table is shared by every server
    drivers["websocket"] = functools.partial(GeventWebSocket, fallback=drivers["websocket"])
    engineio_server._async = drivers
    app.wsgi_app = _CarrySocket(app.wsgi_app)


class _CarrySocket:
    """Moves gunicorn's socket to `SOCKET_KEY` before engine.io's middleware sees the request.

    That middleware wraps "gunicorn.socket" for eventlet in a class it defines anew for every
    request; a websocket's environ, and so its class, lives as long as the socket: 2.9 KB each.
    Nothing else reads the key: gunicorn keeps its own reference to the socket."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        sock = environ.pop("gunicorn.socket", None)
        if sock is not None:
            environ[SOCKET_KEY] = sock
        return self.wsgi_app(environ, start_response)


def data_frame(message: str | bytes) -> bytes:
    """A whole message as one unmasked server frame (RFC 6455 §5.2): text for `str`, binary
    for `bytes`.

    wsproto's frame protocol builds the same bytes through its general path (fragments,
    extensions, masking) in ~3.2 µs a frame, against ~0.4 µs here; a call sends ~600 frames,
    and that path was 8 % of the worker's time in the realtime bench (docs/PERFORMANCE.md).
    Valid because a server frame is never masked, every message goes in one frame, and the
    handshake accepts no extension. Control frames (pong, close) still go through wsproto."""
    if isinstance(message, str):
        first, payload = 0x81, message.encode()   # FIN + text
    else:
        first, payload = 0x82, bytes(message)     # FIN + binary
    length = len(payload)
    if length < 126:
        head = _SHORT.pack(first, length)
    elif length < 1 << 16:
        head = _MEDIUM.pack(first, 126, length)
    else:
        head = _LONG.pack(first, 127, length)
    return head + payload


_SHORT, _MEDIUM, _LONG = struct.Struct("!BB"), struct.Struct("!BBH"), struct.Struct("!BBQ")


class _Unsent:
    """The part of a frame the kernel did not take at once, queued for engine.io's writer
    greenlet: engine.io calls `encode()` on what it dequeues and hands the result to `send`."""

    __slots__ = ("data",)

    def __init__(self, data: bytes):
        self.data = data

    def encode(self) -> "_Unsent":
        return self


class GeventWebSocket:
    """One websocket, as engine.io's gevent driver expects it: called as a WSGI app with the
    engine.io handler, which then loops on `wait` while a writer greenlet calls `send`."""

    def __init__(self, handler, server, fallback=None):
        self._handler = handler
        self._server = server
        self._fallback = fallback
        self._max_message = server.max_http_buffer_size
        self._ws: Connection | None = None
        self._sock = None   # engine.io sets its read timeout: ping interval + ping timeout
        self._lock = None
        self._inbox: list = []   # a deque would reserve 64 slots; a socket rarely holds one
        self._parts: list = []
        self._size = 0
        self._closed = False
        self._engine = None   # engine.io's socket, whose `send` writes through `_send_packet`

    def __call__(self, environ, start_response):
        sock = environ.get(SOCKET_KEY)
        if sock is None and self._fallback is not None:
            return self._fallback(self._handler, self._server)(environ, start_response)
        key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "")
        if (sock is None or environ.get("HTTP_UPGRADE", "").lower() != "websocket"
                or environ.get("HTTP_SEC_WEBSOCKET_VERSION") != "13" or len(key) != _KEY_LENGTH):
            start_response("400 BAD REQUEST", [("Content-Type", "text/plain")])
            return [b"Not a websocket handshake"]
        from gevent.lock import Semaphore

        self._lock = Semaphore()
        self._sock = sock
        self._ws = Connection(ConnectionType.SERVER)
        # No Sec-WebSocket-Extensions in the answer: compression is declined (module docstring).
        sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     b"Sec-WebSocket-Accept: " + generate_accept_token(key.encode("ascii", "replace"))
                     + b"\r\n\r\n")
        engine = getattr(self._handler, "__self__", None)
        if engine is not None and hasattr(engine, "queue"):
            self._engine = engine
            engine.send = self._send_packet   # this socket's only: an attribute of the instance
        try:
            self._handler(self)
        finally:
            self._shut()
        # The answer went out by hand: gunicorn must write nothing more and close the connection.
        raise StopIteration()

    # -- what engine.io calls ------------------------------------------------------------

    def wait(self):
        """The next message (str or bytes), or None once the connection has closed."""
        while not self._inbox:
            if self._closed:
                return None
            try:
                data = self._sock.recv(RECEIVE_BYTES)
            except OSError:   # reset, or silent past engine.io's ping timeout
                data = b""
            if not data:
                self._closed = True
                return None
            self._ws.receive_data(data)
            self._take_events()
        return self._inbox.pop(0)

    def send(self, message) -> None:
        if isinstance(message, _Unsent):
            self._write(message.data)
            return
        self._write(self._frame(message))

    # -- engine.io's socket, writing at once -------------------------------------------------

    def _send_packet(self, pkt) -> None:
        """engine.io's `Socket.send` for this socket: the packet is written now if nothing is
        queued or being written before it, else queued for the writer greenlet as engine.io does."""
        engine = self._engine
        if not engine.check_ping_timeout():
            return
        engine.server.logger.info("%s: Sending packet %s", engine.sid, pkt.packet_type)
        if not (engine.upgraded and not engine.upgrading and engine.queue.empty() and self._can_write()):
            engine.queue.put(pkt)
            return
        try:
            data = self._frame(pkt.encode())
        except OSError:
            engine.queue.put(pkt)   # closed: the writer meets the same error and ends the socket
            return
        try:
            sent = self._sock.send(data, 0, 0.0)   # gevent's send: a timeout of 0 never waits
        except OSError:   # the buffer is full, or reset (the writer then fails and closes it)
            sent = 0
        if sent < len(data):
            engine.queue.put(_Unsent(data[sent:]))

    def _can_write(self) -> bool:
        """No write under way (the writer greenlet or `wait` sending, maybe blocked half-way)."""
        return not self._closed and self._lock is not None and not self._lock.locked()

    def _frame(self, message) -> bytes:
        if self._closed or self._ws.state is not ConnectionState.OPEN:
            raise OSError("the websocket is closed")
        return data_frame(message)

    def close(self) -> None:
        """Say goodbye if the connection is still open, then end it both ways: the request's
        greenlet, waiting in `wait`, wakes at once even if the peer has gone silent."""
        if self._ws is not None and self._ws.state is ConnectionState.OPEN:
            try:
                self._write(self._ws.send(CloseConnection(code=CloseReason.NORMAL_CLOSURE)))
            except (OSError, LocalProtocolError):
                pass
        self._shut()

    # -- inside ------------------------------------------------------------------------------

    def _take_events(self) -> None:
        out = []
        for event in self._ws.events():
            if isinstance(event, Message):
                self._size += len(event.data)
                if self._size > self._max_message:
                    out.append(self._ws.send(CloseConnection(code=CloseReason.MESSAGE_TOO_BIG,
                                                             reason="Message is too big")))
                    self._closed = True
                    break
                self._parts.append(event.data)
                if event.message_finished:
                    parts, self._parts, self._size = self._parts, [], 0
                    joiner = "" if isinstance(event, TextMessage) else b""
                    self._inbox.append(parts[0] if len(parts) == 1 else joiner.join(parts))
            elif isinstance(event, Ping):
                out.append(self._ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                # The peer's goodbye is answered; a frame wsproto could not parse is closed with
                # the code it names (1002 protocol error, 1007 bad UTF-8…).
                if self._ws.state is ConnectionState.REMOTE_CLOSING:
                    out.append(self._ws.send(event.response()))
                elif self._ws.state is ConnectionState.OPEN:
                    out.append(self._ws.send(CloseConnection(code=event.code, reason=event.reason)))
                self._closed = True
                break
        if out:
            try:
                self._write(b"".join(out))
            except OSError:
                self._closed = True

    def _write(self, data: bytes) -> None:
        # Two greenlets write: engine.io's writer, and `wait` answering pings and goodbyes. A
        # send to a slow phone may block half-way; the other must not slip its frame inside.
        with self._lock:
            self._sock.sendall(data)

    def _shut(self) -> None:
        self._closed = True
        if self._engine is not None:
            self._engine.__dict__.pop("send", None)   # engine.io's own send again; no cycle left
            self._engine = None
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
