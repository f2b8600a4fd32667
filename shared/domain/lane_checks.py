"""Checking a visitor's priority lane at the counter: confirmed, or moved to the general lane.

A visitor chooses their lane at the kiosk or when booking; the officer is the one who sees
them. One tap confirms the lane they chose; otherwise the ticket moves to `general`.
Health and disability are sensitive personal data under UU PDP 27/2022, so what is kept is
the lane alone, never why the visitor qualifies. A move keeps a reason from a short fixed list,
and it is the reason for the *move* ("not eligible", "asked for it"), which says nothing
about the visitor's body; a free-text field would invite exactly the detail the law protects.

The decision is written into the ticket's history (`ticket_events.detail`) in a form this
module both writes and reads back, so the console can say who confirmed the lane.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import GENERAL

CONFIRMED = "confirmed"
MOVED = "moved"
NOT_ELIGIBLE = "not_eligible"
VISITOR_ASKED = "visitor_asked"
# Why a ticket left its priority lane: about the move, never about the visitor's health.
MOVE_REASONS = (NOT_ELIGIBLE, VISITOR_ASKED)

_CONFIRMED = re.compile(r"^lane confirmed: ([a-z][a-z0-9_]*)$")
_MOVED = re.compile(r"^lane moved: ([a-z][a-z0-9_]*) -> ([a-z][a-z0-9_]*) \(([a-z_]+)\)$")


@dataclass(frozen=True)
class LaneCheck:
    """One officer decision on a ticket's lane: `confirmed` (`lane` stays) or `moved` from `from_lane`."""

    decision: str
    lane: str
    from_lane: str
    reason: str | None = None


def confirmation(lane: str) -> LaneCheck:
    """The officer saw the visitor belongs in the priority lane they chose."""
    return LaneCheck(CONFIRMED, lane, lane)


def move(from_lane: str, reason: str) -> LaneCheck:
    """The ticket leaves its lane for the general lane, for one of the fixed reasons."""
    if reason not in MOVE_REASONS:
        raise ValueError(f"unknown reason for a lane move: {reason!r}")
    return LaneCheck(MOVED, GENERAL, from_lane, reason)


def history_detail(check: LaneCheck) -> str:
    """The check as the ticket's history records it (lane codes and the reason code only)."""
    if check.decision == CONFIRMED:
        return f"lane confirmed: {check.lane}"
    return f"lane moved: {check.from_lane} -> {check.lane} ({check.reason})"


def read_detail(detail: str | None) -> LaneCheck | None:
    """A history detail back as a check, or None when the row is about something else."""
    if not detail:
        return None
    confirmed = _CONFIRMED.match(detail)
    if confirmed:
        return confirmation(confirmed.group(1))
    moved = _MOVED.match(detail)
    if moved:
        return LaneCheck(MOVED, moved.group(2), moved.group(1), moved.group(3))
    return None


def latest(details: Iterable[str | None]) -> LaneCheck | None:
    """The last lane check among a ticket's history details (oldest first), if any."""
    found = None
    for detail in details:
        found = read_detail(detail) or found
    return found


def already_confirmed(check: LaneCheck | None, lane: str) -> bool:
    """A second tap on "confirm" changes nothing once this lane was confirmed."""
    return check is not None and check.decision == CONFIRMED and check.lane == lane
