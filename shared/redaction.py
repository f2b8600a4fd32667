"""No ticket or booking token in any log: the access log, the error log and tracebacks.

A signed ticket or booking token in a path is a credential to that visit (cancel it, see
it, rate it); whoever reads a log must not be able to use it. Both the access log and
every error record (Flask's and the web server's) pass through `redact`.
"""
from __future__ import annotations

import logging
import re

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
