"""Staff accounts and registered kiosks. Kiosk tokens and registration links are stored hashed.

A staff account's `session_version` is part of every cookie and bearer token issued for it;
raising it (sign-out, new password or role, disabling, removal) ends them all at once.
"""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime

import sqlite_utils

from ..domain.officetime import parse_utc, to_utc_text

_USER = "id, username, password_hash, role, active, session_version, created_at"
_USER_KEYS = ("id", "username", "password_hash", "role", "active", "session_version", "created_at")
_KIOSK = "id, name, created_at, registration_expires_at"


def hash_token(token: str) -> str:
    """Kiosk tokens are stored hashed, so a copied database does not leak working tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _user(row) -> dict | None:
    return dict(zip(_USER_KEYS, row)) if row else None


def _kiosk(row) -> dict | None:
    if not row:
        return None
    return {"id": row[0], "name": row[1], "created_at": row[2], "registration_expires_at": parse_utc(row[3])}


class Accounts:
    """The `users` and `kiosks` tables (inserts through sqlite-utils, which reads well for them)."""

    def __init__(self, raw: sqlite3.Connection, database: sqlite_utils.Database):
        self.raw = raw
        self.database = database

    # -- staff ---------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str, role: str, now: datetime) -> int:
        return self.database["users"].insert(
            {"username": username, "password_hash": password_hash, "role": role, "active": 1,
             "created_at": to_utc_text(now)}
        ).last_pk

    def set_user_password(self, username: str, password_hash: str, role: str) -> bool:
        """Reset the password and role of an account that is not removed (the CLI's `user add`)."""
        return self.raw.execute(
            "UPDATE users SET password_hash = ?, role = ?, session_version = session_version + 1 "
            "WHERE username = ? AND removed_at IS NULL", (password_hash, role, username)
        ).rowcount == 1

    def revive_user(self, user_id: int, password_hash: str, role: str, now: datetime) -> None:
        """A removed account's name taken again: a new password and role, nothing of the old sessions."""
        self.raw.execute(
            "UPDATE users SET password_hash = ?, role = ?, active = 1, removed_at = NULL, created_at = ?, "
            "session_version = session_version + 1 WHERE id = ?", (password_hash, role, to_utc_text(now), user_id))

    def user_by_name(self, username: str) -> dict | None:
        """An active account by name (the one that may sign in)."""
        row = self.raw.execute(f"SELECT {_USER} FROM users WHERE username = ? AND active = 1", (username,)).fetchone()
        return _user(row)

    def any_user_by_name(self, username: str) -> dict | None:
        """An account by name whatever its state, with `removed` telling whether it was removed."""
        row = self.raw.execute(f"SELECT {_USER}, removed_at IS NOT NULL FROM users WHERE username = ?",
                               (username,)).fetchone()
        return dict(_user(row[:-1]), removed=bool(row[-1])) if row else None

    def user_by_id(self, user_id: int) -> dict | None:
        row = self.raw.execute(f"SELECT {_USER} FROM users WHERE id = ? AND active = 1", (user_id,)).fetchone()
        return _user(row)

    def list_users(self) -> list[dict]:
        """Every account not removed (disabled ones too), by name."""
        rows = self.raw.execute(
            f"SELECT {_USER} FROM users WHERE removed_at IS NULL ORDER BY username COLLATE NOCASE").fetchall()
        return [_user(row) for row in rows]

    def change_user(self, user_id: int, *, password_hash: str | None = None, role: str | None = None,
                    active: bool | None = None) -> None:
        """Change what is given and end every session of the account (its version rises)."""
        self.raw.execute(
            "UPDATE users SET password_hash = coalesce(?, password_hash), role = coalesce(?, role), "
            "active = coalesce(?, active), session_version = session_version + 1 WHERE id = ?",
            (password_hash, role, None if active is None else int(active), user_id))

    def end_sessions(self, user_id: int) -> None:
        self.raw.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ?", (user_id,))

    def remove_user(self, user_id: int, now: datetime) -> None:
        self.raw.execute(
            "UPDATE users SET active = 0, removed_at = ?, session_version = session_version + 1 WHERE id = ?",
            (to_utc_text(now), user_id))

    def count_admins(self) -> int:
        return self.raw.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1").fetchone()[0]

    # -- kiosks --------------------------------------------------------------------------

    def add_kiosk(self, name: str, token: str, now: datetime) -> int:
        return self.database["kiosks"].insert(
            {"name": name, "token_hash": hash_token(token), "active": 1, "created_at": to_utc_text(now)}
        ).last_pk

    def kiosk_by_token(self, token: str) -> dict | None:
        row = self.raw.execute(
            "SELECT id, name FROM kiosks WHERE token_hash = ? AND active = 1", (hash_token(token),)
        ).fetchone()
        return {"id": row[0], "name": row[1]} if row else None

    def kiosk_by_id(self, kiosk_id: int) -> dict | None:
        row = self.raw.execute("SELECT id, name FROM kiosks WHERE id = ? AND active = 1", (kiosk_id,)).fetchone()
        return {"id": row[0], "name": row[1]} if row else None

    def list_kiosks(self) -> list[dict]:
        """Every kiosk not retired, by name."""
        rows = self.raw.execute(
            f"SELECT {_KIOSK} FROM kiosks WHERE active = 1 ORDER BY name COLLATE NOCASE, id").fetchall()
        return [_kiosk(row) for row in rows]

    def rename_kiosk(self, kiosk_id: int, name: str) -> bool:
        return self.raw.execute("UPDATE kiosks SET name = ? WHERE id = ? AND active = 1",
                                (name, kiosk_id)).rowcount == 1

    def retire_kiosk(self, kiosk_id: int, now: datetime) -> bool:
        return self.raw.execute(
            "UPDATE kiosks SET active = 0, retired_at = ?, registration_hash = NULL WHERE id = ? AND active = 1",
            (to_utc_text(now), kiosk_id)).rowcount == 1

    def set_registration(self, kiosk_id: int, token: str, expires: datetime) -> bool:
        """A new one-time registration link for the kiosk (the previous one stops working)."""
        return self.raw.execute(
            "UPDATE kiosks SET registration_hash = ?, registration_expires_at = ? WHERE id = ? AND active = 1",
            (hash_token(token), to_utc_text(expires), kiosk_id)).rowcount == 1

    def use_registration(self, token: str, now: datetime) -> dict | None:
        """The kiosk this one-time link registers, consumed by this call; None if unknown, used or expired."""
        row = self.raw.execute(
            f"SELECT {_KIOSK} FROM kiosks WHERE registration_hash = ? AND active = 1", (hash_token(token),)
        ).fetchone()
        kiosk = _kiosk(row)
        if kiosk is None:
            return None
        self.raw.execute("UPDATE kiosks SET registration_hash = NULL, registration_expires_at = NULL WHERE id = ?",
                         (kiosk["id"],))
        if kiosk["registration_expires_at"] is None or kiosk["registration_expires_at"] <= now:
            return None
        return {"id": kiosk["id"], "name": kiosk["name"]}
