"""Appointments and the places taken in each slot.

A place is taken with a guarded increment (`taken < capacity`) in the same transaction as
the booking row, so however many visitors race for a slot's last place, exactly one wins.
The one-active-booking-per-contact rule is a partial unique index.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.bookings import Booking
from ..domain.officetime import parse_utc, to_utc_text

_COLUMNS = ('id, code, service, lane, business_date, start, "end", starts_at, status, contact, ticket_id, '
            'created_at, confirmed_at')


def _booking(row: tuple) -> Booking:
    (booking_id, code, service, lane, business_date, start, end, starts_at, status, contact, ticket_id,
     created_at, confirmed_at) = row
    return Booking(booking_id, code, service, lane, business_date, start, end, parse_utc(starts_at), status,
                   contact, ticket_id, parse_utc(created_at), parse_utc(confirmed_at))


class Bookings:
    """The `bookings` and `slot_places` tables."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def take_place(self, service: str, business_date: str, start: str, capacity: int) -> bool:
        """Take one place of a slot if one is left; False when the slot is full."""
        self.raw.execute(
            "INSERT OR IGNORE INTO slot_places (service, business_date, start, taken) VALUES (?, ?, ?, 0)",
            (service, business_date, start),
        )
        row = self.raw.execute(
            "UPDATE slot_places SET taken = taken + 1 WHERE service = ? AND business_date = ? AND start = ? "
            "AND taken < ? RETURNING taken",
            (service, business_date, start, capacity),
        ).fetchone()
        return row is not None

    def free_place(self, service: str, business_date: str, start: str) -> None:
        self.raw.execute(
            "UPDATE slot_places SET taken = taken - 1 WHERE service = ? AND business_date = ? AND start = ? "
            "AND taken > 0",
            (service, business_date, start),
        )

    def places_taken(self, service: str, business_date: str) -> dict[str, int]:
        """Places taken per slot start (`HH:MM`) of a service's day."""
        return dict(self.raw.execute(
            "SELECT start, taken FROM slot_places WHERE service = ? AND business_date = ?",
            (service, business_date),
        ))

    def insert(self, *, code: str, service: str, lane: str, business_date: str, start: str, end: str,
               starts_at: datetime, contact: str | None, contact_key: str | None, now: datetime) -> Booking | None:
        """A new booking, or None when the contact already has an active one for that service and day."""
        stamp = to_utc_text(now)
        try:
            booking_id = self._insert(code, service, lane, business_date, start, end, starts_at, contact,
                                      contact_key, stamp)
        except sqlite3.IntegrityError as error:
            if "contact_key" not in str(error):
                raise
            return None
        return self.get(booking_id)

    def _insert(self, code, service, lane, business_date, start, end, starts_at, contact, contact_key,
                stamp) -> int:
        return self.raw.execute(
            'INSERT INTO bookings (code, service, lane, business_date, start, "end", starts_at, status, contact, '
            "contact_key, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?) RETURNING id",
            (code, service, lane, business_date, start, end, to_utc_text(starts_at), contact, contact_key,
             stamp, stamp),
        ).fetchone()[0]

    def code_taken(self, code: str) -> bool:
        return self.raw.execute("SELECT 1 FROM bookings WHERE code = ?", (code,)).fetchone() is not None

    def get(self, booking_id: int) -> Booking | None:
        row = self.raw.execute(f"SELECT {_COLUMNS} FROM bookings WHERE id = ?", (booking_id,)).fetchone()
        return _booking(row) if row else None

    def by_code(self, code: str) -> Booking | None:
        row = self.raw.execute(f"SELECT {_COLUMNS} FROM bookings WHERE code = ?", (code,)).fetchone()
        return _booking(row) if row else None

    def on_day(self, business_date: str, statuses: tuple[str, ...]) -> list[Booking]:
        """A day's bookings in these states, by slot."""
        marks = ", ".join("?" for _ in statuses)
        rows = self.raw.execute(
            f"SELECT {_COLUMNS} FROM bookings WHERE business_date = ? AND status IN ({marks}) ORDER BY starts_at, id",
            (business_date, *statuses),
        )
        return [_booking(row) for row in rows]

    def before_day(self, business_date: str, status: str) -> list[Booking]:
        """Bookings of earlier days still in this state (e.g. never checked in)."""
        rows = self.raw.execute(f"SELECT {_COLUMNS} FROM bookings WHERE business_date < ? AND status = ?",
                                (business_date, status))
        return [_booking(row) for row in rows]

    def move(self, booking: Booking, *, business_date: str, start: str, end: str, starts_at: datetime,
             now: datetime) -> Booking | None:
        """Move a booking to another slot, or None when its contact already has one on that day."""
        try:
            return self.change(booking, booking.status, now, business_date=business_date, start=start, end=end,
                               starts_at=starts_at)
        except sqlite3.IntegrityError as error:
            if "contact_key" not in str(error):
                raise
            return None

    def change(self, booking: Booking, status: str, now: datetime, **columns) -> Booking:
        """Move a booking to a new state, guarded by the one it was read in (LookupError if stale)."""
        assignments = {"status": status, "changed_at": to_utc_text(now), **columns}
        sets = ", ".join(f'"{column}" = ?' for column in assignments)
        values = [to_utc_text(value) if isinstance(value, datetime) else value for value in assignments.values()]
        updated = self.raw.execute(f"UPDATE bookings SET {sets} WHERE id = ? AND status = ?",
                                   (*values, booking.id, booking.status)).rowcount
        if updated != 1:
            raise LookupError(f"booking {booking.id} is no longer {booking.status}")
        return self.get(booking.id)

    def forget_contacts(self, before_date: str) -> int:
        """Remove the contact of every booking dated before `before_date` (the retention rule in
        `domain.privacy`); the booking row, its slot place and its status stay for the statistics."""
        return self.raw.execute(
            "UPDATE bookings SET contact = NULL, contact_key = NULL "
            "WHERE business_date < ? AND (contact IS NOT NULL OR contact_key IS NOT NULL)",
            (before_date,),
        ).rowcount
