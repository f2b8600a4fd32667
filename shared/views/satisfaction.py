"""The satisfaction survey as supervisors and the counter's tablet read it.

`summary` gives, for a range of business dates (optionally one service or counter), the
responses, the IKM and its grade overall, per service and per counter, each SKM element's
mean (NRR) and weighted NRR, the score distribution and the comments. The reports page, its
PDF and `GET /api/reports/summary` read it; `ikm_table` is the table an office submits
(`GET /api/reports/ikm.csv`), without comments.

Which index counts follows the office's `[survey] mode`: "single" takes every rating's
overall score; "skm" takes the answers that filled the nine elements (a counter tablet's
four faces give an overall score only, shown in the distribution but not in the SKM index).
"""
from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from ..domain import satisfaction as rule
from ..office import Office
from ..store import Connection


def _figures(rows: list[dict], mode: str) -> dict:
    """The index and its parts from some rows of `db.feedback.totals` (their sums add up)."""
    responses = sum(row["responses"] for row in rows)
    score_sum = sum(row["score_sum"] for row in rows)
    skm = sum(row["skm_responses"] for row in rows)
    distribution = {score: sum(row["distribution"][score] for row in rows) for score in rule.SCORES}
    element_sums = {code: sum(row["element_sums"][code] for row in rows) for code in rule.ELEMENT_CODES}
    means = {code: Fraction(element_sums[code], skm) for code in rule.ELEMENT_CODES} if skm else None
    ikm = rule.skm_ikm_from_means(means) if mode == "skm" else rule.single_ikm_from_total(score_sum, responses)
    grade = rule.grade(ikm)
    weighted = rule.weighted_nrr(means)
    return {
        "responses": responses,
        # The answers the index is computed from (every rating in "single" mode).
        "respondents": skm if mode == "skm" else responses,
        "ikm": float(ikm) if ikm is not None else None,
        "grade": grade.letter if grade else None,
        "grade_label": grade.label if grade else None,
        "distribution": {str(score): count for score, count in distribution.items()},
        "nrr": {code: float(rule.rounded(value, 3)) for code, value in means.items()} if means else None,
        "weighted_nrr": float(rule.rounded(weighted, 3)) if weighted is not None else None,
    }


def summary(office: Office, db: Connection, date_from: str, date_to: str, *, service: str | None = None,
            counter: int | None = None, comments: bool = True) -> dict:
    """The survey's figures for business dates `date_from`–`date_to` (inclusive)."""
    mode = office.config.survey.mode
    with db.snapshot():
        rows = db.feedback.totals(date_from, date_to, service=service, counter=counter)
        notes = db.feedback.comments(date_from, date_to, service=service, counter=counter) if comments else []
    services = sorted({row["service"] for row in rows})
    counters = sorted({row["counter"] for row in rows if row["counter"] is not None})
    zone = office.config.zone
    return {
        "from": date_from, "to": date_to, "mode": mode,
        **_figures(rows, mode),
        "by_service": [dict(service=code, **_figures([r for r in rows if r["service"] == code], mode))
                       for code in services],
        "by_counter": [dict(counter=number, **_figures([r for r in rows if r["counter"] == number], mode))
                       for number in counters],
        "comments": [{"date": note["business_date"], "service": note["service"], "counter": note["counter"],
                      "score": note["score"], "text": note["comment"],
                      "at": note["created_at"].astimezone(zone).isoformat(timespec="minutes")}
                     for note in notes],
    }


def ikm_table(office: Office, db: Connection, date_from: str, date_to: str) -> list[dict]:
    """The table an office submits: one row per service and one for the whole office, each
    with its respondents, every element's NRR, the weighted NRR, the IKM and the grade."""
    figures = summary(office, db, date_from, date_to, comments=False)
    return [*({"service": item["service"], **item} for item in figures["by_service"]),
            {**figures, "service": None}]


def tablet_state(office: Office, db: Connection, counter: int, now: datetime) -> dict:
    """What a counter's survey tablet shows: the visitor this counter finished last, while
    they may still be at the counter (a few minutes), and whether they have rated."""
    with db.snapshot():
        last = db.feedback.last_done_at_counter(office.today(now), counter)
        if last is None or now - last["done_at"] > rule.TABLET_WINDOW:
            return {"ticket": None, "rated": False}
        ticket = db.tickets.get(last["ticket_id"])
        rated = bool(db.feedback.rated((ticket.id,)))
    return {"ticket": {"id": ticket.id, "number": ticket.number}, "rated": rated}
