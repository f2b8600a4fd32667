"""Appointments: book a slot, cancel or move it, check in at the kiosk, and mark the absent.

Every change of places runs in one write transaction with the booking row, so a slot never
overbooks and a cancelled or moved booking gives its place back at once.
"""
from __future__ import annotations

from datetime import date, datetime, time

from ..domain import bookings as rules
from ..domain.bookings import BOOKED, CANCELLED, CHECKED_IN, NO_SHOW, Booking, Slot
from ..domain.contacts import contact_key, normalise_contact
from ..domain.errors import (
    AlreadyBooked, InvalidState, SlotFull, TooEarly, TooLate, UnknownBooking, Unprocessable,
)
from ..domain.events import BookingChanged, BookingCreated
from ..domain.hours import parse_day
from ..domain.model import APPOINTMENT, OUTSIDE, WAITING, Ticket
from ..domain.officetime import to_office_iso
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .capacity import occupancy
from .tickets import new_ticket, service_and_lane
from .unit import Unit, write

CODE_ATTEMPTS = 20


def _enabled(office: Office) -> None:
    if not office.config.booking.enabled:
        raise InvalidState(N_("This office does not take bookings."), code="booking_closed")


def _date(text) -> date | None:
    return parse_day(text)


def bookable_slot(office: Office, service: str, day_text: str, start: str, now: datetime) -> Slot:
    """The slot a visitor asks for, refusing a past, unknown or out-of-window one (`invalid_request`)."""
    day = _date(day_text)
    config = office.config
    if day is None:
        raise Unprocessable(N_("Choose a date like 2026-12-24."))
    slot = rules.find_slot(day, str(start), config.hours, config.zone, config.booking.shape(service))
    if slot is None:
        raise Unprocessable(N_("There is no such time slot on that day."))
    if not rules.bookable(slot, now, config.zone, config.booking):
        raise Unprocessable(N_("That time can no longer be booked, or is too far ahead."))
    return slot


def book(office: Office, db: Connection, *, service: str, day: str, start: str, lane: str = "general",
         contact: str | None = None) -> Booking:
    """Book a place in a slot: a short code, unless the slot is full or the contact has one that day."""
    _enabled(office)
    service_and_lane(office, service, lane)
    normalised = None
    if contact is not None and str(contact).strip():
        found = normalise_contact(str(contact))
        if found is None:
            raise Unprocessable(N_("Give an Indonesian mobile number (08…) or an e-mail address, or leave it empty."),
                                code="invalid_contact")
        normalised = found[1]
    with write(office, db) as unit:
        slot = bookable_slot(office, service, day, start, unit.now)
        booking = _insert(unit, service, lane, slot, normalised)
        unit.raise_event(BookingCreated(booking.id, service, booking.business_date, booking.start))
    return booking


def _insert(unit: Unit, service: str, lane: str, slot: Slot, contact: str | None) -> Booking:
    db = unit.db
    places = unit.office.config.booking.bookable_places(service)
    if not db.bookings.take_place(service, slot.day.isoformat(), slot.label, places):
        raise SlotFull(N_("This time slot is full. Please choose another time."))
    for _ in range(CODE_ATTEMPTS):
        code = rules.new_code()
        if not db.bookings.code_taken(code):
            break
    booked = db.bookings.insert(code=code, service=service, lane=lane, business_date=slot.day.isoformat(),
                                start=slot.label, end=slot.end_label, starts_at=slot.starts_at,
                                contact=contact, contact_key=contact_key(contact) if contact else None,
                                now=unit.now)
    if booked is None:
        raise AlreadyBooked(N_("You already have a booking for this service on that day."))
    return booked


def booking(db: Connection, booking_id: int) -> Booking:
    found = db.bookings.get(booking_id)
    if found is None:
        raise UnknownBooking(N_("This booking link is not valid or has expired."))
    return found


def cancel(office: Office, db: Connection, booking_id: int) -> Booking:
    """The visitor gives the place back (again: nothing changes)."""
    with write(office, db) as unit:
        current = booking(db, booking_id)
        if current.status == CANCELLED:
            return current
        if current.status != BOOKED:
            raise InvalidState(N_("This booking can no longer be cancelled."))
        db.bookings.free_place(current.service, current.business_date, current.start)
        current = db.bookings.change(current, CANCELLED, unit.now)
        unit.raise_event(BookingChanged(current.id, CANCELLED, current.business_date, current.start))
    return current


def confirm(office: Office, db: Connection, booking_id: int) -> Booking:
    """The visitor answers the reminder: "yes, I will come" (again: nothing changes)."""
    with write(office, db) as unit:
        current = booking(db, booking_id)
        if current.status != BOOKED:
            raise InvalidState(N_("This booking can no longer be changed."))
        if current.confirmed_at is None:
            current = db.bookings.change(current, BOOKED, unit.now, confirmed_at=unit.now)
            unit.raise_event(BookingChanged(current.id, "confirmed", current.business_date, current.start))
    return current


def reschedule(office: Office, db: Connection, booking_id: int, *, day: str, start: str) -> Booking:
    """Move a booking to another slot: the new place is taken and the old one freed, or nothing."""
    with write(office, db) as unit:
        current = booking(db, booking_id)
        if current.status != BOOKED:
            raise InvalidState(N_("This booking can no longer be changed."))
        slot = bookable_slot(office, current.service, day, start, unit.now)
        if (slot.day.isoformat(), slot.label) == (current.business_date, current.start):
            return current
        places = office.config.booking.bookable_places(current.service)
        if not db.bookings.take_place(current.service, slot.day.isoformat(), slot.label, places):
            raise SlotFull(N_("This time slot is full. Please choose another time."))
        db.bookings.free_place(current.service, current.business_date, current.start)
        moved = db.bookings.move(current, business_date=slot.day.isoformat(), start=slot.label,
                                 end=slot.end_label, starts_at=slot.starts_at, now=unit.now)
        if moved is None:
            raise AlreadyBooked(N_("You already have a booking for this service on that day."))
        unit.raise_event(BookingChanged(moved.id, "rescheduled", moved.business_date, moved.start))
    return moved


def check_in(office: Office, db: Connection, code: str, *, kiosk_id: int | None = None) -> Ticket:
    """The visitor arrived with their code: an `appointment` ticket the policy calls near the slot.

    Too early is refused saying when to come back (`too_early`, with `come_back_at`); too late
    is refused (`too_late`) so the kiosk can offer a walk-in ticket. A second check-in of the
    same booking returns the same ticket.
    """
    found = db.bookings.by_code(rules.normalise_code(code))
    if found is None or found.status == CANCELLED:
        raise UnknownBooking(N_("This booking code is not known. Please check it, or take a walk-in ticket."))
    if found.status == CHECKED_IN and found.ticket_id is not None:
        return db.tickets.get(found.ticket_id)
    if found.status == NO_SHOW:
        raise _too_late(found)   # marked absent once its late window passed
    with write(office, db) as unit:
        current = booking(db, found.id)
        timing = rules.checkin_timing(current.starts_at, unit.now, office.config.booking)
        if timing == rules.EARLY or current.business_date > unit.today:
            raise _too_early(office, current)
        if timing == rules.LATE or current.business_date < unit.today:
            raise _too_late(current)
        service = office.config.service(current.service)
        status = WAITING if occupancy(office, db, unit.today).has_room() else OUTSIDE
        ticket = new_ticket(unit, service, current.lane, status, APPOINTMENT, kiosk_id=kiosk_id,
                            appointment_at=current.starts_at)
        current = db.bookings.change(current, CHECKED_IN, unit.now, ticket_id=ticket.id)
        unit.raise_event(BookingChanged(current.id, CHECKED_IN, current.business_date, current.start))
    return ticket


def _too_late(current: Booking) -> TooLate:
    """Too late, saying for which service and lane, so the kiosk can offer that walk-in ticket."""
    return TooLate(N_("The time of this booking has passed. You can take a walk-in ticket."),
                   extra={"service": current.service, "lane": current.lane})


def _too_early(office: Office, current: Booking) -> TooEarly:
    # A ticket belongs to one business day: a slot just after midnight is checked in from then.
    zone = office.config.zone
    day_starts = datetime.combine(date.fromisoformat(current.business_date), time(0), zone)
    come_back = max(current.starts_at - office.config.booking.checkin_early, day_starts)
    local = come_back.astimezone(zone)
    return TooEarly(N_("You are early. Please come back to check in from %(when)s."),
                    when=f"{local:%d-%m-%Y %H:%M} {local.tzname()}",
                    extra={"come_back_at": to_office_iso(come_back, office.config.zone)})


def mark_absent(office: Office, db: Connection) -> int:
    """Bookings not checked in by the end of their late window become `no_show` (a scheduled job)."""
    late = office.config.booking.checkin_late
    with write(office, db) as unit:
        lapsed = [item for item in db.bookings.on_day(unit.today, (BOOKED,)) if unit.now > item.starts_at + late]
        lapsed += db.bookings.before_day(unit.today, BOOKED)
        for item in lapsed:
            changed = db.bookings.change(item, NO_SHOW, unit.now)
            unit.raise_event(BookingChanged(changed.id, NO_SHOW, changed.business_date, changed.start))
    return len(lapsed)

