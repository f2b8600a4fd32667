"""Server set-up that needs no running server: log redaction, persistent secret, async modes."""
from shared.instance import secret_key
from shared.server import ASYNC_MODES, DEFAULT_ASYNC_MODE, OfficeServer, redact
from shared.web import create_app


def test_access_log_hides_ticket_tokens():
    assert redact("/t/WzEsMTc5NTYy.abc") == "/t/…"
    assert redact("/api/tickets/WzEs.abc/pdf") == "/api/tickets/…/pdf"
    assert redact("/kiosk/tickets/WzEs.abc") == "/kiosk/tickets/…"
    assert redact("/api/queue") == "/api/queue"
    assert redact("/booking/WzEs.abc") == "/booking/…"
    assert redact("/api/bookings/WzEs.abc/reschedule") == "/api/bookings/…/reschedule"
    assert redact("/api/calendar/WzEs.abc.ics") == "/api/calendar/…"
    assert redact("/api/bookings") == "/api/bookings" and redact("/booking") == "/booking"
    # The booking pages' own steps name a service, never a visitor: they stay readable.
    assert redact('"GET /booking/new/konsultasi HTTP/1.1"') == '"GET /booking/new/konsultasi HTTP/1.1"'
    assert redact("/booking/line/kartu_kuning?lang=en") == "/booking/line/kartu_kuning?lang=en"
    assert redact("/booking/newWzEs.abc/cancel") == "/booking/…/cancel"   # a token that starts "new"


def test_secret_key_is_made_once_and_kept(instance_dir):
    first = create_app({"TESTING": True}, instance_path=instance_dir).secret_key
    second = create_app({"TESTING": True}, instance_path=instance_dir).secret_key
    assert first == second and len(first) >= 32


def test_serve_uses_one_production_worker(instance_dir):
    server = OfficeServer(str(instance_dir), "127.0.0.1", 5999)
    assert DEFAULT_ASYNC_MODE == "gevent"
    assert server.cfg.workers == 1
    assert server.cfg.worker_class_str == ASYNC_MODES["gevent"]["worker_class"]
    assert "werkzeug" not in server.cfg.worker_class_str.lower()


def test_secret_file_is_private(instance_dir):
    from shared.instance import InstancePaths

    paths = InstancePaths(instance_dir)
    assert secret_key(paths)
    assert paths.secret.stat().st_mode & 0o077 == 0


def test_the_server_module_leaves_the_web_stack_to_the_worker():
    """gunicorn's gevent worker patches sockets and ssl when it boots; anything imported before
    that keeps the unpatched ones ("MonkeyPatchWarning … may lead to errors"). So the master's
    module must not pull in Flask-SocketIO, the Socket.IO client stack or the app."""
    import subprocess
    import sys

    probe = ("import sys, shared.server; "
             "print(sorted(m for m in ('flask_socketio', 'socketio', 'aiohttp', 'shared.web') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_the_offices_own_info_lines_reach_the_server_output_redacted():
    """A daily backup or a purge logs at INFO; without a handler Python would drop it."""
    import subprocess
    import sys

    probe = ("import logging, shared.server as s; s._log_the_office(); "
             "logging.getLogger('shared.services.backups').info('daily backup written: %s', 'antrean-2026-12-04'); "
             "logging.getLogger('kiosk.views').warning('scanned /t/WzEs.abc at the door')")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "[INFO] shared.services.backups: daily backup written: antrean-2026-12-04" in result.stderr
    assert "scanned /t/… at the door" in result.stderr and "WzEs" not in result.stderr


def _parsed(raw: bytes):
    from gunicorn.config import Config
    from gunicorn.http.parser import RequestParser

    return next(RequestParser(Config(), [raw], ("127.0.0.1", 40000)))


def test_only_requests_that_declare_no_body_go_without_the_body_deadline():
    """A request with nothing to read sets no timer; any body, even chunked, still has its deadline."""
    from shared.server import _without_body

    assert _without_body(_parsed(b"POST /api/counters/1/call-next HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"))
    assert _without_body(_parsed(b"GET /api/queue HTTP/1.1\r\nHost: a\r\n\r\n"))
    assert not _without_body(_parsed(b"POST /api/tickets HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}"))
    assert not _without_body(_parsed(b"POST /api/tickets HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                     b"2\r\n{}\r\n0\r\n\r\n"))


def test_writes_of_requests_woken_together_share_one_commit_under_gevent(tmp_path):
    """`gather_writes`, as the gevent server sets it: four greenlets woken by their sockets at once
    (four officers' presses) write, and one COMMIT answers all four."""
    import gevent
    from gevent import socket as gsocket

    from shared.server import gather_writes
    from shared.store import Store
    from tests.test_store import counting_commits, put

    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    commits = counting_commits(store)
    store.gather = lambda: gather_writes(store)
    pairs = [gsocket.socketpair() for _ in range(4)]

    def officer(index, sock):
        sock.recv(1)
        put(store, f"press-{index}", str(index))()

    greenlets = [gevent.spawn(officer, index, theirs) for index, (_ours, theirs) in enumerate(pairs)]
    gevent.sleep(0)   # each waits on its socket
    for ours, _theirs in pairs:
        ours.send(b"x")
    gevent.joinall(greenlets, raise_error=True)
    assert len(commits) == 1
    db = store.connect()
    assert [db.settings.get(f"press-{index}") for index in range(4)] == ["0", "1", "2", "3"]


def test_a_loop_that_never_idles_does_not_hold_a_commit(tmp_path):
    """A worker busy with other work (a relay writing to thousands of sockets) has no idle
    moment; a write commits at the first turn of the loop that adds no other write."""
    import gevent

    from shared.server import gather_writes
    from shared.store import Store
    from tests.test_store import put

    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    store.gather = lambda: gather_writes(store)
    turns = []

    def busy():
        while len(turns) < 100_000:
            turns.append(1)
            gevent.sleep(0)   # always something to run: the loop is never idle

    worker = gevent.spawn(busy)
    gevent.sleep(0)
    put(store, "probe", "kept")()
    assert not worker.dead   # committed and returned while the loop was still busy
    worker.kill()
    assert store.connect().settings.get("probe") == "kept"
