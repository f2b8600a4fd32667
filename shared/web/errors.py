"""One error shape everywhere: `{"error": {"code", "message"}}` on the API, a page elsewhere.

Messages are translated for the request (Indonesian unless the API client prefers English).
Unexpected faults are logged with the request path only: never bodies, tokens or names.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..domain.errors import DomainError, Localized
from ..i18n import N_
from . import context

HTTP_CODES = {
    400: ("invalid_request", N_("The request is not valid.")),
    401: ("unauthorized", N_("Please sign in first.")),
    403: ("forbidden", N_("You may not do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("invalid_request", N_("Send the request as JSON.")),
    429: ("rate_limited", N_("Too many requests. Please wait a moment and try again.")),
    500: ("server_error", N_("Something went wrong on the server. Please try again.")),
}


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
    return render_template("error.html", status=status, code=code, message=text, back_url=_back_url()), status


def _back_url() -> str | None:
    """Where a person on this screen should go next: the kiosk or console start, not the staff index."""
    for prefix, endpoint in (("/kiosk", "kiosk.home"), ("/counter", "counter.pick"), ("/display", "display.wall")):
        if request.path.startswith(prefix):
            return url_for(endpoint)
    return None


def register_error_handlers(app: Flask) -> None:
    """Install the handlers that turn every failure into the one error shape."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(error.status, error.code, error.message, error.extra, **error.details)

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
