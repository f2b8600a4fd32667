"""`antrean serve`: the office on gunicorn with one gevent worker (see docs/PERFORMANCE.md).

One worker, because Socket.IO rooms live in the worker's memory; gevent, because one
process must hold a thousand idle websockets (wall displays and visitors' phones) cheaply.
The access log leaves out query strings and ticket tokens: no secrets in logs.
"""
from __future__ import annotations

import functools
import logging
import os
import sys
import time
from contextlib import contextmanager

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.http.body import LengthReader
from gunicorn.http.errors import NoMoreData
from gunicorn.workers.ggevent import GeventWorker
from gunicorn.workers.gthread import ThreadWorker

from .redaction import MalformedFrames, RedactingFilter, redact

# A request must arrive within this many seconds: a kiosk's ticket is a few hundred bytes, while
# a client trickling its headers or body a byte at a time would otherwise hold its connection
# (gevent) or one of the worker's threads (threading) for as long as it likes.
REQUEST_DEADLINE_S = float(os.environ.get("ANTREAN_REQUEST_DEADLINE_S") or 5)


class SlowClient(NoMoreData):
    """The request did not arrive before its deadline (gunicorn drops the connection quietly)."""


# Past the deadline a read may still take what has already arrived (the app may read a body
# late, after a wait for the store; gunicorn drains an unread one): only waiting is refused.
LATE_READ_S = 0.001


@contextmanager
def _gevent_deadline(remaining: float):
    """Raise `SlowClient` in whatever this block waits on once `remaining` seconds have passed."""
    import gevent

    with gevent.Timeout(max(remaining, LATE_READ_S), SlowClient()):
        yield


class _BodyDeadline:
    """`wsgi.input` that must be read to its end before the request's deadline, else 408 and
    the connection closes (the rest of the body never came, so it cannot be reused)."""

    def __init__(self, body, request, deadline: float, guard=None):
        self._body, self._request, self._deadline = body, request, deadline
        self._guard = guard  # the gevent timer; with threads the socket enforces the deadline

    def _within(self, method, *args):
        from werkzeug.exceptions import RequestTimeout

        try:
            if self._guard is None:
                return method(*args)
            with self._guard(self._deadline - time.monotonic()):
                return method(*args)
        except SlowClient:
            self._request.must_close = True
            raise RequestTimeout() from None

    def read(self, size=None):
        return self._within(self._body.read, size)

    def readline(self, size=None):
        return self._within(self._body.readline, size)

    def readlines(self, size=None):
        return self._within(self._body.readlines, size)

    def __iter__(self):
        return iter(self.readlines())


def _without_body(req) -> bool:
    """Whether the request declared an empty body (no Content-Length, or 0, and not chunked)."""
    reader = getattr(req.body, "reader", None)
    return isinstance(reader, LengthReader) and reader.length == 0


# How long a finished write waits for others to join its commit, at most: while writes keep
# coming (twenty visitors booking at once), a batch is committed after this long all the same.
GATHER_MAX_S = 0.002


def gather_writes(store) -> None:
    """Under gevent: let the requests whose bytes have arrived run up to their own writes, turn
    after turn of the loop while each turn adds a write to the open transaction, so one flush
    to disk answers them all. It stops at the first turn that adds none: waiting for the loop
    to be idle instead held every write of a busy worker (bookings, slot listings) for the
    whole `GATHER_MAX_S`, and one turn alone missed presses that reached the next poll."""
    import gevent

    deadline = time.monotonic() + GATHER_MAX_S
    joined = store.pending_writes
    while True:
        gevent.sleep(0)
        now = store.pending_writes
        if now in (0, joined) or time.monotonic() >= deadline:   # 0: another write committed it
            return
        joined = now


class DeadlineGeventWorker(GeventWorker):
    """gunicorn's gevent worker with a deadline on each request body (headers are already
    bounded by the keep-alive timeout, which gunicorn applies to reading them)."""

    def handle_request(self, listener_name, req, sock, addr):
        if not _without_body(req):   # nothing to wait for: no timer (call-next, every GET)
            req.body = _BodyDeadline(req.body, req, time.monotonic() + REQUEST_DEADLINE_S, _gevent_deadline)
        super().handle_request(listener_name, req, sock, addr)

    def init_process(self):
        # Each websocket holds three greenlets for as long as it is open (websocket.py); by default
        # gevent copies the spawning call stack into every one (a debugging aid). Without it a
        # socket costs ~4.5 KB less: 9 MB at 2,000 sockets (docs/PERFORMANCE.md, memory).
        import gevent

        gevent.config.track_greenlet_tree = False
        super().init_process()


class _DeadlineSocket:
    """A connection's socket whose reads fail with `SlowClient` once its deadline has passed."""

    def __init__(self, sock):
        self._sock = sock
        self.deadline: float | None = None

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def recv(self, size, *flags):
        if self.deadline is None:
            return self._sock.recv(size, *flags)
        self._sock.settimeout(max(self.deadline - time.monotonic(), LATE_READ_S))
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise SlowClient() from None
        finally:
            self._sock.settimeout(None)  # blocking, as gthread reads a request


class DeadlineThreadWorker(ThreadWorker):
    """gunicorn's gthread worker where each request (headers and body) must arrive within
    `REQUEST_DEADLINE_S`, so slow clients hold a thread for seconds, not for ever. A websocket
    reads the same socket for hours: its deadline is lifted once its request has arrived."""

    def handle(self, conn):
        if not isinstance(conn.sock, _DeadlineSocket):
            conn.sock = _DeadlineSocket(conn.sock)
        conn.sock.deadline = time.monotonic() + REQUEST_DEADLINE_S
        try:
            return super().handle(conn)
        finally:
            conn.sock.deadline = None

    def handle_request(self, req, conn):
        if any(name == "UPGRADE" and value.lower() == "websocket" for name, value in req.headers):
            conn.sock.deadline = None
        else:
            req.body = _BodyDeadline(req.body, req, conn.sock.deadline or time.monotonic())
        return super().handle_request(req, conn)


ASYNC_MODES = {
    "gevent": {"worker_class": "shared.server.DeadlineGeventWorker", "worker_connections": 4000},
    "threading": {"worker_class": "shared.server.DeadlineThreadWorker", "threads": 64},
}
DEFAULT_ASYNC_MODE = "gevent"

class RedactingLogger(Logger):
    """Gunicorn's logger, minus tokens and query strings in the access log, and minus tokens
    in its error log ("Error handling request /t/<token>" names the raw path), and minus the
    traceback of a client's malformed Socket.IO frame."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(item, MalformedFrames) for item in self.error_log.filters):
            self.error_log.addFilter(MalformedFrames())  # first: RedactingFilter renders tracebacks
        if not any(isinstance(item, RedactingFilter) for item in self.error_log.filters):
            self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact(environ.get("PATH_INFO", ""))
        atoms["U"] = path
        atoms["q"] = ""
        atoms["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
        return atoms


# The office's own loggers (Flask's app logger is `shared.web.app`, under `shared`).
OFFICE_LOGGERS = ("shared", "kiosk", "counter", "display", "booking", "admin")


def _log_the_office() -> None:
    """Send the office's own records (a daily backup written, a purge's counts, a delivery) to
    the server's output beside gunicorn's, tokens redacted. Without a handler Python would
    print warnings and errors only, and drop what an operator checks a backup ran by."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s",
                                           "%Y-%m-%d %H:%M:%S %z"))
    handler.addFilter(RedactingFilter())
    for name in OFFICE_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


class OfficeServer(BaseApplication):
    """A gunicorn application that builds the Flask app inside the worker (after patching)."""

    def __init__(self, instance: str, host: str, port: int, async_mode: str = DEFAULT_ASYNC_MODE,
                 access_log: bool = True, public_url: str | None = None):
        self.instance = instance
        self.public_url = public_url  # where phones reach it, when office.toml names no address
        self.async_mode = async_mode
        self.options = {
            "bind": f"{host}:{port}",
            "workers": 1,
            "timeout": 60,
            "graceful_timeout": 5,
            "keepalive": 5,
            "logger_class": RedactingLogger,
            "accesslog": "-" if access_log else None,
            "errorlog": "-",
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            "control_socket_disable": True,
            **ASYNC_MODES[async_mode],
        }
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self):
        from .web import create_app

        _log_the_office()

        from .web.collector import settle

        app = create_app(
            {"ANTREAN_ASYNC_MODE": self.async_mode, "ANTREAN_PUBLISHER_THREAD": True,
             "ANTREAN_PUBLIC_URL": self.public_url},
            instance_path=self.instance,
        )
        if self.async_mode == "gevent":
            import gevent

            from .store.checkpoints import IDLE_WAIT_S
            from .web.relay import gevent_after_requests

            # Writes that arrive together share one commit: a finished write lets the requests
            # that have arrived run up to their own write before it flushes (store.database).
            store = app.extensions["antrean.office"].store
            store.gather = lambda: gather_writes(store)
            # The scheduler's checkpoint starts when the worker has nothing else to do, and
            # waits for the disk on an OS thread, not on the loop (store/checkpoints.py).
            store.checkpoints.when_idle = functools.partial(gevent_after_requests, IDLE_WAIT_S)
            store.checkpoints.off_loop = gevent.get_hub().threadpool.apply
        if self.async_mode == "gevent" and os.environ.get("ANTREAN_COMMIT_IN_THREAD") == "1":
            # A commit waits for the disk (synchronous=FULL): in an OS thread of gevent's pool it
            # holds up the writers behind it, not the whole worker. Off by default: measured on
            # an SSD whose flush takes ~0.4 ms, the thread hop cost more than it hid (issuing
            # 539 -> 476 tickets/s); on a slow disk it may pay (docs/PERFORMANCE.md).
            app.extensions["antrean.office"].store.run_blocking = gevent.get_hub().threadpool.apply
        settle()   # the worker's start-up objects are never walked by the cycle collector again
        return app
