"""The waiting lines read through the `tickets_in_line` index, never whole.

A (service, lane) line's tickets in one state are already in arrival order in the index
(business date, service, lane, status, arrival), and within one line the queue policy's
standing order is the arrival order. So the people ahead of a ticket are a few index range
counts, the head of each line is one seek, and a counter's first fifty are a merge of its
lines' heads: each costs the same with 20 or 2,000 visitors waiting (docs/PERFORMANCE.md).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.model import WAITING, Ticket
from ..domain.officetime import to_utc_text
from .tickets import _COLUMNS, _ticket, marks


class QueueIndex:
    """Reads of the `tickets` table that follow the lines' index."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def services(self, business_date: str) -> list[str]:
        """The services the day's tickets are in (one index seek per service)."""
        return self._distinct("service", "business_date = ?", (business_date,))

    def counts(self, business_date: str, statuses: tuple[str, ...]) -> dict[tuple[str, str, str], int]:
        """The day's tickets in these states, keyed by (service, lane, status), zero counts left out.

        One index range per line and state: the finished tickets of the day (most of them by
        evening) are never walked, unlike a GROUP BY over the day.
        """
        counts = {}
        for service in self.services(business_date):
            for lane in self.lanes(business_date, service):
                for status in statuses:
                    count = self.count_line(business_date, service, lane, status)
                    if count:
                        counts[(service, lane, status)] = count
        return counts

    def lanes(self, business_date: str, service: str) -> list[str]:
        """The lanes the day's tickets of a service were drawn in (one index seek per lane)."""
        return self._distinct("lane", "business_date = ? AND service = ?", (business_date, service))

    def _distinct(self, column: str, where: str, params: tuple) -> list[str]:
        """The distinct values of the index column after those fixed by `where`: a skip scan, one
        seek per value, however many tickets share each (SQLite 3.40 has no skip scan of its own
        without statistics)."""
        found, after = [], ""
        while True:
            row = self.raw.execute(
                f"SELECT {column} FROM tickets INDEXED BY tickets_in_line WHERE {where} AND {column} > ? "
                f"ORDER BY {column} LIMIT 1",
                (*params, after),
            ).fetchone()
            if row is None:
                return found
            found.append(row[0])
            after = row[0]

    def count_before(self, business_date: str, service: str, statuses: tuple[str, ...],
                     bounds: dict[str, bool | datetime], ticket_id: int) -> int:
        """Tickets of a service in these states that stand before one, lane by lane.

        `bounds` (from `policy.standing_bound`) says per lane: True all, False none, a time
        those that arrived before it or at it with a smaller id. Each is one range of the
        index: no row of the line is read.
        """
        return sum(self.count_line(business_date, service, lane, status,
                                   before=None if bound is True else (bound, ticket_id))
                   for lane, bound in bounds.items() if bound is not False
                   for status in statuses)

    def line(self, business_date: str, service: str, lane: str, status: str, *,
             after: Ticket | None = None, limit: int = 20) -> list[Ticket]:
        """One line's tickets in a state, in arrival order, from just after `after`.

        A seek and a walk of `limit` entries (keyset paging: no offset to skip).
        """
        sql = (f"SELECT {_COLUMNS} FROM tickets WHERE business_date = ? AND service = ? AND lane = ? "
               "AND status = ?")
        params: list = [business_date, service, lane, status]
        if after is not None:
            sql += " AND (arrived_at, id) > (?, ?)"
            params += [to_utc_text(after.arrived_at), after.id]
        rows = self.raw.execute(sql + " ORDER BY arrived_at, id LIMIT ?", (*params, limit))
        return [_ticket(row) for row in rows]

    def count_line(self, business_date: str, service: str, lane: str, status: str, *,
                   before: tuple[datetime, int] | None = None) -> int:
        """How many tickets one line has in a state, all or those standing `before` an (arrival,
        id) place (an index range, no rows read)."""
        sql = "SELECT COUNT(*) FROM tickets WHERE business_date = ? AND service = ? AND lane = ? AND status = ?"
        params: list = [business_date, service, lane, status]
        if before is not None:
            sql += " AND (arrived_at, id) < (?, ?)"
            params += [to_utc_text(before[0]), before[1]]
        return self.raw.execute(sql, params).fetchone()[0]

    def waiting_heads(self, business_date: str, services: tuple[str, ...]) -> list[Ticket]:
        """`policy.heads` of the waiting tickets of these services, read without the whole queue.

        The first ticket of each (service, lane) line plus every booked one, oldest first:
        all that the queue policy needs to choose, however long the queue is. Each line's
        first is one seek; the booked ones come from the `tickets_booked` index.
        """
        found: dict[int, Ticket] = {}
        for service in dict.fromkeys(services):
            for lane in self.lanes(business_date, service):
                head = self.line(business_date, service, lane, WAITING, limit=1)
                if head:
                    found[head[0].id] = head[0]
        if services:
            booked = self.raw.execute(
                f"SELECT {_COLUMNS} FROM tickets INDEXED BY tickets_booked WHERE business_date = ? AND status = ? "
                f"AND service IN ({marks(services)}) AND appointment_at IS NOT NULL",
                (business_date, WAITING, *services),
            )
            found.update((row[0], _ticket(row)) for row in booked if row[0] not in found)
        return sorted(found.values(), key=lambda ticket: (ticket.arrived_at, ticket.id))
