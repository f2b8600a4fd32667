"""Realtime events: what changed, produced inside a write and published after its commit.

Each event carries the `seq` allocated in its transaction, so screens can tell a missed
event from an old one. The publisher (`shared.web.realtime`) is the only sender.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TicketCalled:
    """A ticket was called (or recalled) to a counter: the display announces it."""

    name = "called"
    seq: int
    ticket_id: int
    number: str
    counter: int
    service: str
    lane: str
    recall: bool
    announce: dict[str, str]


@dataclass(frozen=True)
class QueueChanged:
    """Waiting lists or counters changed without a call: screens refresh their snapshot."""

    name = "queue"
    seq: int
    services: tuple[str, ...] = ()
    ticket_ids: tuple[int, ...] = field(default=())
