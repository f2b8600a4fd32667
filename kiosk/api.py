"""Kiosk and visitor endpoints of the JSON API (see docs/API.md)."""
from __future__ import annotations

from flask import jsonify

from shared.domain.errors import Unauthorized
from shared.services import bookings as booking_service
from shared.services import tickets as ticket_service
from shared.views import tickets as ticket_views
from shared.i18n import N_
from shared.web import context
from shared.web.auth import csrf_exempt, current_kiosk, current_staff, kiosk_rate_key, kiosk_required
from shared.web.extensions import limiter
from shared.web.requests import document_language, file_response, idempotency_key, json_body, text_field

from .blueprint import bp
from .visitor import booking_code, issued_body, ticket_from_token, ticket_pdf_bytes


def kiosk_rate_limit() -> str:
    return context.office().config.kiosk_rate_limit


# One count per kiosk for the API and the kiosk page together: a flood cannot switch routes.
ticket_limit = limiter.shared_limit(kiosk_rate_limit, scope="kiosk-tickets", key_func=kiosk_rate_key,
                                    methods=["POST"])


@bp.get("/api/services")
def list_services():
    """Public: the services a visitor can choose, with their lanes."""
    language = context.language()
    return jsonify([
        {"code": service.code, "name": service.names.get(language), "prefix": service.prefix,
         "lanes": list(service.lanes), "names": service.names.as_dict()}
        for service in context.office().config.services
    ])


@bp.post("/api/tickets")
@kiosk_required
@ticket_limit
def issue_ticket():
    """Kiosk: issue a ticket for a service and lane."""
    body = json_body()
    service = text_field(body, "service", limit=40)
    lane = text_field(body, "lane", required=False, default="general", limit=40)
    ticket = ticket_service.issue(context.office(), context.db(), service=service, lane=lane,
                                  kiosk_id=current_kiosk()["id"], request_key=idempotency_key())
    return jsonify(issued_body(ticket)), 201


@bp.post("/api/checkin")
@kiosk_required
@ticket_limit
def check_in():
    """Kiosk: an appointment arrives (typed code, or the scanned link of the booking): its ticket."""
    body = json_body()
    code = booking_code(text_field(body, "code", limit=300))
    ticket = booking_service.check_in(context.office(), context.db(), code, kiosk_id=current_kiosk()["id"])
    return jsonify(issued_body(ticket)), 201


@bp.get("/api/tickets/<token>")
def ticket_status(token: str):
    """Public (signed token): where this ticket stands now."""
    ticket = ticket_from_token(token)
    return jsonify(ticket_views.public_view(context.office(), context.db(), ticket))


@bp.get("/api/tickets/<token>/pdf")
def ticket_pdf(token: str):
    """Public (signed token): the 80 mm ticket to print."""
    ticket = ticket_from_token(token)
    return file_response(ticket_pdf_bytes(ticket, document_language()), "application/pdf",
                         f"antrean-{ticket.number}.pdf")


@bp.post("/api/tickets/<token>/cancel")
@csrf_exempt
def cancel_ticket(token: str):
    """Public (signed token): the visitor gives up their place."""
    ticket = ticket_from_token(token)
    ticket = ticket_service.cancel(context.office(), context.db(), ticket.id)
    return jsonify({"status": ticket.status})


@bp.post("/api/tickets/<token>/let-next-go-first")
@csrf_exempt
def let_next_go_first(token: str):
    """Public (signed token): the visitor lets the person behind them go first, keeping their ticket."""
    ticket = ticket_service.let_next_go_first(context.office(), context.db(), ticket_from_token(token).id)
    return jsonify(ticket_views.public_view(context.office(), context.db(), ticket))


@bp.post("/api/tickets/<token>/enter")
def enter_ticket(token: str):
    """Kiosk at the door or staff: the visitor came in; an invited or outside ticket now waits inside."""
    if current_kiosk() is None and current_staff() is None:
        raise Unauthorized(N_("Please sign in first."))
    ticket = ticket_from_token(token)
    ticket = ticket_service.enter(context.office(), context.db(), ticket.id, staff=current_staff())
    return jsonify(ticket_views.public_view(context.office(), context.db(), ticket))
