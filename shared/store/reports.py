"""Range reads for the reports: a period's tickets with their `ticket_events`, in two queries.

Reports never write. A month of a busy office (15,000 tickets, ~75,000 changes) is read in
two indexed range scans (`tickets_by_status` starts with the business date) rather than one
query per ticket, and the figures are made in Python from what comes back.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.statistics import Change, Filters, Visit
from .tickets import marks

# The changes the figures are measured between; other rows (moves, deferrals) are not read.
_MEASURED = ("waiting", "called", "serving", "done", "no_show")


def _where(filters: Filters) -> tuple[str, list]:
    """SQL conditions on `tickets t` for these filters, and their parameters."""
    clauses, params = [], []
    for column, value in (("service", filters.service), ("lane", filters.lane), ("channel", filters.channel),
                          ("counter", filters.counter)):
        if value is not None:
            clauses.append(f" AND t.{column} = ?")
            params.append(value)
    return "".join(clauses), params


class Reports:
    """Read-only queries over `tickets` and `ticket_events` for a range of business dates."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def visits(self, first: str, last: str, filters: Filters = Filters()) -> list[Visit]:
        """The range's tickets (business dates `first`..`last`, inclusive), each with its
        measured changes oldest first, ordered by business date and number."""
        condition, params = _where(filters)
        scope = f"t.business_date BETWEEN ? AND ?{condition}"
        changes: dict[int, list[Change]] = {}
        # Stored times are UTC ISO text with their offset (`to_utc_text`): read them directly,
        # 70,000 times a busy month.
        moment = datetime.fromisoformat
        rows = self.raw.execute(
            f"""
            SELECT e.ticket_id, e.from_status, e.to_status, e.at, e.counter, e.staff_id
            FROM tickets t JOIN ticket_events e ON e.ticket_id = t.id
            WHERE {scope} AND e.to_status IN ({marks(_MEASURED)})
            ORDER BY e.ticket_id, e.id
            """,
            (first, last, *params, *_MEASURED),
        )
        for ticket_id, from_status, to_status, at, counter, staff_id in rows:
            changes.setdefault(ticket_id, []).append(Change(from_status, to_status, moment(at), counter, staff_id))
        rows = self.raw.execute(
            f"""
            SELECT t.id, t.number, t.business_date, t.service, t.lane, t.channel, t.status, t.counter, t.issued_at
            FROM tickets t WHERE {scope} ORDER BY t.business_date, t.issued_at, t.id
            """,
            (first, last, *params),
        )
        return [
            Visit(ticket_id, number, business_date, service, lane, channel, status, counter, moment(issued_at),
                  tuple(changes.get(ticket_id, ())))
            for ticket_id, number, business_date, service, lane, channel, status, counter, issued_at in rows
        ]

    def usernames(self, staff_ids: list[int]) -> dict[int, str]:
        """The names of these staff accounts (removed ones too: history keeps naming them)."""
        if not staff_ids:
            return {}
        rows = self.raw.execute(f"SELECT id, username FROM users WHERE id IN ({marks(staff_ids)})", staff_ids)
        return dict(rows.fetchall())
