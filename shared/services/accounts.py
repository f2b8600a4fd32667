"""Staff accounts and registered kiosks: who may call tickets and which devices may issue them.

Every change that must end an account's sessions (sign-out, a new password or role,
disabling, removal) raises its session version in the same transaction and records
`StaffSessionsEnded`: the account's cookies and bearer tokens stop on their next request,
and the relay closes its open sockets right after the commit.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta


from ..domain import audit
from ..domain.errors import Conflict, InvalidRequest, NotFound, Unauthorized, Unprocessable
from ..domain.events import StaffSessionsEnded
from ..domain.model import ROLES, StaffUser
from ..i18n import N_
from ..passwords import hash_password, password_matches
from ..store import Connection
from .audit import record


def _by(staff: StaffUser | None) -> audit.Actor:
    """Who made an account change: the signed-in admin, or someone at the server's command line."""
    return audit.staff(staff) if staff is not None else audit.CLI

_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{2,40}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
# zxcvbn's score: 3 is "safely unguessable" for an online attack (about 10^8 guesses), which
# is what a sign-in form limited per account and address faces.
MIN_STRENGTH = 3
# Words an attacker would try first on this product's accounts besides the username itself.
PRODUCT_WORDS = ("antrean", "antrian", "loket", "petugas", "supervisor", "admin", "kantor")
# How long a kiosk's one-time registration link can be opened.
REGISTRATION_LINK = timedelta(hours=24)

# Checked when a name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


# -- rules ---------------------------------------------------------------------------------

def check_username(username: str) -> str:
    if not isinstance(username, str) or not _USERNAME.match(username):
        raise InvalidRequest(N_("Usernames are 2-40 letters, digits, '.', '_' or '-'."))
    return username


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidRequest(N_("Role must be officer, supervisor or admin."))
    return role


def check_password(password: str, username: str = "") -> str:
    """Refuse short, common and guessable passwords (`422 weak_password`).

    zxcvbn estimates how many guesses a password takes from its dictionaries of common
    passwords, names and words, keyboard patterns, dates and repeats, so "password",
    "Password123" and "qwertyuiop" fail however long they are, while a long phrase passes.
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise Unprocessable(N_("Passwords need at least %(length)s characters."), code="weak_password",
                            length=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise Unprocessable(N_("Passwords are at most %(length)s characters."), code="weak_password",
                            length=MAX_PASSWORD)
    # Imported here, not at the top: its dictionaries take ~12 MB, which a serving worker
    # needs only on the rare day a password is set (docs/PERFORMANCE.md, memory).
    from zxcvbn import zxcvbn

    if zxcvbn(password, user_inputs=[username, *PRODUCT_WORDS])["score"] < MIN_STRENGTH:
        raise Unprocessable(N_("This password is too common or too easy to guess. Use a longer phrase of "
                               "several unrelated words."), code="weak_password")
    return password


def _staff(user: dict) -> StaffUser:
    return StaffUser(user["id"], user["username"], user["role"], user["session_version"])


def _end_sessions(db: Connection, user_id: int, now: datetime) -> None:
    db.events.append(StaffSessionsEnded(user_id), now)


# -- staff ---------------------------------------------------------------------------------

def add_staff(db: Connection, username: str, password: str, role: str, now) -> StaffUser:
    """Create a staff account, or reset the password and role of an existing one (the CLI).

    A reset ends the account's sessions, tokens and sockets.
    """
    check_username(username)
    check_role(role)
    check_password(password, username)
    password_hash = hash_password(password)
    with db.store.write(db):
        if db.accounts.set_user_password(username, password_hash, role):
            user = db.accounts.any_user_by_name(username)
            _end_sessions(db, user["id"], now)
            record(db, now, audit.CLI, "user.password_reset", user=user["username"], role=role)
        else:
            _insert(db, username, password_hash, role, now)
            record(db, now, audit.CLI, "user.added", user=username, role=role)
        user = db.accounts.any_user_by_name(username)
    return _staff(user)


def create_staff(db: Connection, username: str, password: str, role: str, now, *,
                 by: StaffUser | None = None) -> StaffUser:
    """A new staff account (`409 user_exists` if the name is taken by one not removed)."""
    check_username(username)
    check_role(role)
    check_password(password, username)
    password_hash = hash_password(password)
    with db.store.write(db):
        existing = db.accounts.any_user_by_name(username)
        if existing is not None and not existing["removed"]:
            raise Conflict(N_("There is already an account named %(username)s."), code="user_exists",
                           username=existing["username"])
        _insert(db, username, password_hash, role, now)
        record(db, now, _by(by), "user.added", user=username, role=role)
        user = db.accounts.any_user_by_name(username)
    return _staff(user)


def _insert(db: Connection, username: str, password_hash: str, role: str, now) -> None:
    """A new account, or a removed one's name taken again (nothing of the old sessions survives)."""
    removed = db.accounts.any_user_by_name(username)
    if removed is not None:
        db.accounts.revive_user(removed["id"], password_hash, role, now)
    else:
        db.accounts.add_user(username, password_hash, role, now)


def authenticate(db: Connection, username: str, password: str) -> StaffUser | None:
    """The staff user for these credentials, or None (a disabled or removed account never signs in)."""
    user = db.accounts.user_by_name(username) if isinstance(username, str) else None
    if user is None or not isinstance(password, str):
        password_matches(_DUMMY_HASH, password if isinstance(password, str) else "")
        return None
    if not password_matches(user["password_hash"], password):
        return None
    return _staff(user)


def sign_in(db: Connection, username: str, password: str, now: datetime, *, via: str) -> StaffUser | None:
    """`authenticate`, recorded in the audit trail: a sign-in, or a failed one for an existing
    account (a name matching no account is not recorded: it may be a password typed in the
    wrong field). `via` is "page" or "api"."""
    staff = authenticate(db, username, password)
    account = staff or (db.accounts.user_by_name(username) if isinstance(username, str) and username else None)
    if account is None:
        return None
    actor = audit.staff(staff) if staff else audit.Actor("staff", account["id"])
    with db.store.write(db):
        record(db, now, actor, "staff.signed_in" if staff else "staff.sign_in_failed", via=via)
    return staff


def staff_by_id(db: Connection, user_id: int) -> StaffUser | None:
    """An active account (with its current session version), or None."""
    user = db.accounts.user_by_id(user_id)
    return _staff(user) if user else None


def list_staff(db: Connection) -> list[dict]:
    """Every account not removed: `{"username","role","active","created_at"}`, by name."""
    return [{"username": user["username"], "role": user["role"], "active": bool(user["active"]),
             "created_at": user["created_at"]} for user in db.accounts.list_users()]


def _account(db: Connection, username: str) -> dict:
    user = db.accounts.any_user_by_name(username) if isinstance(username, str) else None
    if user is None or user["removed"]:
        raise NotFound(N_("There is no account named %(username)s."), code="unknown_user", username=username)
    return user


def _not_yourself(user: dict, by: StaffUser | None) -> None:
    """An admin cannot disable, demote or remove their own account (nobody else may be left to undo it)."""
    if by is not None and user["id"] == by.id:
        raise Conflict(N_("You cannot do this to your own account."), code="own_account")


def sign_out_everywhere(db: Connection, staff: StaffUser, now) -> None:
    """End every session, token and socket of this account (signing out ends them all)."""
    with db.store.write(db):
        db.accounts.end_sessions(staff.id)
        _end_sessions(db, staff.id, now)
        record(db, now, audit.staff(staff), "staff.signed_out")


def reset_password(db: Connection, username: str, password: str, now, *, by: StaffUser | None = None) -> dict:
    """An admin sets a new password; the account's sessions end."""
    check_password(password, username)
    password_hash = hash_password(password)
    with db.store.write(db):
        user = _account(db, username)
        db.accounts.change_user(user["id"], password_hash=password_hash)
        _end_sessions(db, user["id"], now)
        record(db, now, _by(by), "user.password_reset", user=user["username"])
    return _view(db, username)


def change_own_password(db: Connection, staff: StaffUser, current: str, new: str, now) -> None:
    """A staff member changes their own password; every session of theirs ends, this one too."""
    user = db.accounts.user_by_id(staff.id)
    if user is None or not isinstance(current, str) or not password_matches(user["password_hash"], current):
        raise Unauthorized(N_("The current password is not right."), code="bad_credentials")
    check_password(new, staff.username)
    password_hash = hash_password(new)
    with db.store.write(db):
        db.accounts.change_user(staff.id, password_hash=password_hash)
        _end_sessions(db, staff.id, now)
        record(db, now, audit.staff(staff), "staff.password_changed")


def change_staff(db: Connection, username: str, now, *, role: str | None = None, active: bool | None = None,
                 by: StaffUser | None = None) -> dict:
    """Change an account's role or disable/enable it; either ends its sessions."""
    if role is not None:
        check_role(role)
    if active is not None and not isinstance(active, bool):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="active")
    with db.store.write(db):
        user = _account(db, username)
        if (role is not None and role != user["role"]) or active is False:
            _not_yourself(user, by)
        db.accounts.change_user(user["id"], role=role, active=active)
        _end_sessions(db, user["id"], now)
        record(db, now, _by(by), "user.changed", user=user["username"],
               role=role if role != user["role"] else None, active=active)
    return _view(db, username)


def remove_staff(db: Connection, username: str, now, *, by: StaffUser | None = None) -> None:
    """Remove an account: it can no longer sign in, and its sessions, tokens and sockets end now."""
    with db.store.write(db):
        user = _account(db, username)
        _not_yourself(user, by)
        db.accounts.remove_user(user["id"], now)
        _end_sessions(db, user["id"], now)
        record(db, now, _by(by), "user.removed", user=user["username"])


def _view(db: Connection, username: str) -> dict:
    user = db.accounts.any_user_by_name(username)
    return {"username": user["username"], "role": user["role"], "active": bool(user["active"])}


# -- kiosks --------------------------------------------------------------------------------

def kiosk_by_token(db: Connection, token: str) -> dict | None:
    """The registered kiosk whose token this is, or None (tokens are compared hashed)."""
    return db.accounts.kiosk_by_token(token) if isinstance(token, str) and token else None


def kiosk_by_id(db: Connection, kiosk_id: int) -> dict | None:
    """A registered, still active kiosk, or None."""
    return db.accounts.kiosk_by_id(kiosk_id)


def _kiosk_name(name: str) -> str:
    name = (name or "").strip() if isinstance(name, str) else ""
    if not 1 <= len(name) <= 60:
        raise InvalidRequest(N_("Kiosk names are 1-60 characters."))
    return name


def register_kiosk(db: Connection, name: str, now) -> str:
    """Register a kiosk device from the command line and return its token (shown once, stored only hashed)."""
    return create_kiosk(db, name, now)[1]


def create_kiosk(db: Connection, name: str, now, *, by: StaffUser | None = None) -> tuple[dict, str]:
    """A new kiosk and its bearer token (shown once, stored only hashed)."""
    name = _kiosk_name(name)
    token = secrets.token_urlsafe(24)
    with db.store.write(db):
        kiosk_id = db.accounts.add_kiosk(name, token, now)
        record(db, now, _by(by), "kiosk.added", kiosk=kiosk_id, name=name)
    return {"id": kiosk_id, "name": name}, token


def registration_link(db: Connection, kiosk_id: int, now, *, by: StaffUser | None = None) -> tuple[str, datetime]:
    """A one-time registration token for the kiosk, valid for a day; the previous one stops."""
    token = secrets.token_urlsafe(24)
    expires = now + REGISTRATION_LINK
    with db.store.write(db):
        if not db.accounts.set_registration(kiosk_id, token, expires):
            raise _unknown_kiosk(kiosk_id)
        record(db, now, _by(by), "kiosk.link_made", kiosk=kiosk_id)
    return token, expires


def register_device(db: Connection, token: str, now) -> dict | None:
    """The kiosk a browser becomes with this token: the kiosk's own token, or a one-time
    registration link's (consumed now, so a second browser opening it is refused)."""
    kiosk = kiosk_by_token(db, token)
    if kiosk is not None or not isinstance(token, str) or not token:
        return kiosk
    with db.store.write(db):
        kiosk = db.accounts.use_registration(token, now)
        if kiosk is not None:
            record(db, now, audit.Actor("kiosk", kiosk["id"]), "kiosk.registered", kiosk=kiosk["id"])
        return kiosk


def list_kiosks(db: Connection, now) -> list[dict]:
    """Every kiosk not retired: `{"id","name","link_open"}` (an unused registration link)."""
    return [{"id": kiosk["id"], "name": kiosk["name"],
             "link_open": bool(kiosk["registration_expires_at"] and kiosk["registration_expires_at"] > now)}
            for kiosk in db.accounts.list_kiosks()]


def rename_kiosk(db: Connection, kiosk_id: int, name: str, now, *, by: StaffUser | None = None) -> dict:
    name = _kiosk_name(name)
    with db.store.write(db):
        if not db.accounts.rename_kiosk(kiosk_id, name):
            raise _unknown_kiosk(kiosk_id)
        record(db, now, _by(by), "kiosk.renamed", kiosk=kiosk_id, name=name)
    return {"id": kiosk_id, "name": name}


def retire_kiosk(db: Connection, kiosk_id: int, now, *, by: StaffUser | None = None) -> None:
    """Retire a kiosk: its token, its registration link and its browsers' sessions stop at once
    (each request checks the kiosk is still active)."""
    with db.store.write(db):
        if not db.accounts.retire_kiosk(kiosk_id, now):
            raise _unknown_kiosk(kiosk_id)
        record(db, now, _by(by), "kiosk.retired", kiosk=kiosk_id)


def _unknown_kiosk(kiosk_id) -> NotFound:
    return NotFound(N_("There is no kiosk %(id)s."), code="unknown_kiosk", id=kiosk_id)
