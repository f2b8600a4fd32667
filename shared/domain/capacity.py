"""Occupancy: how many may be inside, who is invited in next, and how long a visitor will wait.

Over the cap, visitors keep their place in the queue but wait outside with their phone. Who
comes in next follows the queue policy's standing order, except that a visitor who let an
invitation lapse goes behind those who have not. Pure functions; time is passed in.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from .model import CALLED, INVITED, SERVING, WAITING, Ticket
from .policy import PolicyConfig, order_key

INSIDE = (INVITED, WAITING, CALLED, SERVING)
DEFAULT_SERVICE_MINUTES = 8.0


@dataclass(frozen=True)
class Occupancy:
    """People inside (places held for invited visitors included) and the cap, if any."""

    inside: int
    max_inside: int | None

    @property
    def free(self) -> int | None:
        """Places free now; None when there is no cap."""
        return None if self.max_inside is None else max(self.max_inside - self.inside, 0)

    def has_room(self) -> bool:
        return self.max_inside is None or self.inside < self.max_inside


def next_to_invite(outside: Iterable[Ticket], places: int, policy: PolicyConfig) -> list[Ticket]:
    """The outside visitors to invite into `places` free places, in the order they come in."""
    if places <= 0:
        return []
    ordered = sorted(outside, key=lambda ticket: (ticket.invite_misses, order_key(ticket, policy)))
    return ordered[:places]


def invitation_expired(ticket: Ticket, now, timeout: timedelta) -> bool:
    """An invited visitor who has not come in within the timeout loses the held place."""
    return ticket.status == INVITED and ticket.invited_at is not None and now - ticket.invited_at > timeout


def estimate_minutes(ahead: int, counters: int, service_minutes: float | None) -> tuple[int, int] | None:
    """A wait range in minutes for `ahead` people before you at `counters` open counters.

    A range, not a number: service times vary, and a visitor plans better with "10–20
    minutes" than with a precise figure that will be wrong.
    """
    if counters <= 0:
        return None
    per_visitor = service_minutes if service_minutes and service_minutes > 0 else DEFAULT_SERVICE_MINUTES
    expected = ahead * per_visitor / counters
    low = int(expected * 0.7)
    high = int(expected * 1.3 + per_visitor / counters + 0.999)
    return (low, max(high, low + 1))


def effective_max_inside(live_setting: str | None, configured: int | None) -> int | None:
    """The cap in force: the supervisor's live setting (0 = none), else office.toml's."""
    if live_setting is not None:
        return int(live_setting) or None
    return configured
