"""The displays' running text: what a supervisor may put on every wall display.

It is shown as text, never as markup (the display sets `textContent`), so angle brackets
are harmless and kept as typed. Line breaks and other control characters are folded into
single spaces, since the text runs along one line; the length is counted after that.
"""
from __future__ import annotations

import unicodedata

from .errors import Unprocessable
from ..i18n import N_

MAX_LENGTH = 200
# Control characters and line or paragraph separators: each becomes a space.
FOLDED = ("Cc", "Zl", "Zp")


def clean_text(text) -> str:
    """The running text as it will be shown: one line, trimmed, at most 200 characters.

    `""` clears it. Anything that is not a string, or is longer once folded, is refused.
    """
    if not isinstance(text, str):
        raise Unprocessable(N_("The running text must be text."))
    folded = "".join(" " if unicodedata.category(character) in FOLDED else character for character in text)
    cleaned = " ".join(folded.split())
    if len(cleaned) > MAX_LENGTH:
        raise Unprocessable(N_("The running text may be at most %(limit)s characters."), limit=MAX_LENGTH)
    return cleaned
