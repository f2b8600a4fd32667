"""The words a visitor reads for each ticket status, defined once for every screen.

The phone page renders them on the server and its script swaps them in live; both must say the
same thing in the same language, so the msgids live here, keyed by the status constants of the
domain model, and reach templates and scripts only through `register_vocabulary`.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import gettext

from ..domain.model import CALLED, CANCELLED, DONE, INVITED, NO_SHOW, OUTSIDE, SERVING, WAITING
from ..i18n import N_

# English msgids; the Indonesian (default) texts are in shared/translations/id/LC_MESSAGES/messages.po.
STATUS_TEXTS: dict[str, str] = {
    OUTSIDE: N_("Please wait outside. We will invite you in when there is room."),
    INVITED: N_("Please come in now."),
    WAITING: N_("Please wait. Your number will be called."),
    CALLED: N_("Your turn! Please go to the counter."),
    SERVING: N_("You are being served."),
    DONE: N_("Finished. Thank you for visiting."),
    NO_SHOW: N_("You were called but did not come. Please ask at the information desk."),
    CANCELLED: N_("This ticket was cancelled."),
}


def status_texts() -> dict[str, str]:
    """Status → text in the current request's language."""
    return {status: gettext(text) for status, text in STATUS_TEXTS.items()}


def register_vocabulary(app: Flask) -> None:
    """Give every template `status_texts` (for the server-rendered page) and `vocabulary`
    (the JSON-ready form that `_live.html` renders for static/live.js)."""

    @app.context_processor
    def inject_vocabulary() -> dict:
        statuses = status_texts()
        return {"status_texts": statuses, "vocabulary": {"statuses": statuses}}
