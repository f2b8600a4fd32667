"""Staff accounts and registered kiosks: who may call tickets and which devices may issue them."""
from __future__ import annotations

import re
import secrets

from ..domain.errors import InvalidRequest
from ..domain.model import ROLES, StaffUser
from ..i18n import N_
from ..passwords import hash_password, password_matches
from ..store import Connection

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
MIN_PASSWORD = 8

# Checked when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def add_staff(db: Connection, username: str, password: str, role: str, now) -> StaffUser:
    """Create a staff account, or reset the password and role of an existing one."""
    if not _USERNAME.match(username or ""):
        raise InvalidRequest(N_("Usernames are 2-40 letters, digits, '.', '_' or '-'."))
    if role not in ROLES:
        raise InvalidRequest(N_("Role must be officer, supervisor or admin."))
    if len(password or "") < MIN_PASSWORD:
        raise InvalidRequest(N_("Passwords need at least 8 characters."))
    password_hash = hash_password(password)
    with db.store.write(db):
        if not db.accounts.set_user_password(username, password_hash, role):
            db.accounts.add_user(username, password_hash, role, now)
        user = db.accounts.user_by_name(username)
    return StaffUser(user["id"], user["username"], user["role"])


def authenticate(db: Connection, username: str, password: str) -> StaffUser | None:
    """The staff user for these credentials, or None."""
    user = db.accounts.user_by_name(username) if isinstance(username, str) else None
    if user is None or not isinstance(password, str):
        password_matches(_DUMMY_HASH, password if isinstance(password, str) else "")
        return None
    if not password_matches(user["password_hash"], password):
        return None
    return StaffUser(user["id"], user["username"], user["role"])


def staff_by_id(db: Connection, user_id: int) -> StaffUser | None:
    user = db.accounts.user_by_id(user_id)
    return StaffUser(user["id"], user["username"], user["role"]) if user else None


def kiosk_by_token(db: Connection, token: str) -> dict | None:
    """The registered kiosk whose token this is, or None (tokens are compared hashed)."""
    return db.accounts.kiosk_by_token(token) if isinstance(token, str) and token else None


def kiosk_by_id(db: Connection, kiosk_id: int) -> dict | None:
    """A registered, still active kiosk, or None."""
    return db.accounts.kiosk_by_id(kiosk_id)


def register_kiosk(db: Connection, name: str, now) -> str:
    """Register a kiosk device and return its token (shown once, stored only hashed)."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 60:
        raise InvalidRequest(N_("Kiosk names are 1-60 characters."))
    token = secrets.token_urlsafe(24)
    with db.store.write(db):
        db.accounts.add_kiosk(name, token, now)
    return token

