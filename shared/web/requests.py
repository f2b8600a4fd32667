"""Reading request bodies the same way everywhere: malformed input is a 400, never a 500."""
from __future__ import annotations

import json
import re

from flask import make_response, request
from werkzeug.routing import IntegerConverter

from ..domain.errors import InvalidRequest
from ..i18n import LANGUAGES, N_
from . import context

MAX_KEY_LENGTH = 100


class StoredIntegerConverter(IntegerConverter):
    """`<int:…>` in every route: a number SQLite can hold (64-bit), so `/api/alarms/<20 digits>/…`
    is an unknown path (404) instead of an overflow when the id reaches the database."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):  # noqa: A002 (werkzeug's names)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# A `\uD800`-`\uDFFF` escape: half of a UTF-16 pair, which JSON lets a client send alone.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def json_object() -> dict | None:
    """The request's JSON object, or None: not JSON, not an object, nested too deep to read, or
    holding half a surrogate pair (no text can be stored, hashed or shown with one: a running
    text, kiosk name or password of "\ud800" was a 500 once it reached SQLite or the hasher)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested thousands deep: not a body any client sends
        body = None
    if not isinstance(body, dict):
        return None
    if SURROGATE_ESCAPE.search(request.get_data()) and not _encodable(body):
        return None
    return body


def _encodable(body: dict) -> bool:
    """Whether every string in the body is real text (pairs of escapes make one character)."""
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_body() -> dict:
    """The request's JSON object, or an `invalid_request` error."""
    body = json_object()
    if body is None:
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


def document_language() -> str:
    """The language of a file a visitor downloads: `?lang=` (the page's choice), else the request's."""
    chosen = request.args.get("lang")
    return chosen if chosen in LANGUAGES else context.language()


def file_response(data: bytes | str, content_type: str, filename: str, *, inline: bool = True):
    """A ticket, slip, QR or calendar file: never cached (each is a visitor's own, behind a token)."""
    response = make_response(data)
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
