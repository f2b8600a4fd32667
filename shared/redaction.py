"""No ticket or booking token in any log: the access log, the error log and tracebacks.

A signed ticket or booking token in a path is a credential to that visit (cancel it, see
it, rate it); whoever reads a log must not be able to use it. Both the access log and
every error record (Flask's and the web server's) pass through `redact`.
"""
from __future__ import annotations

import logging
import re
import traceback

# Paths whose next segment is a signed ticket or booking token (the booking pages' own steps,
# `/booking/new/<service>` and `/booking/line/<service>`, name no visitor and stay readable).
_SECRET_PATHS = re.compile(
    r"(/t/|/api/tickets/|/kiosk/tickets/|/booking/(?!(?:new|line)(?:[/?\s\"']|$))|/api/bookings/|/api/calendar/)"
    r"[^/?\s\"']+")


def redact(text: str) -> str:
    """Replace ticket and booking tokens in a path (or in any text naming one) with a placeholder."""
    return _SECRET_PATHS.sub(r"\1…", text)


class RedactingFilter(logging.Filter):
    """A log filter that renders each record (its message and traceback) with tokens redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


# Where the Socket.IO libraries decode what a client sent: an error raised there is the client's.
_FRAME_DECODERS = ("engineio/packet.py", "socketio/packet.py")


class MalformedFrames(logging.Filter):
    """A client's undecodable Socket.IO frame costs one warning line, not a traceback.

    python-engineio and python-socketio log an empty frame, an unknown packet type or JSON cut
    in half with a full traceback (gunicorn too, when the frame ends the connection), so one
    phone could fill the server's log. Install it before `RedactingFilter`, which renders
    tracebacks.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[2] is not None:
            files = [frame.filename.replace("\\", "/") for frame in traceback.extract_tb(record.exc_info[2])]
            # Event handlers run on tasks of their own, so what fails in engine.io's message
            # handler is the frame's shape (`42/ticket,{}`: an event that is not a list).
            if any(name.endswith(_FRAME_DECODERS) for name in files) or record.msg == "message handler error":
                error = record.exc_info[1]
                record.msg, record.args = "malformed Socket.IO frame dropped: %s: %.80s", (type(error).__name__, str(error))
                record.exc_info = record.exc_text = None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
