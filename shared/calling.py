"""Who a counter calls next: the calling rule, as pure functions over dataclasses.

The rule for now: a counter calls only tickets of the services it serves; a counter
reserved for lanes calls only those lanes; priority lanes (health workers, seniors, people
with disabilities) go before the general lane; within that, arrival order. The storage
layer claims the chosen ticket atomically, so choosing here can stay simple and pure.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from .model import COUNTER_OPEN, GENERAL, CounterDesk, Ticket


def can_serve(desk: CounterDesk, ticket: Ticket) -> bool:
    """Whether this counter may call this ticket at all."""
    if ticket.service not in desk.services:
        return False
    return desk.lanes is None or ticket.lane in desk.lanes


def call_order(ticket: Ticket) -> tuple:
    """Sort key: priority lanes first, then who arrived first (id breaks exact ties)."""
    return (ticket.lane == GENERAL, ticket.arrived_at, ticket.id)


def choose_next(waiting: Iterable[Ticket], desk: CounterDesk) -> Ticket | None:
    """The waiting ticket this counter should call now, or None when it has nobody."""
    if desk.state != COUNTER_OPEN:
        return None
    candidates = [ticket for ticket in waiting if can_serve(desk, ticket)]
    return min(candidates, key=call_order, default=None)


def people_ahead(ticket: Ticket, waiting: Iterable[Ticket]) -> int:
    """How many waiting tickets of the same service will be called before this one."""
    key = call_order(ticket)
    return sum(1 for other in waiting if other.service == ticket.service and other.id != ticket.id and call_order(other) < key)


def queue_positions(waiting: Iterable[Ticket]) -> dict[int, int]:
    """People ahead of every waiting ticket at once (one sort, not one scan per ticket)."""
    ahead_in_service: Counter[str] = Counter()
    positions = {}
    for ticket in sorted(waiting, key=call_order):
        positions[ticket.id] = ahead_in_service[ticket.service]
        ahead_in_service[ticket.service] += 1
    return positions
