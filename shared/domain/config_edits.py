"""What an edit of the office may not take away while the day is running.

A valid office file can still be unsafe to apply now: today's tickets, tomorrow's bookings
and the counters being worked refer to services, lanes and counters by their codes. Removing
one of them under a live queue would leave a waiting visitor nobody can call, a display
that cannot name a call, or an officer at a counter that no longer exists. So an edit is
refused, naming the field, when it would:

- remove a service that has tickets today or bookings from today on, or change the ticket
  letter (`prefix`) of a service that has tickets today (today's numbers already carry it);
- take a lane off a service while tickets of that service wait (or are called) in it;
- remove a lane the office declared while any ticket today is in it;
- remove a counter that is calling or serving someone, or that an officer is signed in at.

Everything else (names, quotas, hours, the cap, new services and counters, lanes a counter is
reserved for) applies at once. The refusal says how to do it safely: after today's service,
or once the counter is closed. The same check applies to a hand edit of office.toml noticed
while the server runs; the running configuration stays until the edit is safe.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..i18n import N_
from .config import OfficeConfig
from .errors import Unprocessable
from .model import FINISHED, LANES


@dataclass(frozen=True)
class Usage:
    """What today's queue uses, read in the same transaction that applies the edit."""

    tickets: Mapping[tuple[str, str, str], int] = field(default_factory=dict)  # (service, lane, status)
    bookings: Mapping[str, int] = field(default_factory=dict)                    # service → booked ahead
    busy_counters: frozenset[int] = frozenset()                                  # calling or serving
    held_counters: Mapping[int, str] = field(default_factory=dict)               # number → officer

    def service_tickets(self, code: str) -> int:
        return sum(count for (service, _lane, _status), count in self.tickets.items() if service == code)

    def open_tickets(self, code: str, lane: str) -> int:
        return sum(count for (service, in_lane, status), count in self.tickets.items()
                   if service == code and in_lane == lane and status not in FINISHED)

    def lane_tickets(self, lane: str) -> int:
        return sum(count for (_service, in_lane, _status), count in self.tickets.items() if in_lane == lane)


@dataclass(frozen=True)
class Refusal:
    """One thing the edit may not do now: which item (`section`, `key`), which of its fields
    ("" for the item itself), and why (a catalog msgid with its values)."""

    section: str          # "services", "counters" or "lanes"
    key: str | int        # the service code, counter number or lane code
    field: str
    message: str
    details: Mapping[str, object] = field(default_factory=dict)

    def text(self) -> str:
        """The reason in English (the log, the error's message)."""
        return self.message % dict(self.details)

    def path(self, raw: Mapping) -> str:
        """The field's path in an office file like `raw` (`services[2].prefix`, `lanes.x`)."""
        if self.section == "lanes":
            base = f"lanes.{self.key}"
        else:
            identity = "code" if self.section == "services" else "number"
            items = raw.get(self.section) or []
            index = next((i for i, item in enumerate(items) if isinstance(item, Mapping)
                          and item.get(identity) == self.key), None)
            base = f"{self.section}[{index}]" if index is not None else f"{self.section}.{self.key}"
        return f"{base}.{self.field}" if self.field else base


class ConfigInUse(Unprocessable):
    """The edit would take away something today's queue uses (see `refusals`)."""

    code = "config_in_use"

    def __init__(self, refusals: list[Refusal]):
        first = refusals[0]
        super().__init__(first.message, **dict(first.details))
        self.refusals = refusals


def refusals(old: OfficeConfig, new: OfficeConfig, usage: Usage) -> list[Refusal]:
    """Everything in the change from `old` to `new` that today's queue forbids, in file order."""
    found: list[Refusal] = []
    for service in old.services:
        code = service.code
        replacement = new.service(code)
        tickets = usage.service_tickets(code)
        if replacement is None:
            if tickets:
                found.append(Refusal("services", code, "", N_(
                    "%(service)s has %(count)s tickets today: remove it after today's service."),
                    {"service": code, "count": tickets}))
            elif usage.bookings.get(code):
                found.append(Refusal("services", code, "", N_(
                    "%(service)s has %(count)s bookings from today on: cancel or move them first."),
                    {"service": code, "count": usage.bookings[code]}))
            continue
        if replacement.prefix != service.prefix and tickets:
            found.append(Refusal("services", code, "prefix", N_(
                "Today's tickets of %(service)s already carry the letter %(prefix)s: "
                "change it after today's service."), {"service": code, "prefix": service.prefix}))
        for lane in service.lanes:
            waiting = usage.open_tickets(code, lane)
            if lane not in replacement.lanes and waiting:
                found.append(Refusal("services", code, "lanes", N_(
                    "%(count)s tickets of %(service)s are still in the lane %(lane)s today: "
                    "take the lane off after they are served."), {"service": code, "lane": lane, "count": waiting}))
    for lane in old.lanes:
        tickets = usage.lane_tickets(lane)
        if lane not in LANES and lane not in new.lanes and tickets:
            found.append(Refusal("lanes", lane, "", N_(
                "The lane %(lane)s has %(count)s tickets today: remove it after today's service."),
                {"lane": lane, "count": tickets}))
    for counter in old.counters:
        number = counter.number
        if new.counter(number) is not None:
            continue
        if number in usage.busy_counters:
            found.append(Refusal("counters", number, "", N_(
                "Counter %(number)s is calling or serving a visitor: finish there first."), {"number": number}))
        elif number in usage.held_counters:
            found.append(Refusal("counters", number, "", N_(
                "%(officer)s is signed in at counter %(number)s: close the counter first."),
                {"number": number, "officer": usage.held_counters[number]}))
    return found
