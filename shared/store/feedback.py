"""The satisfaction survey's answers: one row per ticket, and the sums the IKM is made of.

No identity is stored: a row names its ticket (so it can be rated once), the service,
counter and day, and the scores. The optional comment is the only personal data; it is
emptied by `purge_comments` after the office's retention period.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime

from ..domain.model import DONE
from ..domain.officetime import parse_utc, to_utc_text
from ..domain.satisfaction import ELEMENT_CODES

_ELEMENT_COLUMNS = tuple(code.lower() for code in ELEMENT_CODES)


def _where(date_from: str, date_to: str, service: str | None, counter: int | None) -> tuple[str, list]:
    clauses, values = ["business_date BETWEEN ? AND ?"], [date_from, date_to]
    if service is not None:
        clauses.append("service = ?")
        values.append(service)
    if counter is not None:
        clauses.append("counter = ?")
        values.append(counter)
    return " AND ".join(clauses), values


class Feedback:
    """The `feedback` table."""

    def __init__(self, raw: sqlite3.Connection):
        self.raw = raw

    def add(self, *, ticket_id: int, business_date: str, service: str, counter: int | None, channel: str,
            score: int, elements: dict[str, int] | None, comment: str | None, now: datetime) -> int | None:
        """Record an answer; None when this ticket was rated already (the UNIQUE constraint
        decides, so of two racing answers exactly one is kept)."""
        mode = "skm" if elements else "single"
        scores = [elements[code] if elements else None for code in ELEMENT_CODES]
        row = self.raw.execute(
            f"""
            INSERT INTO feedback (ticket_id, business_date, service, counter, mode, channel, score,
                                  {", ".join(_ELEMENT_COLUMNS)}, comment, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, {", ".join("?" for _ in _ELEMENT_COLUMNS)}, ?, ?)
            ON CONFLICT (ticket_id) DO NOTHING
            RETURNING id
            """,
            (ticket_id, business_date, service, counter, mode, channel, score, *scores, comment, to_utc_text(now)),
        ).fetchone()
        return row[0] if row else None

    def get(self, ticket_id: int) -> dict | None:
        """The answer given for a ticket, or None."""
        row = self.raw.execute(
            f"SELECT ticket_id, mode, channel, score, {', '.join(_ELEMENT_COLUMNS)}, comment, created_at "
            "FROM feedback WHERE ticket_id = ?", (ticket_id,)).fetchone()
        if row is None:
            return None
        ticket, mode, channel, score, *rest = row
        elements, (comment, created_at) = rest[:9], rest[9:]
        return {"ticket_id": ticket, "mode": mode, "channel": channel, "score": score,
                "elements": dict(zip(ELEMENT_CODES, elements)) if mode == "skm" else None,
                "comment": comment, "created_at": parse_utc(created_at)}

    def rated(self, ticket_ids) -> set[int]:
        """Which of these tickets have an answer."""
        ids = list(ticket_ids)
        if not ids:
            return set()
        rows = self.raw.execute(
            f"SELECT ticket_id FROM feedback WHERE ticket_id IN ({', '.join('?' for _ in ids)})", ids)
        return {row[0] for row in rows}

    def last_done_at_counter(self, business_date: str, counter: int) -> dict | None:
        """The ticket most recently finished at a counter today, and when: the visitor a
        counter's tablet asks (whether or not it was rated yet)."""
        row = self.raw.execute(
            """
            SELECT e.ticket_id, e.at FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
            WHERE e.to_status = ? AND e.counter = ? AND t.business_date = ? AND t.status = ?
            ORDER BY e.id DESC LIMIT 1
            """,
            (DONE, counter, business_date, DONE),
        ).fetchone()
        return {"ticket_id": row[0], "done_at": parse_utc(row[1])} if row else None

    def totals(self, date_from: str, date_to: str, *, service: str | None = None,
               counter: int | None = None) -> list[dict]:
        """Sums per (service, counter) over business dates `date_from`–`date_to`: responses,
        the overall score's sum and distribution, and per element the SKM answers' sums.
        Sums add up, so a view can merge rows into per-service, per-counter and overall figures."""
        where, values = _where(date_from, date_to, service, counter)
        sums = ", ".join(f"SUM({column})" for column in _ELEMENT_COLUMNS)
        rows = self.raw.execute(
            f"""
            SELECT service, counter, COUNT(*), SUM(score),
                   SUM(score = 1), SUM(score = 2), SUM(score = 3), SUM(score = 4),
                   SUM(mode = 'skm'), {sums}
            FROM feedback WHERE {where}
            GROUP BY service, counter ORDER BY service, counter
            """,
            values,
        )
        result = []
        for service_code, counter_number, responses, score_sum, n1, n2, n3, n4, skm, *element_sums in rows:
            result.append({
                "service": service_code, "counter": counter_number, "responses": responses,
                "score_sum": score_sum, "distribution": {1: n1, 2: n2, 3: n3, 4: n4},
                "skm_responses": skm,
                "element_sums": {code: value or 0 for code, value in zip(ELEMENT_CODES, element_sums)},
            })
        return result

    def comments(self, date_from: str, date_to: str, *, service: str | None = None,
                 counter: int | None = None, limit: int = 500) -> list[dict]:
        """The comments left in a range, newest first (for supervisors' pages only)."""
        where, values = _where(date_from, date_to, service, counter)
        rows = self.raw.execute(
            f"SELECT business_date, service, counter, score, comment, created_at FROM feedback "
            f"WHERE {where} AND comment IS NOT NULL ORDER BY created_at DESC LIMIT ?",
            (*values, limit),
        )
        return [{"business_date": date, "service": service_code, "counter": counter_number, "score": score,
                 "comment": comment, "created_at": parse_utc(created_at)}
                for date, service_code, counter_number, score, comment, created_at in rows]

    def purge_comments(self, before: datetime) -> int:
        """Empty the comments made before `before` (personal data past its retention); the
        scores stay for the statistics. Returns how many comments were removed."""
        return self.raw.execute(
            "UPDATE feedback SET comment = NULL WHERE comment IS NOT NULL AND created_at < ?",
            (to_utc_text(before),),
        ).rowcount
