"""Domain vocabulary: lanes, ticket states and the dataclasses passed between layers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The contract's lanes; `general` is the ordinary walk-in lane. An office may declare more
# (`shared/domain/lanes.py`), so code that lists lanes asks the office's config, not this.
GENERAL = "general"
LANES = ("general", "health_worker", "senior", "disability")

# Ticket states (see docs/API.md for the life cycle).
OUTSIDE = "outside"
INVITED = "invited"
WAITING = "waiting"
CALLED = "called"
SERVING = "serving"
DONE = "done"
NO_SHOW = "no_show"
CANCELLED = "cancelled"
STATUSES = (OUTSIDE, INVITED, WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED)
ACTIVE_AT_COUNTER = (CALLED, SERVING)
FINISHED = (DONE, NO_SHOW, CANCELLED)

WALK_IN = "walk_in"
APPOINTMENT = "appointment"
ONLINE = "online"
CHANNELS = (WALK_IN, APPOINTMENT, ONLINE)

# Counter states.
COUNTER_OPEN = "open"
COUNTER_PAUSED = "paused"
COUNTER_CLOSED = "closed"
COUNTER_STATES = (COUNTER_OPEN, COUNTER_PAUSED, COUNTER_CLOSED)

ROLES = ("officer", "supervisor", "admin")


@dataclass(frozen=True)
class Ticket:
    """One visitor's place in a service queue for one business day."""

    id: int
    business_date: str
    service: str
    lane: str
    sequence: int
    number: str
    status: str
    channel: str
    arrived_at: datetime
    issued_at: datetime
    called_at: datetime | None = None
    counter: int | None = None
    recalls: int = 0
    appointment_at: datetime | None = None
    returns: int = 0
    invited_at: datetime | None = None
    invite_misses: int = 0


@dataclass(frozen=True)
class CounterDesk:
    """What a counter does right now: its configured profile plus its live state."""

    number: int
    name: str
    services: tuple[str, ...]
    lanes: tuple[str, ...] | None
    state: str = COUNTER_OPEN
    mode: str = "strict"


@dataclass(frozen=True)
class StaffUser:
    """A staff account as the web layer sees it (never the password hash)."""

    id: int
    username: str
    role: str
    # Part of every session and token issued for the account; raised to end them all.
    session_version: int = 0

    def has_role(self, role: str) -> bool:
        """Roles are ordered: an admin may do what a supervisor may, and so on."""
        return ROLES.index(self.role) >= ROLES.index(role)
