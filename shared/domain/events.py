"""Realtime events: what changed, produced inside a write and published after its commit.

They reach the publisher (`shared.web.realtime`, the only sender) in commit order; the
publisher numbers what it actually sends with `seq`, so a gap on a screen always means a
missed message.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TicketCalled:
    """A ticket was called (or recalled) to a counter: the display announces it."""

    name = "called"
    ticket_id: int
    number: str
    counter: int
    service: str
    lane: str
    recall: bool
    announce: dict[str, str]


@dataclass(frozen=True)
class QueueChanged:
    """Waiting lists or counters changed without a call: screens refresh their snapshot.

    `services` and `ticket_ids` say whose phones to update; with neither (a counter opened,
    paused or closed, or the cap changed) every watching phone is, since the wait estimates
    depend on the open counters and the cap.
    """

    name = "queue"
    services: tuple[str, ...] = ()
    ticket_ids: tuple[int, ...] = field(default=())
