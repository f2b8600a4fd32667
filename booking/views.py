"""Booking pages for visitors' phones: book a slot, see and manage a booking, join the line."""
from __future__ import annotations

from flask import jsonify

from shared.views import bookings as booking_views

from .blueprint import bp
from .links import booking_from_token


@bp.get("/booking/<token>")
def manage_page(token: str):
    """The visitor's own booking (the link and QR of the booking)."""
    return jsonify(booking_views.booking_view(booking_from_token(token)))
