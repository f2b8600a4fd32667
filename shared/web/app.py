"""The app factory: one office per instance folder, three front ends as blueprints."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask, abort, request, send_from_directory, session

from ..domain.config import load_config
from ..i18n import LANGUAGES
from ..instance import ensure_instance, secret_key
from ..office import Office
from ..storage import Store
from ..tokens import TicketTokens
from . import context
from .auth import protect_from_csrf
from .errors import register_error_handlers
from .vocabulary import register_vocabulary
from .extensions import babel, csrf, limiter, login_manager, socketio
from .realtime import Publisher
from .ticker import start_ticker

REPO_ROOT = Path(__file__).resolve().parents[2]

# Browser libraries served from node_modules (installed from the npm registry, never committed).
VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
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
    app.config.from_mapping(
        SECRET_KEY=secret_key(paths),
        DATABASE=str(paths.database),
        OFFICE_CONFIG=str(paths.config),
        MAX_CONTENT_LENGTH=64 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=60 * 60 * 24 * 365,
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE="id",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parents[1] / "translations"),
        RATELIMIT_HEADERS_ENABLED=True,
        ANTREAN_VENDOR_DIR=os.environ.get("ANTREAN_VENDOR_DIR", str(REPO_ROOT / "node_modules")),
        ANTREAN_ASYNC_MODE=None,
        ANTREAN_PUBLISHER_THREAD=False,
        ANTREAN_CLOCK=None,
    )
    if test_config:
        app.config.update(test_config)

    office = Office(load_config(Path(app.config["OFFICE_CONFIG"])), Store(app.config["DATABASE"]))
    office.store.migrate()
    app.extensions["antrean.office"] = office
    app.extensions["antrean.tokens"] = TicketTokens(
        app.config["SECRET_KEY"], timedelta(days=office.config.ticket_token_days)
    )

    # Socket.IO handlers must be imported before init_app: Flask-SocketIO copies the
    # handlers it knows into each new server it creates.
    from counter import bp as counter_bp
    from counter import events as _counter_events  # noqa: F401  (registers handlers)
    from display import bp as display_bp
    from display import events as _display_events  # noqa: F401
    from kiosk import bp as kiosk_bp
    from kiosk import events as _kiosk_events  # noqa: F401

    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "counter.login"
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    socketio.init_app(app, async_mode=app.config["ANTREAN_ASYNC_MODE"], json=None)

    publisher = Publisher(socketio, office)
    office.sink = publisher.enqueue
    app.extensions["antrean.publisher"] = publisher
    if app.config["ANTREAN_PUBLISHER_THREAD"]:
        publisher.start()
        start_ticker(socketio, office)

    app.teardown_appcontext(context.close_db)
    app.before_request(_remember_language)
    app.before_request(protect_from_csrf)
    app.after_request(_security_headers)
    register_error_handlers(app)
    register_vocabulary(app)

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
    return app


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


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response
