"""One error shape everywhere: `{"error": {"code", "message"}}` on the API, a page elsewhere.

Messages are translated for the request (Indonesian unless the API client prefers English).
Unexpected faults are logged with the request path only: never bodies, tokens or names.
"""
from __future__ import annotations

from flask import Flask, g, jsonify, make_response, render_template, request, url_for
from flask.globals import request_ctx
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..domain import errors as domain_errors
from ..domain.errors import DomainError, Localized, StoreBusy
from ..i18n import N_
from . import context

HTTP_CODES = {
    400: ("invalid_request", N_("The request is not valid.")),
    401: ("unauthorized", N_("Please sign in first.")),
    403: ("forbidden", N_("You may not do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    408: ("request_timeout", N_("The request took too long to arrive. Please try again.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("invalid_request", N_("Send the request as JSON.")),
    429: ("rate_limited", N_("Too many requests. Please wait a moment and try again.")),
    500: ("server_error", N_("Something went wrong on the server. Please try again.")),
}

# How each kind of domain refusal is answered over HTTP.
STATUS_OF_KIND = {
    domain_errors.INVALID: 400,
    domain_errors.UNAUTHORIZED: 401,
    domain_errors.FORBIDDEN: 403,
    domain_errors.NOT_FOUND: 404,
    domain_errors.CONFLICT: 409,
    domain_errors.UNPROCESSABLE: 422,
    domain_errors.UNAVAILABLE: 503,
}
# Seconds a client should wait before retrying a write the store was too busy for.
RETRY_AFTER_BUSY = 2


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain refusal."""
    return STATUS_OF_KIND.get(error.kind, 400)


def wants_json() -> bool:
    """API paths and JSON clients get JSON; browsers get a page."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, code: str, message: str, extra: dict | None = None, **details):
    """Render an error for this request; `message` is an untranslated msgid."""
    text = gettext(message, **details) if details else gettext(message)
    if wants_json():
        language = context.language()
        fields = {name: value.get(language, value.get("id")) if isinstance(value, Localized) else value
                  for name, value in (extra or {}).items()}
        response = jsonify({"error": {"code": code, "message": text, **fields}})
        response.status_code = status
        return response
    if request_ctx.url_adapter is None:
        # Werkzeug refused the Host header (e.g. a label over 63 characters), so no URL can be
        # built and the page template cannot render: a short plain answer instead of a 500.
        return make_response((text, status, {"Content-Type": "text/plain; charset=utf-8"}))
    return render_template("error.html", status=status, code=code, message=text, back_url=_back_url()), status


def _back_url() -> str | None:
    """Where a person on this screen should go next: the kiosk or console start, not the staff index."""
    for prefix, endpoint in (("/kiosk", "kiosk.home"), ("/counter", "counter.pick"), ("/display", "display.wall")):
        if request.path.startswith(prefix):
            return url_for(endpoint)
    return None


def retry_after_header(response):
    """`Retry-After` only where it means something: a busy store's 503 (2 s) or a rate limit's 429
    (the limiter would otherwise send one on every kiosk answer).

    Registered before the rate limiter, so it runs after the limiter has added its headers.
    """
    if "retry_after" in g:
        response.headers["Retry-After"] = str(g.retry_after)
    elif response.status_code != 429:
        response.headers.pop("Retry-After", None)
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers that turn every failure into the one error shape."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if isinstance(error, StoreBusy):
            g.retry_after = RETRY_AFTER_BUSY
        return error_response(status_of(error), error.code, error.message, error.extra, **error.details)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(400, "csrf_failed", N_("The form expired. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_CODES.get(error.code, ("http_error", N_("The request could not be handled.")))
        return error_response(error.code or 500, code, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, *HTTP_CODES[500])
