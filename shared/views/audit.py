"""The audit trail as supervisors read it: who did what, when, to which ticket, in office time.

`GET /api/audit`, its CSV and the `/counter/audit` page all read `entries`, so they agree.
Rows come oldest first in pages (`after` an id), because a month of a busy office is tens of
thousands of rows and must never be built in memory at once.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from ..domain.officetime import parse_utc, to_office_iso
from ..office import Office
from ..store import Connection

PAGE = 5000


def day_bounds(office: Office, first: date, last: date) -> tuple[datetime, datetime]:
    """The instants a range of business dates covers: from the first day's midnight (office
    time) to the midnight after the last."""
    zone = office.config.zone
    start = datetime.combine(first, time(0), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def actor_label(row: dict) -> str:
    """The name an office reads: the staff member's username or the kiosk's name, else what acted."""
    if row["actor_kind"] in ("staff", "kiosk") and row["actor_name"]:
        return row["actor_name"]
    return row["actor_kind"]


def _entry(office: Office, row: dict) -> dict:
    return {
        "at": to_office_iso(parse_utc(row["at"]), office.config.zone),
        "actor": actor_label(row),
        "action": row["action"],
        "ticket": row["ticket_number"],
        "detail": json.loads(row["detail"]) if row["detail"] else {},
        # Extensions: the row's id (for paging and for `antrean audit verify`), who in kind,
        # the counter and the ticket's business date (numbers restart every day).
        "id": row["id"],
        "actor_kind": row["actor_kind"],
        "counter": row["counter"],
        "ticket_date": row["ticket_date"],
    }


def entries(office: Office, db: Connection, first: date, last: date, *, after: int = 0,
            limit: int = PAGE, before: int | None = None, newest_first: bool = False,
            action: str | None = None, ticket: str | None = None) -> list[dict]:
    """Up to `limit` rows of the range with an id above `after` (and below `before`), oldest
    first unless `newest_first`; `action` keeps the actions starting with it ("ticket."),
    `ticket` the rows of tickets with that printed number."""
    start, end = day_bounds(office, first, last)
    rows = db.audit.between(start, end, limit=limit, after_id=after, before_id=before, newest_first=newest_first,
                            action_prefix=action, ticket_number=ticket)
    return [_entry(office, row) for row in rows]


def all_entries(office: Office, db: Connection, first: date, last: date) -> Iterator[dict]:
    """Every row of the range, read a page at a time (for the CSV export)."""
    after = 0
    while True:
        page = entries(office, db, first, last, after=after)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1]["id"]


def export(office: Office, first: date, last: date) -> Iterator[dict]:
    """`all_entries` on a connection of its own: a streamed download outlives its request (and
    the request's connection), so it opens one and closes it when the stream ends or is dropped."""
    db = office.store.connect()
    try:
        yield from all_entries(office, db, first, last)
    finally:
        db.close()
