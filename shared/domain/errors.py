"""Domain errors that carry the contract's error code and HTTP status.

The web layer turns them into `{"error": {"code", "message"}}`; the domain only says what
went wrong, never how it is rendered.
"""
from __future__ import annotations


class Localized(dict):
    """An `extra` value given in every language ({"id": …, "en": …}); the request's is sent."""


class DomainError(Exception):
    """A refusal the visitor or officer caused, as opposed to a server fault."""

    status = 400
    code = "invalid_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 extra: dict | None = None, **details):
        super().__init__(message % details if details else message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details
        # Fields added to the JSON error object next to code and message (e.g. next_open).
        self.extra = extra or {}


class InvalidRequest(DomainError):
    status, code = 400, "invalid_request"


class Unauthorized(DomainError):
    status, code = 401, "unauthorized"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class NotFound(DomainError):
    status, code = 404, "not_found"


class Conflict(DomainError):
    status, code = 409, "invalid_state"


class Unprocessable(DomainError):
    status, code = 422, "invalid_request"
