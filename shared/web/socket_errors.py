"""Socket.IO events that fail are answered with an `error` event, never with silence.

A client may send an event with any arguments; a handler that still fails is a real fault,
logged once with its traceback (as an HTTP 500 is), and the client hears `error` instead of
the event loop printing a traceback. Undecodable frames never reach a handler: they are
reduced to one log line by `shared.redaction.MalformedFrames`, installed by `quiet_frames`.
"""
from __future__ import annotations

import logging

from flask import request
from flask_babel import gettext
from flask_socketio import emit

from ..i18n import N_
from ..redaction import MalformedFrames
from .extensions import socketio

SOCKET_LOGGERS = ("engineio.server", "socketio.server")
FAILED = N_("Something went wrong on the server. Please try again.")

log = logging.getLogger(__name__)


def quiet_frames() -> None:
    """Reduce the Socket.IO libraries' records of malformed frames to one line each."""
    for name in SOCKET_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(item, MalformedFrames) for item in logger.filters):
            logger.addFilter(MalformedFrames())


def socket_error(code: str, message: str) -> None:
    """Tell the client its event was refused: `error {"error": {"code", "message"}}`, as the API."""
    emit("error", {"error": {"code": code, "message": gettext(message)}})


@socketio.on_error_default
def handler_failed(error: Exception) -> None:
    """An event handler raised: a real fault, logged once with its traceback; the client hears it."""
    log.error("Socket.IO handler failed on %s", request.namespace, exc_info=error)
    socket_error("server_error", FAILED)
