"""The booking flow's steps: which page a visitor sees, from the choices carried so far.

The choices travel in the URL of each step (plain GET forms) and in the confirm form, never in
the session, so the back button, a reload, a language switch or a refusal never loses them,
and the pages work without scripts. Each page shows the first step whose choice is missing or
no longer valid (a slot filled up while the visitor read), with a message saying why.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from shared.domain.config import ServiceConfig
from shared.domain.contacts import normalise_contact
from shared.i18n import N_
from shared.office import Office
from shared.views import bookings as booking_views

if TYPE_CHECKING:   # the connection is only passed through to the views
    from shared.store import Connection

STEPS = ("date", "time", "lane", "contact", "confirm")
# Step 1 is choosing the service (the landing page), so the date step is step 2.
FIRST_NUMBER = 2
# The choice each step sets, and those that depend on it: a new day needs a new time.
SETS = {"date": ("date", "start"), "time": ("start",), "lane": ("lane",), "contact": ("contact",),
        "confirm": ()}
FIELD_LIMIT = 254

FULL = N_("This time slot is full. Please choose another time.")
# The same words the booking service refuses an unusable contact with.
INVALID_CONTACT = N_("Give an Indonesian mobile number (08…) or an e-mail address, or leave it empty.")


@dataclass(frozen=True)
class Choices:
    """What the visitor chose so far. `contact` is None until the contact step was answered
    (an empty string means "no reminders, thank you")."""

    date: str = ""
    start: str = ""
    lane: str = ""
    contact: str | None = None

    @classmethod
    def read(cls, values: Mapping) -> Choices:
        """The choices in a query string or form; anything else in it is ignored."""
        def text(name: str) -> str:
            return str(values.get(name) or "")[:FIELD_LIMIT].strip()
        return cls(text("date"), text("start"), text("lane"), text("contact") if "contact" in values else None)

    def fields(self) -> dict[str, str]:
        """The choices made, for links and hidden fields (a skipped contact stays, empty)."""
        return {name: value for name, value in asdict(self).items() if value or (name == "contact" and value == "")}

    def carried(self, step: str) -> dict[str, str]:
        """What a step's form passes on: every choice but those the step sets anew."""
        return {name: value for name, value in self.fields().items() if name not in SETS[step]}

    @property
    def day(self) -> date | None:
        try:
            return date.fromisoformat(self.date)
        except ValueError:
            return None


@dataclass(frozen=True)
class Step:
    """The step to show: its name, why the visitor is sent to it (an untranslated msgid, or
    None when its choice is simply not made yet), and what its page lists."""

    name: str
    message: str | None = None
    slots: tuple[dict, ...] = ()

    @property
    def number(self) -> int:
        return STEPS.index(self.name) + FIRST_NUMBER

    @property
    def previous(self) -> str | None:
        index = STEPS.index(self.name)
        return STEPS[index - 1] if index else None


def total_steps() -> int:
    return len(STEPS) + FIRST_NUMBER - 1


def first_open(office: Office, db: Connection, now: datetime, service: ServiceConfig, choices: Choices) -> Step:
    """The earliest step whose choice is missing or no longer valid."""
    day = choices.day
    if not choices.date:
        return Step("date")
    if day not in booking_views.bookable_days(office, now):
        return Step("date", N_("That day can no longer be booked. Please choose another day."))
    slots = tuple(booking_views.open_slots(office, db, service.code, day, now))
    slot = next((slot for slot in slots if slot["start"] == choices.start), None)
    if not choices.start:
        return Step("time", slots=slots)
    if slot is None:
        return Step("time", N_("That time can no longer be booked, or is too far ahead."), slots)
    if slot["remaining"] <= 0:
        return Step("time", FULL, slots)
    if choices.lane not in service.lanes:
        return Step("lane", N_("Please choose one of these lanes.") if choices.lane else None, slots)
    if choices.contact is None:
        return Step("contact", slots=slots)
    if choices.contact and normalise_contact(choices.contact) is None:
        return Step("contact", INVALID_CONTACT, slots)
    return Step("confirm", slots=slots)


def resolve(office: Office, db: Connection, now: datetime, service: ServiceConfig, choices: Choices,
            wanted: str | None = None, message: str | None = None) -> Step:
    """The step to show: the one asked for (a "change" link, a refusal) unless an earlier one
    is still open; a refusal's message goes with the step it was mapped to."""
    found = first_open(office, db, now, service, choices)
    if wanted in STEPS and STEPS.index(wanted) < STEPS.index(found.name):
        return Step(wanted, message, found.slots)
    if wanted == found.name and message:
        return Step(found.name, message, found.slots)
    return found


def day_choices(office: Office, db: Connection, now: datetime, service: str) -> list[tuple[date, bool]]:
    """The days a visitor may choose, each with whether a place is still free on it."""
    return [(day, any(slot["remaining"] > 0 for slot in booking_views.open_slots(office, db, service, day, now)))
            for day in booking_views.bookable_days(office, now)]

