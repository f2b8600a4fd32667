"""What the booking API and pages share: booking tokens, links, the slip and the calendar file."""
from __future__ import annotations

from datetime import date

import icalendar
from flask import url_for

from shared.domain.bookings import Booking
from shared.domain.errors import UnknownBooking
from shared.i18n import N_, translate
from shared.ticket_print import BookingPrint, render_booking_pdf
from shared.views import bookings as booking_views
from shared.web import context
from shared.web.public import visitor_url


def token_for(booking: Booking) -> str:
    """The signed token that stands for this booking in links and its QR code."""
    return context.booking_tokens().make(booking.id, booking.created_at)


def booking_from_token(token: str) -> Booking:
    """The booking behind a token; forged, expired and unknown tokens all look the same."""
    booking_id = context.booking_tokens().read(token, context.now())
    found = booking_views.find(context.db(), booking_id) if booking_id is not None else None
    if found is None:
        raise UnknownBooking(N_("This booking link is not valid or has expired."))
    return found


def manage_url(booking: Booking) -> str:
    """The visitor's page of this booking: see, cancel or move it (also what its QR holds)."""
    return visitor_url("booking.manage_page", token=token_for(booking))


def created_body(booking: Booking) -> dict:
    """The `201` body of `POST /api/bookings` (the contract's fields)."""
    token = token_for(booking)
    return {"code": booking.code, "token": token,
            "manage_url": visitor_url("booking.manage_page", token=token),
            "qr_url": url_for("booking.booking_qr", token=token, _external=True),
            "pdf_url": url_for("booking.booking_pdf_file", token=token, _external=True)}


def booking_pdf(booking: Booking, language: str) -> bytes:
    """The appointment slip in the visitor's language."""
    config = context.office().config
    service = config.service(booking.service)
    day = date.fromisoformat(booking.business_date)
    return render_booking_pdf(BookingPrint(
        office_name=config.name, code=booking.code,
        service_name=service.names.get(language) if service else booking.service,
        lane_name=config.lane_name(booking.lane, language), date_text=f"{day:%d-%m-%Y}",
        start=booking.start, end=booking.end, manage_url=manage_url(booking),
        checkin_minutes=int(config.booking.checkin_early.total_seconds() // 60), language=language,
    ))


def booking_calendar(booking: Booking, language: str) -> bytes:
    """The booking as an iCalendar event (RFC 5545), so the visitor's phone reminds them too."""
    config = context.office().config
    service = config.service(booking.service)
    name = service.names.get(language) if service else booking.service
    start = booking.starts_at.astimezone(config.zone)
    length = config.booking.shape(booking.service).length
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Antrean//Booking//ID")
    calendar.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", f"booking-{booking.code}@antrean")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", start)
    event.add("dtend", start + length)
    event.add("summary", f"{config.name}: {name}")
    event.add("description", translate(N_("Booking code: %(code)s. Check in at the kiosk when you arrive."),
                                       language, code=booking.code) + "\n" + manage_url(booking))
    event.add("location", config.name)
    calendar.add_component(event)
    return calendar.to_ical()
