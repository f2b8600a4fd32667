"""Per-request access to the office, its database connection, the clock and the screens."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, g
from flask_babel import get_locale

from ..office import Office
from ..store import Connection
from ..tokens import TicketTokens


def office() -> Office:
    """The office this app serves."""
    return current_app.extensions["antrean.office"]


def db() -> Connection:
    """A database connection for this app context, closed on teardown."""
    if "db" not in g:
        g.db = office().store.connect(pooled=True)
    return g.db


def close_db(_error=None) -> None:
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()


def tokens() -> TicketTokens:
    """Signs and checks the tokens in ticket QR codes and status links."""
    return current_app.extensions["antrean.tokens"]


def booking_tokens() -> TicketTokens:
    """Signs and checks the tokens in booking links and their QR codes."""
    return current_app.extensions["antrean.booking_tokens"]


def screens():
    """The Socket.IO subscriber of the event log (snapshots with `seq`, phone watchers)."""
    return current_app.extensions["antrean.screens"]


def language() -> str:
    """The language this request is answered in (Indonesian unless another was chosen)."""
    return str(get_locale() or "id")


def now() -> datetime:
    """The current instant from the office's clock (the same clock the relay and scheduler read)."""
    return office().clock()
