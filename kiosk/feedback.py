"""The visitor rates a finished visit: the JSON endpoint and the phone page's plain form.

Both take the visitor's own signed ticket token as the credential, so a forged or expired
link is an unknown ticket (404). The form works without JavaScript and carries the page's
CSRF token like the page's other forms.
"""
from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask_babel import gettext

from shared.domain.errors import DomainError, InvalidRequest
from shared.domain import satisfaction
from shared.domain.satisfaction import ELEMENT_CODES
from shared.i18n import N_
from shared.services import feedback as feedback_service
from shared.web import context
from shared.web.auth import csrf_exempt
from shared.web.extensions import limiter
from shared.web.requests import json_body

from .blueprint import bp
from .visitor import ticket_from_token

# Ratings come from phones that often share the office Wi-Fi's one address, so the limit per
# address is generous; each ticket can be rated only once anyway.
FEEDBACK_LIMIT = "300 per hour"
feedback_limit = limiter.shared_limit(FEEDBACK_LIMIT, scope="feedback", methods=["POST"])


@bp.context_processor
def survey_rule() -> dict:
    """The survey's scores, words and questions, for the phone page's survey partial."""
    return {"survey_rule": satisfaction}


@bp.post("/api/tickets/<token>/feedback")
@csrf_exempt
@feedback_limit
def rate_ticket(token: str):
    """Public (signed token): the visitor rates their finished visit, once."""
    ticket = ticket_from_token(token)
    body = json_body()
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="comment")
    recorded = feedback_service.rate(context.office(), context.db(), ticket.id, score=body.get("score"),
                                     comment=comment, elements=body.get("elements"), channel="phone")
    return jsonify(dict(recorded, rated=True)), 201


@bp.post("/t/<token>/feedback")
@feedback_limit
def rate_from_phone(token: str):
    """The status page's survey form: rate, then see the page again, now saying thank you."""
    ticket = ticket_from_token(token)
    form = request.form
    elements = None
    if form.get("mode") == "skm":
        elements = {code: _number(form.get(code)) for code in ELEMENT_CODES}
    try:
        feedback_service.rate(context.office(), context.db(), ticket.id, score=_number(form.get("score")),
                              comment=form.get("comment"), elements=elements, channel="phone")
    except DomainError as error:
        flash(gettext(error.message, **error.details), "error")
    return redirect(url_for("kiosk.status_page", token=token) + "#survey")


def _number(value: str | None) -> int | None:
    """A form's radio value as a number (None when left unanswered; the rule refuses it)."""
    return int(value) if value and value.isdigit() and len(value) == 1 else None
