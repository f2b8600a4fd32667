"""The community satisfaction index (IKM) of PermenPANRB 14/2017, as pure arithmetic.

A visitor answers with a score from 1 to 4 (tidak baik, kurang baik, baik, sangat baik).
An office asks either one question ("single" mode) or the regulation's full questionnaire
of nine elements ("skm" mode, U1–U9):

- single question: IKM = mean score × 25, so it lies between 25 and 100;
- full SKM: each element's mean (its NRR, *nilai rata-rata*) is weighted 1/9, written by
  the regulation as 0.111, and IKM = Σ (NRR × 0.111) × 25. Because 9 × 0.111 = 0.999 and
  not 1, a questionnaire answered 4 everywhere gives **99.9, not 100**, and one answered 1
  everywhere gives 24.975. We keep the regulation's 0.111 on purpose: an office's figures
  must match the ones its inspectors compute by hand from the same answers.

Rounding: every figure is computed exactly (fractions of whole-number scores, so no binary
floating-point drift) and only the IKM is rounded, once, to 2 decimals, half up. The grade is
read from that rounded value, because the regulation's conversion table (*nilai interval
konversi*) is written to 2 decimals with 0.01 gaps between its rows — D 25.00–64.99,
C 65.00–76.60, B 76.61–88.30, A 88.31–100.00 — so an unrounded 76.605 would fall between C
and B; rounded it is 76.61, a B. Anything under 65.00 is a D, including the 24.98 of an
all-1 SKM, which sits under the table's 25.00 only because of the 0.111 weight.

No responses means no index: every function answers `None`, never 0 (a 0 would read as
the worst possible service).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Iterable, Mapping
from urllib.parse import urlsplit

from .errors import Conflict, Unprocessable
from ..i18n import N_

MODES = ("single", "skm")
CHANNELS = ("phone", "tablet")
SCORES = (1, 2, 3, 4)
SCORE_LABELS = {
    1: N_("Poor"),
    2: N_("Fair"),
    3: N_("Good"),
    4: N_("Very good"),
}
COMMENT_MAX = 500
# The regulation's weight of each of the nine elements (1/9, written as 0.111).
ELEMENT_WEIGHT = Fraction(111, 1000)
# The index is the weighted mean score on a 1–4 scale converted to 25–100.
CONVERSION = 25
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Element:
    """One of the nine SKM elements: its code, its name in the regulation, and the question
    a visitor reads (both msgids, translated where shown)."""

    code: str
    name: str
    question: str


ELEMENTS = (
    Element("U1", N_("Requirements"),
            N_("Were the requirements for this service clear and reasonable?")),
    Element("U2", N_("Systems, mechanisms and procedures"),
            N_("Was the procedure easy to follow?")),
    Element("U3", N_("Completion time"),
            N_("Was your matter finished in the promised time?")),
    Element("U4", N_("Cost or fee"),
            N_("Was the fee charged as published (or free, if free)?")),
    Element("U5", N_("Product specification of the service"),
            N_("Did you receive what the service promises?")),
    Element("U6", N_("Competence of the staff"),
            N_("Did the officer know the job well?")),
    Element("U7", N_("Conduct of the staff"),
            N_("Was the officer polite and helpful?")),
    Element("U8", N_("Handling of complaints, suggestions and feedback"),
            N_("Is it easy to complain or make a suggestion here?")),
    Element("U9", N_("Facilities and infrastructure"),
            N_("Were the waiting room and facilities comfortable?")),
)
ELEMENT_CODES = tuple(element.code for element in ELEMENTS)


@dataclass(frozen=True)
class Grade:
    """A row of the regulation's conversion table: the letter, what it means, and the
    lowest rounded IKM that earns it."""

    letter: str
    label: str
    floor: Decimal


GRADES = (
    Grade("A", N_("Very good"), Decimal("88.31")),
    Grade("B", N_("Good"), Decimal("76.61")),
    Grade("C", N_("Fair"), Decimal("65.00")),
    Grade("D", N_("Poor"), Decimal("-Infinity")),
)


class AlreadyRated(Conflict):
    code = "already_rated"


# The national complaint service (SP4N-LAPOR!), linked beside the survey unless the office
# names its own page there.
DEFAULT_COMPLAINT_URL = "https://www.lapor.go.id"
# How long after a visit a counter's tablet keeps asking that visitor: they have left by then,
# and the next visitor must not rate the previous one's service.
TABLET_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class SurveySettings:
    """The `[survey]` table of office.toml."""

    mode: str = "single"          # "single": one question; "skm": the nine elements as well
    comments: bool = True         # offer the optional comment (personal data, purged later)
    complaint_url: str = DEFAULT_COMPLAINT_URL
    tablet: bool = True           # counters may open the survey tablet page


def settings_from_table(table) -> SurveySettings:
    """The validated `[survey]` table (absent: the defaults); ValueError names the field."""
    if table is None:
        return SurveySettings()
    if not isinstance(table, dict):
        raise ValueError("survey: must be a table")
    unknown = set(table) - {"mode", "comments", "complaint_url", "tablet"}
    if unknown:
        raise ValueError(f"survey: unknown key {sorted(unknown)[0]!r}")
    mode = table.get("mode", "single")
    if mode not in MODES:
        raise ValueError("survey.mode: must be \"single\" or \"skm\"")
    for key in ("comments", "tablet"):
        if not isinstance(table.get(key, True), bool):
            raise ValueError(f"survey.{key}: must be true or false")
    url = table.get("complaint_url", DEFAULT_COMPLAINT_URL)
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ValueError("survey.complaint_url: must be an http(s) address, like https://www.lapor.go.id")
    return SurveySettings(mode=mode, comments=table.get("comments", True), complaint_url=url,
                          tablet=table.get("tablet", True))


def check_score(value) -> int:
    """A visitor's score as an int 1–4; anything else (a bool, "4", 4.5, 0) is refused."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        raise Unprocessable(N_("A score must be a whole number from 1 to 4."))
    return value


def check_elements(values) -> dict[str, int]:
    """The nine element scores of a full SKM answer: every element once, each 1–4."""
    if not isinstance(values, Mapping) or set(values) != set(ELEMENT_CODES):
        raise Unprocessable(N_("Please answer every question (U1 to U9)."))
    return {code: check_score(values[code]) for code in ELEMENT_CODES}


def check_comment(value) -> str | None:
    """The optional comment, trimmed; empty becomes None; at most 500 characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unprocessable(N_("The comment must be text."))
    cleaned = value.strip()
    if len(cleaned) > COMMENT_MAX:
        raise Unprocessable(N_("The comment may be at most %(limit)s characters."), limit=COMMENT_MAX)
    return cleaned or None


def mean(scores: Iterable[int]) -> Fraction | None:
    """The exact mean of some scores (an NRR), or None without any."""
    total = count = 0
    for score in scores:
        total += score
        count += 1
    return Fraction(total, count) if count else None


def rounded(value, places: int = 2) -> Decimal | None:
    """A figure to 2 decimals (or `places`), half up. A float is read as it is written
    (88.305 → 88.31), not as its nearest binary value."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value))
    return exact.quantize(PLACES if places == 2 else Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def single_ikm(scores: Iterable[int]) -> Decimal | None:
    """The IKM of the single question: mean score × 25, rounded; None without scores."""
    average = mean(scores)
    return None if average is None else rounded(average * CONVERSION)


def single_ikm_from_total(total: int, count: int) -> Decimal | None:
    """The same index from a sum and a count (what an SQL aggregate gives)."""
    return rounded(Fraction(total, count) * CONVERSION) if count else None


def element_means(answers: Iterable[Mapping[str, int]]) -> dict[str, Fraction] | None:
    """Each element's NRR over full SKM answers (each a mapping U1–U9 → score)."""
    totals = dict.fromkeys(ELEMENT_CODES, 0)
    count = 0
    for answer in answers:
        for code in ELEMENT_CODES:
            totals[code] += answer[code]
        count += 1
    if not count:
        return None
    return {code: Fraction(totals[code], count) for code in ELEMENT_CODES}


def weighted_nrr(means: Mapping[str, Fraction] | None) -> Fraction | None:
    """Σ NRR × 0.111: the weighted mean on the 1–4 scale (3.996 at most)."""
    if means is None:
        return None
    return sum((Fraction(means[code]) * ELEMENT_WEIGHT for code in ELEMENT_CODES), Fraction(0))


def skm_ikm_from_means(means: Mapping[str, Fraction] | None) -> Decimal | None:
    """The IKM of the full questionnaire from its element NRRs, rounded."""
    weighted = weighted_nrr(means)
    return None if weighted is None else rounded(weighted * CONVERSION)


def skm_ikm(answers: Iterable[Mapping[str, int]]) -> Decimal | None:
    """The IKM of full SKM answers: Σ (NRR × 0.111) × 25, rounded; 99.9 at best."""
    return skm_ikm_from_means(element_means(answers))


def grade(ikm) -> Grade | None:
    """The grade of an IKM, read from its value rounded to 2 decimals; None for None."""
    value = rounded(ikm)
    if value is None:
        return None
    for row in GRADES:
        if value >= row.floor:
            return row
    raise AssertionError("the last grade has no floor")  # pragma: no cover
