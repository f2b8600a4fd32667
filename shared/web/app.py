"""The app factory: one office per instance folder, three front ends as blueprints."""
from __future__ import annotations

import os
import sys
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, request, send_from_directory, session
from werkzeug.middleware.proxy_fix import ProxyFix

from ..domain.config import load_config
from ..i18n import LANGUAGES
from ..instance import ensure_instance, secret_key
from ..clock import utc_now
from ..domain.errors import StoreUnavailable
from ..office import Office
from ..store import Store
from ..tokens import TicketTokens
from . import context, live_config, notifications, openapi, websocket
from .auth import SocketCloser, keep_staff_session, protect_from_csrf
from .errors import register_error_handlers, retry_after_header
from .requests import StoredIntegerConverter
from ..redaction import RedactingFilter
from .vocabulary import register_vocabulary
from .extensions import babel, csrf, limit_limited_views_only, limiter, login_manager, socketio
from .realtime import Screens
from .packets import TextPacket
from .sessions import CookieSessions
from .socket_errors import FrameJSON, answer_malformed_frames, quiet_frames
from .collector import Collector
from .relay import Relay, gevent_after_requests
from .scheduler import JOBS, start_scheduler, upkeep_jobs

REPO_ROOT = Path(__file__).resolve().parents[2]

# Browser libraries served from node_modules (installed from the npm registry, never committed).
VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chart.umd.min.js.map": "chart.js/dist/chart.umd.min.js.map",
}

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' data: blob:; object-src 'none'; frame-ancestors 'self'; "
    "base-uri 'none'; form-action 'self'"
)


def create_app(test_config: dict | None = None, instance_path: str | os.PathLike | None = None) -> Flask:
    """Build the app for the office in `instance_path` (created with the demo office if empty)."""
    root = instance_path or os.environ.get("ANTREAN_INSTANCE") or "instance"
    paths, _created = ensure_instance(root)
    app = Flask(__name__, instance_path=str(paths.root), instance_relative_config=True)
    app.url_map.converters["int"] = StoredIntegerConverter
    app.config.from_mapping(
        SECRET_KEY=secret_key(paths),
        DATABASE=str(paths.database),
        OFFICE_CONFIG=str(paths.config),
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind TLS (a reverse proxy with https), cookies go over https only: `--secure-cookies`
        # or ANTREAN_SECURE_COOKIES=1. Off by default: a LAN office serves plain http.
        SESSION_COOKIE_SECURE=os.environ.get("ANTREAN_SECURE_COOKIES") == "1",
        # A staff session unused this long ends (a working day); kiosks stay registered.
        ANTREAN_STAFF_IDLE_SECONDS=int(float(os.environ.get("ANTREAN_STAFF_IDLE_HOURS") or 10) * 3600),
        PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 365,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="id",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parents[1] / "translations"),
        RATELIMIT_HEADERS_ENABLED=True,
        ANTREAN_VENDOR_DIR=os.environ.get("ANTREAN_VENDOR_DIR", str(REPO_ROOT / "node_modules")),
        ANTREAN_ASYNC_MODE=None,
        # The relay and the scheduler run as background tasks only in a serving process;
        # tests and the CLI deliver events in place, right after each commit.
        ANTREAN_PUBLISHER_THREAD=False,
        # One clock for requests, the relay and the scheduler (tests pass a ManualClock).
        ANTREAN_CLOCK=None,
        # Fault injection for tests: hold events in the log as if the server died before sending.
        ANTREAN_RELAY_PAUSED=os.environ.get("ANTREAN_RELAY_PAUSED") == "1",
    )
    if test_config:
        app.config.update(test_config)

    # A serving process checkpoints from its scheduler, never in a request's commit.
    store = Store(app.config["DATABASE"], checkpoint_in_background=app.config["ANTREAN_PUBLISHER_THREAD"])
    office = Office(load_config(Path(app.config["OFFICE_CONFIG"])), store, app.config["ANTREAN_CLOCK"] or utc_now)
    office.store.migrate()
    _check_writable(office)
    app.extensions["antrean.office"] = office
    app.extensions["antrean.tokens"] = TicketTokens(
        app.config["SECRET_KEY"], timedelta(days=office.config.ticket_token_days)
    )
    # A booking link stays valid through its window, plus a day on each side.
    app.extensions["antrean.booking_tokens"] = TicketTokens(
        app.config["SECRET_KEY"], timedelta(days=office.config.booking.window_days + 2), salt="booking"
    )

    # Socket.IO handlers must be imported before init_app: Flask-SocketIO copies the
    # handlers it knows into each new server it creates.
    from admin import bp as admin_bp
    from booking import bp as booking_bp
    from counter import bp as counter_bp
    from counter import events as _counter_events  # noqa: F401  (registers handlers)
    from display import bp as display_bp
    from display import events as _display_events  # noqa: F401
    from kiosk import bp as kiosk_bp
    from kiosk import events as _kiosk_events  # noqa: F401

    app.session_interface = CookieSessions()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "counter.login"
    babel.init_app(app, locale_selector=_select_locale)
    app.after_request(retry_after_header)   # before the limiter's own, so it runs after it
    limiter.init_app(app)
    limit_limited_views_only(app)
    # A Socket.IO message is at most 64 KB, as a request body: a bigger one closes the connection.
    # Packets are sent as JSON text without a search for binary data in them (packets.py).
    socketio.init_app(app, async_mode=app.config["ANTREAN_ASYNC_MODE"], json=FrameJSON,
                      serializer=TextPacket, max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"])
    websocket.install(app, socketio.server.eio)
    quiet_frames()
    answer_malformed_frames(app, socketio.server)
    if os.environ.get("ANTREAN_BEHIND_PROXY") == "1":
        # One reverse proxy in front (docs/DEPLOY.md): without this every visitor would share the
        # proxy's address, and with it the per-address limits on sign-ins and public bookings.
        # Off by default, since a client talking to the server directly could forge the headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    # The composition root: the relay hands the event log to its subscribers.
    relay = Relay(office, paused=app.config["ANTREAN_RELAY_PAUSED"])
    screens = Screens(socketio, office, relay)
    office.store.on_events = relay.nudge
    app.extensions["antrean.relay"] = relay
    app.extensions["antrean.screens"] = screens
    # A staff account whose sessions ended (signed out, removed…) loses its open sockets too.
    relay.subscribe(SocketCloser(socketio).deliver)
    # Reminders through the office's own gateway, only with [notifications] in office.toml.
    notification_jobs = notifications.install(app, office, relay)
    # The office edited in the browser or by hand in office.toml, applied without a restart.
    live = live_config.install(app, office, screens, Path(app.config["OFFICE_CONFIG"]))
    if app.config["ANTREAN_PUBLISHER_THREAD"]:
        relay.start(socketio.start_background_task, socketio.sleep,
                    gevent_after_requests if socketio.server.eio.async_mode == "gevent" else None)
        # When the cycle collector runs, so a full collection never stalls a call (collector.py).
        Collector(lambda: relay.position).start(socketio.start_background_task, socketio.sleep)
        start_scheduler(office, socketio.start_background_task, socketio.sleep,
                        JOBS + notification_jobs + (live.job(),) + upkeep_jobs(paths.root))

    app.teardown_appcontext(context.close_db)
    app.before_request(_remember_language)
    app.before_request(keep_staff_session)
    app.before_request(protect_from_csrf)
    app.logger.addFilter(RedactingFilter())  # an error's record names the path: no ticket token in it
    app.after_request(_security_headers)
    register_error_handlers(app)
    register_vocabulary(app)
    openapi.register(app)

    @app.context_processor
    def inject_globals():
        return {"office_config": office.config, "language": _select_locale(), "languages": LANGUAGES}

    @app.get("/vendor/<path:filename>")
    def vendor(filename: str):
        """Serve a whitelisted browser library from node_modules."""
        if filename not in VENDOR_FILES:
            abort(404)
        directory, name = os.path.split(VENDOR_FILES[filename])
        return send_from_directory(Path(app.config["ANTREAN_VENDOR_DIR"]) / directory, name, max_age=3600)

    @app.get("/")
    def index():
        """A landing page linking the three screens."""
        from flask import render_template

        return render_template("index.html")

    app.register_blueprint(kiosk_bp)
    app.register_blueprint(counter_bp)
    app.register_blueprint(display_bp)
    app.register_blueprint(booking_bp)
    app.register_blueprint(admin_bp)
    return app


def _check_writable(office: Office) -> None:
    """Say loudly at start when the database cannot take writes: screens work, tickets will not."""
    try:
        office.store.check_writable(office.clock())
    except StoreUnavailable as error:
        banner = "!" * 72
        print(f"{banner}\nTHE DATABASE CANNOT BE WRITTEN: {office.store.path} ({error.code})\n"
              "Displays and status pages keep working; kiosks and counters are refused until this is fixed.\n"
              f"{banner}", file=sys.stderr, flush=True)


def _select_locale() -> str:
    """API: the client's Accept-Language; pages: the visitor's choice, Indonesian by default."""
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(LANGUAGES, default="id")
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return session.get("lang", "id") if session.get("lang") in LANGUAGES else "id"


def _remember_language() -> None:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and session.get("lang") != chosen:
        session["lang"] = chosen


SECURITY_HEADERS = (("Content-Security-Policy", CONTENT_SECURITY_POLICY), ("X-Content-Type-Options", "nosniff"),
                    ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "SAMEORIGIN"))


def _security_headers(response):
    """The security headers a view did not set itself (one pass over the response's headers)."""
    present = {name.lower() for name, _value in response.headers}
    response.headers.extend([(name, value) for name, value in SECURITY_HEADERS if name.lower() not in present])
    return response
