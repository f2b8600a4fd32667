"""Who is asking: staff (session or bearer token), registered kiosks, and CSRF policy.

Browser pages use Flask-Login sessions and must carry a CSRF token on every state change;
API clients send `Authorization: Bearer <token>` and need no CSRF (no ambient cookie).
Staff API tokens are signed and expire; kiosk tokens are random and stored hashed.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import current_app, g, redirect, request, session, url_for
from flask_login import UserMixin, current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..domain.errors import Forbidden, Unauthorized
from ..services import accounts
from ..i18n import N_
from ..domain.model import StaffUser
from .context import db
from .extensions import csrf, login_manager

STAFF_TOKEN_SECONDS = 12 * 3600
KIOSK_SESSION_KEY = "kiosk_id"


@dataclass(frozen=True)
class SessionUser(UserMixin):
    """Flask-Login's view of a staff user."""

    staff: StaffUser

    def get_id(self) -> str:
        return str(self.staff.id)


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    """Reload the signed-in staff member on each request (a disabled account stops at once)."""
    try:
        staff = accounts.staff_by_id(db(), int(user_id))
    except ValueError:
        return None
    return SessionUser(staff) if staff else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="staff-api")


def issue_staff_token(staff: StaffUser) -> str:
    """A bearer token for the JSON API, valid for one working day."""
    return _serializer().dumps({"u": staff.id})


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def staff_from_token(token: str | None) -> StaffUser | None:
    """The staff member a bearer token belongs to, or None if forged or expired."""
    if not token:
        return None
    try:
        payload = _serializer().loads(token, max_age=STAFF_TOKEN_SECONDS)
        return accounts.staff_by_id(db(), int(payload["u"]))
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
