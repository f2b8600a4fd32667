"""Appointments as the booking page and the API show them: open slots and one booking."""
from __future__ import annotations

from datetime import date, datetime

from ..domain import bookings as rules
from ..domain.bookings import Booking
from ..office import Office
from ..store import Connection


def booking_view(booking: Booking) -> dict:
    """The body of `GET /api/bookings/<token>`."""
    return {"code": booking.code, "service": booking.service, "lane": booking.lane, "date": booking.business_date,
            "start": booking.start, "end": booking.end, "status": booking.status,
            "confirmed": booking.confirmed_at is not None}


def open_slots(office: Office, db: Connection, service: str, day: date, now: datetime) -> list[dict]:
    """The slots of a service's day a visitor may still book, with places left (full ones too)."""
    config = office.config
    booking = config.booking
    places = booking.bookable_places(service)
    taken = db.bookings.places_taken(service, day.isoformat())
    return [
        {"start": slot.label, "end": slot.end_label, "capacity": places,
         "remaining": max(places - taken.get(slot.label, 0), 0)}
        for slot in rules.bookable_slots(day, now, config.hours, config.zone, booking, booking.shape(service))
    ]


def bookable_days(office: Office, now: datetime) -> list[date]:
    """The dates a visitor may choose: today to the end of the window, without closed days."""
    config = office.config
    first = now.astimezone(config.zone).date()
    last = rules.last_bookable_day(now, config.zone, config.booking)
    days = [date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1)]
    return [day for day in days if config.hours.always_open or config.hours.windows_on(day)]


def todays_appointments(office: Office, db: Connection, services: tuple[str, ...]) -> list[dict]:
    """Today's bookings for these services by slot, for the counter console: who is due, who came."""
    statuses = (rules.BOOKED, rules.CHECKED_IN, rules.NO_SHOW)
    found = [booking for booking in db.bookings.on_day(office.today(), statuses) if booking.service in services]
    tickets = db.tickets.by_ids([booking.ticket_id for booking in found if booking.ticket_id])
    numbers = {ticket.id: ticket.number for ticket in tickets}
    return [{"start": booking.start, "end": booking.end, "code": booking.code, "service": booking.service,
             "lane": booking.lane, "status": booking.status, "ticket": numbers.get(booking.ticket_id),
             "confirmed": booking.confirmed_at is not None}
            for booking in found]


def find(db: Connection, booking_id: int) -> Booking | None:
    return db.bookings.get(booking_id)
