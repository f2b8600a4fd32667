"""Who is asking: staff (session or bearer token), registered kiosks, and CSRF policy.

Browser pages use Flask-Login sessions and must carry a CSRF token on every state change;
API clients send `Authorization: Bearer <token>` and need no CSRF (no ambient cookie).
Staff API tokens are signed and expire; kiosk tokens are random and stored hashed.

Every staff session and token carries its account's session version: signing out, a new
password or role, disabling or removing the account raise it, so all of them stop on their
next request, and `SocketCloser` closes the account's open sockets after the commit. A staff
session also ends after `ANTREAN_STAFF_IDLE_SECONDS` without a request (a working day).
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass

from flask import current_app, g, redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from flask_socketio import join_room
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..domain.errors import Forbidden, Unauthorized
from ..services import accounts
from ..i18n import N_
from ..domain.events import StaffSessionsEnded
from ..domain.model import StaffUser
from ..store import Connection
from ..store.events import LoggedEvent
from .context import db, now
from .extensions import csrf, login_manager
from .requests import json_object

STAFF_TOKEN_SECONDS = 12 * 3600
VERIFIED_TOKENS_KEPT = 512
# A staff session unused this long ends (a working day and a bit); `ANTREAN_STAFF_IDLE_SECONDS`.
STAFF_IDLE_SECONDS = 10 * 3600
KIOSK_SESSION_KEY = "kiosk_id"
SEEN_KEY = "staff_seen"
# The last-seen time in the cookie is refreshed at most this often (not a new cookie per request).
SEEN_REFRESH_SECONDS = 60


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """Flask-Login's view of a staff user."""

    staff: StaffUser

    def get_id(self) -> str:
        """`<id>.<session version>`: a cookie of an older version no longer signs anyone in."""
        return f"{self.staff.id}.{self.staff.session_version}"


def _versioned(user_id, version) -> StaffUser | None:
    """The active account `user_id` if its sessions are still at `version`."""
    try:
        staff = accounts.staff_by_id(db(), int(user_id))
    except (TypeError, ValueError):
        return None
    return staff if staff is not None and staff.session_version == version else None


@login_manager.user_loader
def load_user(session_id: str) -> SessionUser | None:
    """Reload the signed-in staff member on each request: a disabled or removed account, a
    session of an older version (signed out, new password or role) or an idle one stops."""
    user_id, _, version = str(session_id).partition(".")
    if not version.isdigit() or _idle_seconds() > idle_limit():
        return None
    staff = _versioned(user_id, int(version))
    return SessionUser(staff) if staff else None


def idle_limit() -> int:
    return int(current_app.config.get("ANTREAN_STAFF_IDLE_SECONDS") or STAFF_IDLE_SECONDS)


def _now_seconds() -> int:
    return int(now().timestamp())


def _idle_seconds() -> int:
    seen = session.get(SEEN_KEY)
    return _now_seconds() - seen if isinstance(seen, int) else 1 << 40


def sign_in(staff: StaffUser) -> None:
    """Start a browser session for this staff member (a new session: nothing of the old one's)."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    login_user(SessionUser(staff))
    session[SEEN_KEY] = _now_seconds()


def sign_out() -> None:
    """End this browser's session (the caller ends the account's other sessions)."""
    logout_user()
    session.pop(SEEN_KEY, None)


def keep_staff_session() -> None:
    """Before each request: end a staff session idle for longer than the limit, else note it was used."""
    if "_user_id" not in session:
        return
    if _idle_seconds() > idle_limit():
        sign_out()
    elif _idle_seconds() >= SEEN_REFRESH_SECONDS:
        session[SEEN_KEY] = _now_seconds()


def _serializer() -> URLSafeTimedSerializer:
    serializer = current_app.extensions.get("antrean.staff_tokens")
    if serializer is None:
        serializer = URLSafeTimedSerializer(current_app.secret_key, salt="staff-api")
        current_app.extensions["antrean.staff_tokens"] = serializer
    return serializer


def _token_payload(token: str) -> dict:
    """A bearer token's payload: its signature checked the first time it is seen, its age each time.

    A console sends the same token with every press; checking its signature again and again
    was ~4 % of a call-next's time in the worker (docs/PERFORMANCE.md). Only tokens that passed
    the check are remembered (a few hundred at most), and the account's session version is still
    read from the database on every request, so signing out ends a token at once."""
    verified = current_app.extensions.setdefault("antrean.verified_staff_tokens", {})
    known = verified.get(token)
    if known is None:
        payload, signed_at = _serializer().loads(token, max_age=STAFF_TOKEN_SECONDS, return_timestamp=True)
        if len(verified) >= VERIFIED_TOKENS_KEPT:
            verified.clear()
        known = verified[token] = (payload, int(signed_at.timestamp()))
    elif not 0 <= int(time.time()) - known[1] <= STAFF_TOKEN_SECONDS:
        raise SignatureExpired("The token has expired.")
    return known[0]


def issue_staff_token(staff: StaffUser) -> str:
    """A bearer token for the JSON API, valid for one working day or until the account's
    sessions end (its version is in the token)."""
    return _serializer().dumps({"u": staff.id, "v": staff.session_version})


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def staff_from_token(token: str | None) -> StaffUser | None:
    """The staff member a bearer token belongs to, or None if forged or expired."""
    if not token:
        return None
    try:
        payload = _token_payload(token)
        return _versioned(payload["u"], payload["v"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def current_staff() -> StaffUser | None:
    """The staff member behind this request, by bearer token or browser session."""
    if "staff" not in g:
        token = bearer_token()
        if token:
            g.staff = staff_from_token(token)
        elif current_user.is_authenticated:
            g.staff = current_user.staff
        else:
            g.staff = None
    return g.staff


def staff_required(role: str = "officer"):
    """Refuse the view unless a staff member with at least `role` is signed in."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            staff = current_staff()
            if staff is None:
                if request.path.startswith("/api/"):
                    raise Unauthorized(N_("Please sign in first."))
                return redirect(url_for("counter.login"))
            if not staff.has_role(role):
                raise Forbidden(N_("You may not do this."), code="forbidden")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def staff_room(staff_id: int) -> str:
    """The Socket.IO room of one account's sockets, in every staff namespace."""
    return f"user:{staff_id}"


STAFF_NAMESPACES: set[str] = set()


def connect_staff(auth, role: str = "officer") -> StaffUser | None:
    """For a staff namespace's connect handler: the staff member behind this socket (session
    cookie, or `auth: {"token"}`) if they have `role`, now in their account's room so their
    socket closes when their sessions end; None to refuse the connection."""
    staff = current_staff()
    if staff is None and isinstance(auth, dict) and isinstance(auth.get("token"), str):
        staff = staff_from_token(auth["token"])
    if staff is None or not staff.has_role(role):
        return None
    STAFF_NAMESPACES.add(request.namespace)
    join_room(staff_room(staff.id))
    return staff


class SocketCloser:
    """Subscriber of the event log: closes the sockets of an account whose sessions ended.

    Runs after the commit, on the relay's task, so a removed officer's console goes dark at
    once, and a change made from the command line reaches the server within its poll.
    """

    def __init__(self, socketio):
        self.socketio = socketio

    def deliver(self, batch: list[LoggedEvent], _db: Connection) -> None:
        ended = {logged.event.staff_id for logged in batch if isinstance(logged.event, StaffSessionsEnded)}
        for staff_id in ended:
            for namespace in sorted(STAFF_NAMESPACES):
                self.close(namespace, staff_room(staff_id))

    def close(self, namespace: str, room: str) -> None:
        server = self.socketio.server
        if server is None:
            return
        for sid, _eio_sid in list(server.manager.get_participants(namespace, room)):
            server.disconnect(sid, namespace=namespace)


def current_kiosk() -> dict | None:
    """The registered kiosk behind this request, by bearer token or remembered session."""
    if "kiosk" not in g:
        token = bearer_token()
        if token:
            g.kiosk = accounts.kiosk_by_token(db(), token)
        elif session.get(KIOSK_SESSION_KEY):
            g.kiosk = accounts.kiosk_by_id(db(), session[KIOSK_SESSION_KEY])
        else:
            g.kiosk = None
    return g.kiosk


def kiosk_required(view):
    """Refuse the view unless it comes from a registered kiosk."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_kiosk() is None:
            raise Unauthorized(N_("This device is not a registered kiosk."))
        return view(*args, **kwargs)

    return wrapper


def login_rate_key() -> str:
    """Failed sign-ins count per account *and* address: guessing one account's password from
    one place is slowed, while the same account from another address, and every other
    account behind the same office router, still sign in."""
    body = json_object() if request.is_json else None  # the limiter reads it before the view does
    username = body.get("username") if isinstance(body, dict) else request.form.get("username")
    name = username.strip().lower()[:60] if isinstance(username, str) else ""
    return f"login:{name}@{request.remote_addr}"


def kiosk_rate_key() -> str:
    """Rate limits count per kiosk, so one flooding kiosk does not block the others."""
    kiosk = current_kiosk()
    return f"kiosk:{kiosk['id']}" if kiosk else f"ip:{request.remote_addr}"


def protect_from_csrf() -> None:
    """Check CSRF on state changes that ride on a browser session (not bearer-token calls)."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if bearer_token() or request.routing_exception is not None:
        return
    if request.path.startswith("/api/") and not (session.get("_user_id") or session.get(KIOSK_SESSION_KEY)):
        return  # no ambient credentials to abuse: the view answers 401 or uses a signed token
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and getattr(view, "csrf_exempt", False):
        return
    csrf.protect()


def csrf_exempt(view):
    """Mark a view that authenticates without cookies (signed token in the URL, JSON login)."""
    view.csrf_exempt = True
    return view
