"""Reading request bodies the same way everywhere: malformed input is a 400, never a 500."""
from __future__ import annotations

from flask import request

from ..domain.errors import InvalidRequest
from ..i18n import N_

MAX_KEY_LENGTH = 100


def json_body() -> dict:
    """The request's JSON object, or an `invalid_request` error."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: not a body any client sends
        body = None
    if not isinstance(body, dict):
        raise InvalidRequest(N_("The request body must be a JSON object."))
    return body


def text_field(body: dict, name: str, *, required: bool = True, default: str | None = None, limit: int = 100) -> str | None:
    """A string field of a JSON body, checked for type and length."""
    value = body.get(name, default)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
    return value


def idempotency_key() -> str | None:
    """The `Idempotency-Key` header, if any (bounded, so it cannot bloat the database)."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidRequest(N_("The Idempotency-Key header is too long."))
    return key
