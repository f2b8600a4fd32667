"""Staff accounts and registered kiosks. Kiosk tokens are stored hashed."""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime

import sqlite_utils

from ..domain.officetime import to_utc_text


def hash_token(token: str) -> str:
    """Kiosk tokens are stored hashed, so a copied database does not leak working tokens."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """The `users` and `kiosks` tables (inserts through sqlite-utils, which reads well for them)."""

    def __init__(self, raw: sqlite3.Connection, database: sqlite_utils.Database):
        self.raw = raw
        self.database = database

    def add_user(self, username: str, password_hash: str, role: str, now: datetime) -> int:
        return self.database["users"].insert(
            {"username": username, "password_hash": password_hash, "role": role, "active": 1,
             "created_at": to_utc_text(now)}
        ).last_pk

    def set_user_password(self, username: str, password_hash: str, role: str) -> bool:
        return self.raw.execute(
            "UPDATE users SET password_hash = ?, role = ? WHERE username = ?", (password_hash, role, username)
        ).rowcount == 1

    def user_by_name(self, username: str) -> dict | None:
        row = self.raw.execute(
            "SELECT id, username, password_hash, role FROM users WHERE username = ? AND active = 1", (username,)
        ).fetchone()
        return dict(zip(("id", "username", "password_hash", "role"), row)) if row else None

    def user_by_id(self, user_id: int) -> dict | None:
        row = self.raw.execute(
            "SELECT id, username, role FROM users WHERE id = ? AND active = 1", (user_id,)
        ).fetchone()
        return dict(zip(("id", "username", "role"), row)) if row else None

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
