"""Appointments and the online line: slots, the booking window, check-in timing, booking codes.

Balikpapan's "Spontan" let applicants book the hour they would come so they need not queue;
a share of every slot stays for walk-ins, so booking never shuts out the visitor who just
comes. Slots lie inside the face-to-face hours and never on a holiday. Pure functions over
the office's rules; every instant is passed in (aware), office-local times are computed in
the office's zone.
"""
from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .hours import ServiceHours

BOOKED = "booked"
CHECKED_IN = "checked_in"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
BOOKING_STATUSES = (BOOKED, CHECKED_IN, CANCELLED, NO_SHOW)
ACTIVE = (BOOKED, CHECKED_IN)

# Booking codes are read aloud at a counter or typed on a kiosk keypad: no characters that
# look or sound alike (0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V).
CODE_ALPHABET = "ACEFHJKMNPRTWXY3479"
CODE_LENGTH = 6


@dataclass(frozen=True)
class SlotShape:
    """How a service's day is cut: slot length and how many visitors one slot takes in all."""

    length: timedelta = timedelta(minutes=30)
    capacity: int = 6


@dataclass(frozen=True)
class BookingRules:
    """The office's `[booking]` and `[online]` settings; every field has a documented default."""

    enabled: bool = False
    window_days: int = 7
    cutoff: timedelta = timedelta(minutes=60)
    slot: SlotShape = field(default_factory=SlotShape)
    per_service: Mapping[str, SlotShape] = field(default_factory=dict)
    bookable_share: float = 0.5
    checkin_early: timedelta = timedelta(minutes=30)
    checkin_late: timedelta = timedelta(minutes=15)
    online_enabled: bool = False
    online_share: float = 0.3
    online_max_per_day: int = 100
    # Someone invited in from home needs longer to arrive than someone waiting by the door.
    online_invite_timeout: timedelta = timedelta(minutes=30)

    def shape(self, service: str) -> SlotShape:
        return self.per_service.get(service, self.slot)

    def bookable_places(self, service: str) -> int:
        """Places of one slot that may be booked ahead; the rest stays for walk-ins."""
        share = self.shape(service).capacity * self.bookable_share
        return max(1, math.floor(share)) if self.bookable_share > 0 else 0

    def online_limit(self, daily_quota: int | None) -> int:
        """How many online-line tickets a service may give in one day."""
        if daily_quota is None:
            return self.online_max_per_day
        return math.floor(daily_quota * self.online_share)


@dataclass(frozen=True)
class Slot:
    """One bookable slot of a service on a business date, in office time."""

    day: date
    start: time
    end: time
    starts_at: datetime  # aware, office zone
    ends_at: datetime
    # `HH:MM` of start and end, as the API and the database name the slot: formatted once here,
    # not for every slot of every listing (the booking page lists a day's slots before each booking).
    label: str = field(init=False, repr=False, compare=False)
    end_label: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label", f"{self.start.hour:02d}:{self.start.minute:02d}")
        object.__setattr__(self, "end_label", f"{self.end.hour:02d}:{self.end.minute:02d}")


@dataclass(frozen=True)
class Booking:
    """A booked visit, as the store returns it."""

    id: int
    code: str
    service: str
    lane: str
    business_date: str
    start: str
    end: str
    starts_at: datetime
    status: str
    contact: str | None
    ticket_id: int | None
    created_at: datetime
    confirmed_at: datetime | None = None


# A day's slots depend only on the day, the hours, the zone and the shape, yet the booking page
# asks for them before every booking (the listing, then the booking's own check): each day's
# grid is cut once. Keyed by the hours' identity (ServiceHours holds a dict, so it has no hash);
# the entry keeps the hours object alive, so that identity cannot pass to a reloaded office's.
_GRIDS: dict[tuple, tuple[ServiceHours, tuple[Slot, ...], dict[str, Slot]]] = {}
_GRIDS_KEPT = 1024   # ~a service × day pairs of a 90-day window for a dozen services


def slots_on(day: date, hours: ServiceHours, zone: ZoneInfo, shape: SlotShape) -> list[Slot]:
    """Every slot of a day: back to back inside each face-to-face window, none on a holiday."""
    return list(_grid(day, hours, zone, shape)[1])


def _grid(day: date, hours: ServiceHours, zone: ZoneInfo, shape: SlotShape) -> tuple:
    key = (day, id(hours), zone, shape)
    found = _GRIDS.get(key)
    if found is not None and found[0] is hours:
        return found
    slots = tuple(_cut(day, hours, zone, shape))
    if len(_GRIDS) >= _GRIDS_KEPT:
        _GRIDS.clear()
    found = _GRIDS[key] = (hours, slots, {slot.label: slot for slot in slots})
    return found


def _cut(day: date, hours: ServiceHours, zone: ZoneInfo, shape: SlotShape) -> list[Slot]:
    if hours.always_open:
        windows = [(datetime.combine(day, time(0), zone), datetime.combine(day + timedelta(days=1), time(0), zone))]
    else:
        windows = [(datetime.combine(day, window.start, zone), window.end_on(day, zone))
                   for window in sorted(hours.windows_on(day), key=lambda w: w.start)]
    slots = []
    for opens, closes in windows:
        start = opens
        while start + shape.length <= closes:
            end = start + shape.length
            slots.append(Slot(day, start.timetz().replace(tzinfo=None), end.timetz().replace(tzinfo=None),
                              start, end))
            start = end
    return slots


def find_slot(day: date, start: str, hours: ServiceHours, zone: ZoneInfo, shape: SlotShape) -> Slot | None:
    """The slot of that day starting at `HH:MM`, or None."""
    return _grid(day, hours, zone, shape)[2].get(start)


def last_bookable_day(now: datetime, zone: ZoneInfo, rules: BookingRules) -> date:
    return now.astimezone(zone).date() + timedelta(days=rules.window_days)


def bookable(slot: Slot, now: datetime, zone: ZoneInfo, rules: BookingRules) -> bool:
    """Inside the booking window and before the cutoff (e.g. until an hour before it starts)."""
    return slot.day <= last_bookable_day(now, zone, rules) and slot.starts_at - rules.cutoff >= now


def bookable_slots(day: date, now: datetime, hours: ServiceHours, zone: ZoneInfo, rules: BookingRules,
                   shape: SlotShape) -> list[Slot]:
    """The slots of a day that `bookable` lets through, with the window's last day worked out once."""
    if day > last_bookable_day(now, zone, rules):
        return []
    return [slot for slot in _grid(day, hours, zone, shape)[1] if slot.starts_at - rules.cutoff >= now]


EARLY, ON_TIME, LATE = "early", "on_time", "late"


def checkin_timing(starts_at: datetime, now: datetime, rules: BookingRules) -> str:
    """Whether a visitor checking in now is early, on time or too late for their slot."""
    if now < starts_at - rules.checkin_early:
        return EARLY
    if now > starts_at + rules.checkin_late:
        return LATE
    return ON_TIME


def new_code(choice=secrets.choice) -> str:
    """A short booking code to read aloud or type: `KX7-MPA`-like, without look-alike characters."""
    return "".join(choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What a visitor typed or a scanner sent, as a code to look up (case, spaces and dashes dropped)."""
    return "".join(character for character in str(text).upper() if character.isalnum())
