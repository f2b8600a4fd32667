"""What the kiosk and the visitor's phone share: ticket tokens, bodies and the printed ticket."""
from __future__ import annotations

from flask import url_for

from shared.domain.desks import desks
from shared.domain.errors import NotFound
from shared.domain.policy import can_serve
from shared.i18n import N_, translate
from shared.domain.model import OUTSIDE, Ticket
from shared.ticket_print import TicketPrint, render_ticket_pdf
from shared.views import bookings as booking_views
from shared.views import tickets as ticket_views
from shared.web import context
from shared.web.public import visitor_url


# Printed (bold) on the ticket of a visitor who must wait outside.
OUTSIDE_NOTE = N_("Office full: wait outside. Your phone and the screen will tell you when to come in.")


def token_for(ticket: Ticket) -> str:
    """The signed token that stands for this ticket in links and QR codes."""
    return context.tokens().make(ticket.id, ticket.issued_at)


def ticket_from_token(token: str) -> Ticket:
    """The ticket behind a token; forged, expired and unknown tokens all look the same."""
    ticket_id = context.tokens().read(token, context.now())
    ticket = ticket_views.find(context.db(), ticket_id) if ticket_id is not None else None
    if ticket is None:
        raise NotFound(N_("This ticket link is not valid or has expired."), code="unknown_ticket")
    return ticket


def booking_code(scanned: str) -> str:
    """The booking code in what the visitor typed or a scanner sent: the code itself, or the
    booking's link (its QR), whose signed token names the booking."""
    text = scanned.strip()
    if "/booking/" not in text:
        return text
    token = text.split("/booking/", 1)[1].split("?", 1)[0].strip("/")
    booking_id = context.booking_tokens().read(token, context.now())
    found = booking_views.find(context.db(), booking_id) if booking_id is not None else None
    return found.code if found else ""


def status_url(ticket: Ticket, language: str = "id") -> str:
    """The absolute URL a phone opens from the QR code, in the language the ticket was taken in."""
    return visitor_url("kiosk.status_page", token=token_for(ticket), lang=None if language == "id" else language)


def issued_body(ticket: Ticket) -> dict:
    """The `201` body of `POST /api/tickets` (the contract's fields)."""
    token = token_for(ticket)
    status = ticket_views.public_view(context.office(), context.db(), ticket)
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service,
        "lane": ticket.lane,
        "status": ticket.status,
        "token": token,
        "status_url": visitor_url("kiosk.status_page", token=token),
        "pdf_url": url_for("kiosk.ticket_pdf", token=token, _external=True),
        "ahead": status["ahead"],
    }


def ticket_pdf_bytes(ticket: Ticket, language: str) -> bytes:
    """The 80 mm ticket as a PDF, in the visitor's language."""
    return render_ticket_pdf(printed_ticket(ticket, language))


def printed_ticket(ticket: Ticket, language: str, status: dict | None = None) -> TicketPrint:
    """What the printed ticket and its PDF show, in the visitor's language (`status`: the
    ticket's public view, when the caller has it already)."""
    office = context.office()
    config = office.config
    service = config.service(ticket.service)
    issued = ticket.issued_at.astimezone(config.zone)
    status = status or ticket_views.public_view(office, context.db(), ticket)
    estimate = status.get("estimate_min")
    return TicketPrint(
        office_name=config.name,
        number=ticket.number,
        service_name=service.names.get(language) if service else ticket.service,
        lane_name=config.lane_name(ticket.lane, language),
        issued_at_text=f"{issued:%d-%m-%Y %H:%M} {issued.tzname()}",
        ahead=status["ahead"],
        status_url=status_url(ticket, language),
        language=language,
        status_note=translate(OUTSIDE_NOTE, language) if ticket.status == OUTSIDE else None,
        estimate_min=tuple(estimate) if estimate else None,
        counters=tuple(desk.number for desk in desks(config, {}) if can_serve(desk, ticket)),
    )
