"""Marking of translatable text in Flask-free code.

Domain modules mark visitor-facing strings with `N_` so `pybabel extract` finds them; the
web layer translates them at render time for the request's language.
"""


# The languages of every screen and message; Indonesian first, as the default.
LANGUAGES = ("id", "en")


def N_(text: str) -> str:
    """Mark `text` for extraction without translating it here."""
    return text
