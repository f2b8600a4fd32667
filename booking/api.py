"""Public endpoints of appointments and the online line (see docs/API.md)."""
from __future__ import annotations

from flask import jsonify, request

from shared.domain.errors import Unprocessable
from shared.domain.hours import parse_day
from shared.i18n import N_
from shared.qr import qr_svg
from shared.services import bookings as booking_service
from shared.services import tickets as ticket_service
from shared.views import bookings as booking_views
from shared.web import context
from shared.web.auth import csrf_exempt
from shared.web.extensions import limiter
from shared.web.requests import document_language, file_response, json_body, text_field

from kiosk.visitor import issued_body

from .blueprint import bp
from .links import booking_calendar, booking_from_token, booking_pdf, created_body, manage_url

# Booking and joining the line from home are open to anyone: limited per client address.
PUBLIC_WRITE_LIMIT = "30 per hour"
public_limit = limiter.shared_limit(PUBLIC_WRITE_LIMIT, scope="public-writes")


@bp.get("/api/slots")
def list_slots():
    """Public: a service's bookable slots on a date, with places left."""
    service = request.args.get("service", "")
    if context.office().config.service(service) is None:
        ticket_service.service_and_lane(context.office(), service, "general")   # unknown_service
    day = parse_day(request.args.get("date", ""))
    if day is None:
        raise Unprocessable(N_("Choose a date like 2026-12-24."))
    office = context.office()
    if not office.config.booking.enabled:
        return jsonify([])
    return jsonify(booking_views.open_slots(office, context.db(), service, day, context.now()))


@bp.post("/api/bookings")
@csrf_exempt
@public_limit
def create_booking():
    """Public: book a place in a slot; the answer carries the code, links and the manage token."""
    body = json_body()
    contact = body.get("contact")
    if contact is not None and not isinstance(contact, str):
        raise Unprocessable(N_("The field '%(field)s' is missing or not valid."), field="contact")
    booking = booking_service.book(
        context.office(), context.db(), service=text_field(body, "service", limit=40),
        day=text_field(body, "date", limit=20), start=text_field(body, "start", limit=10),
        lane=text_field(body, "lane", required=False, default="general", limit=40), contact=contact,
    )
    return jsonify(created_body(booking)), 201


@bp.get("/api/bookings/<token>")
def show_booking(token: str):
    """Public (signed token): the booking and its status."""
    return jsonify(booking_views.booking_view(booking_from_token(token)))


@bp.post("/api/bookings/<token>/cancel")
@csrf_exempt
def cancel_booking(token: str):
    """Public (signed token): give the place back."""
    booking = booking_service.cancel(context.office(), context.db(), booking_from_token(token).id)
    return jsonify({"status": booking.status})


@bp.post("/api/bookings/<token>/confirm")
@csrf_exempt
def confirm_booking(token: str):
    """Public (signed token): "yes, I will come", the answer to a reminder (extension)."""
    booking = booking_service.confirm(context.office(), context.db(), booking_from_token(token).id)
    return jsonify(booking_views.booking_view(booking))


@bp.post("/api/bookings/<token>/reschedule")
@csrf_exempt
def reschedule_booking(token: str):
    """Public (signed token): move the booking to another slot."""
    body = json_body()
    booking = booking_service.reschedule(context.office(), context.db(), booking_from_token(token).id,
                                         day=text_field(body, "date", limit=20),
                                         start=text_field(body, "start", limit=10))
    return jsonify(booking_views.booking_view(booking))


@bp.get("/api/bookings/<token>/pdf")
def booking_pdf_file(token: str):
    """Public (signed token): the booking slip to print or show (extension)."""
    booking = booking_from_token(token)
    return file_response(booking_pdf(booking, document_language()), "application/pdf",
                         f"booking-{booking.code}.pdf")


@bp.get("/api/bookings/<token>/qr.svg")
def booking_qr(token: str):
    """Public (signed token): the QR the kiosk scans, an SVG of the manage link (extension)."""
    booking = booking_from_token(token)
    return file_response(qr_svg(manage_url(booking), title=f"QR {booking.code}"), "image/svg+xml",
                         f"booking-{booking.code}.svg")


@bp.get("/api/calendar/<token>.ics")
def booking_ics(token: str):
    """Public (signed token): the booking as a calendar event."""
    booking = booking_from_token(token)
    return file_response(booking_calendar(booking, document_language()), "text/calendar; charset=utf-8",
                         f"booking-{booking.code}.ics", inline=False)


@bp.post("/api/remote-tickets")
@csrf_exempt
@public_limit
def join_online_line():
    """Public: join the line from home; the ticket waits outside until its visitor is invited in."""
    body = json_body()
    ticket = ticket_service.join_online(
        context.office(), context.db(), service=text_field(body, "service", limit=40),
        lane=text_field(body, "lane", required=False, default="general", limit=40),
    )
    return jsonify(issued_body(ticket)), 201
