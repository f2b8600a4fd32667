"""How a ticket number reads: the service's prefix letter and its place in the day."""
from __future__ import annotations

import re

# What an officer types for `E-002`: the letter, then the sequence with or without its
# leading zeros, joined by nothing, a dash or a space ("E2", "E002", "e-002", "E 2").
_TYPED = re.compile(r"^([A-Za-z])\s*[-\u2010-\u2015\s]?\s*0*(\d{1,6})$")


def format_number(prefix: str, sequence: int) -> str:
    """`A-001` for the first ticket of service A; four digits once a day passes 999."""
    return f"{prefix}-{sequence:03d}"


def parse_number(typed: str) -> str | None:
    """The printed number an officer means by what they typed ("E2", "E002", "e-002" → `E-002`).

    None when it cannot be a ticket number (no letter, no digits, sequence 0), so the caller
    answers "no such ticket" instead of guessing.
    """
    if not isinstance(typed, str):
        return None
    match = _TYPED.match(typed.strip())
    if match is None or int(match.group(2)) == 0:
        return None
    return format_number(match.group(1).upper(), int(match.group(2)))
