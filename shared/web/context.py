"""Per-request access to the office, its database connection and the clock."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, g
from flask_babel import get_locale

from ..clock import utc_now
from ..office import Office
from ..storage import Connection
from ..tokens import TicketTokens


def office() -> Office:
    """The office this app serves."""
    return current_app.extensions["antrean.office"]


def db() -> Connection:
    """A database connection for this app context, closed on teardown."""
    if "db" not in g:
        g.db = office().store.connect()
    return g.db


def close_db(_error=None) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def tokens() -> TicketTokens:
    """Signs and checks the tokens in ticket QR codes and status links."""
    return current_app.extensions["antrean.tokens"]


def language() -> str:
    """The language this request is answered in (Indonesian unless English was chosen)."""
    return str(get_locale() or "id")


def now() -> datetime:
    """The current instant; tests replace `ANTREAN_CLOCK` to move time."""
    clock = current_app.config.get("ANTREAN_CLOCK") or utc_now
    return clock()
