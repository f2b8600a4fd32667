"""Domain errors: what went wrong, named by the contract's error code and a kind of refusal.

The domain says *what* happened (`kind`: invalid, conflict, not found, unavailable…);
the web layer decides how it is rendered (`shared.web.errors` maps each kind to an HTTP
status and the one error shape `{"error": {"code", "message"}}`).
"""
from __future__ import annotations

from ..i18n import N_

# Kinds of refusal; the web layer maps each to an HTTP status.
INVALID = "invalid"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
CONFLICT = "conflict"
UNPROCESSABLE = "unprocessable"
UNAVAILABLE = "unavailable"


class Localized(dict):
    """An `extra` value given in every language ({"id": …, "en": …}); the request's is sent."""


class DomainError(Exception):
    """A refusal the visitor or officer caused (or must be told about), not a server fault."""

    kind = INVALID
    code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, kind: str | None = None,
                 extra: dict | None = None, **details):
        super().__init__(message % details if details else message)
        self.message = message
        if code:
            self.code = code
        if kind:
            self.kind = kind
        self.details = details
        # Fields added to the JSON error object next to code and message (e.g. next_open).
        self.extra = extra or {}


class InvalidRequest(DomainError):
    kind, code = INVALID, "invalid_request"


class Unauthorized(DomainError):
    kind, code = UNAUTHORIZED, "unauthorized"


class Forbidden(DomainError):
    kind, code = FORBIDDEN, "forbidden"


class NotFound(DomainError):
    kind, code = NOT_FOUND, "not_found"


class Conflict(DomainError):
    kind, code = CONFLICT, "invalid_state"


class Unprocessable(DomainError):
    kind, code = UNPROCESSABLE, "invalid_request"


# -- refusals of the queue ----------------------------------------------------------------

class UnknownService(NotFound):
    code = "unknown_service"


class UnknownTicket(NotFound):
    code = "unknown_ticket"


class InvalidLane(Unprocessable):
    code = "invalid_lane"


class UnknownCounter(NotFound):
    code = "unknown_counter"


class InvalidState(Conflict):
    code = "invalid_state"


class Closed(Conflict):
    code = "closed"


class QuotaFull(Conflict):
    code = "quota_full"


class CounterTaken(Conflict):
    code = "counter_taken"


class OnlineClosed(Conflict):
    code = "online_closed"


# -- refusals of appointments ------------------------------------------------------------------

class UnknownBooking(NotFound):
    code = "unknown_booking"


class SlotFull(Conflict):
    code = "slot_full"


class AlreadyBooked(Conflict):
    code = "already_booked"


class TooEarly(Conflict):
    code = "too_early"


class TooLate(Conflict):
    code = "too_late"


# -- the store cannot take the write --------------------------------------------------------

class StoreUnavailable(DomainError):
    """The database cannot take a write now; nothing was written, reads still work."""

    kind = UNAVAILABLE
    # What staff read instead of the visitor's sentence, when they must act rather than ask.
    staff_message: str | None = None


class StoreBusy(StoreUnavailable):
    """Another process (a backup, the CLI, a second server) held the write lock too long."""

    code = "busy"

    def __init__(self):
        super().__init__(N_("The system is busy. Please try again in a moment."))


class StoreFull(StoreUnavailable):
    code = "storage_full"
    staff_message = N_("The server's disk is full, so nothing new can be saved. Tell the office's administrator: "
                       "space must be freed on the server (old backups, other files).")

    def __init__(self):
        super().__init__(N_("The server's disk is full, so nothing new can be saved. Please tell the staff."))


class StoreReadOnly(StoreUnavailable):
    code = "read_only"
    staff_message = N_("The server cannot save changes right now (read-only database). Tell the office's "
                       "administrator: the server's disk or its permissions need checking.")

    def __init__(self):
        super().__init__(N_("The server cannot save changes right now (read-only database). Please tell the staff."))
