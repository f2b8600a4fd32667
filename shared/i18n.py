"""Translatable text outside the request cycle, and the list of languages.

Every fixed visitor-facing string is an English msgid in the gettext catalogs under
`shared/translations/<language>/LC_MESSAGES/`. Web code translates with Flask-Babel for the
request's language; Flask-free code (the printed ticket, the spoken call) marks its strings
with `N_` so `pybabel extract` finds them and translates them with `translate()` for a language
it is given.

The languages are the catalogs present: adding a language is adding a catalog folder (and the
office's names in that language in `office.toml`), not changing code.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable

from babel.support import NullTranslations, Translations

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"

# Indonesian is what every screen shows until the visitor picks another language.
DEFAULT_LANGUAGE = "id"
# English, the language of the msgids, comes next; any other catalog after it.
SECOND_LANGUAGE = "en"

# A catalog folder is named by a locale identifier: `jv`, `ban`, `pt_BR`, `zh_Hant`.
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$")


def catalog_languages(directory: str | Path = TRANSLATIONS) -> tuple[str, ...]:
    """The languages with a catalog in `directory`: Indonesian, English, then the rest by code.

    Indonesian is listed even without a catalog, because it is the default every other
    choice falls back to.
    """
    directory = Path(directory)
    found = {DEFAULT_LANGUAGE}
    if directory.is_dir():
        for folder in directory.iterdir():
            messages = folder / "LC_MESSAGES"
            if LANGUAGE_CODE.match(folder.name) and any(
                    (messages / f"{DOMAIN}{suffix}").is_file() for suffix in (".po", ".mo")):
                found.add(folder.name)
    first = [language for language in (DEFAULT_LANGUAGE, SECOND_LANGUAGE) if language in found]
    return (*first, *sorted(found - set(first)))


# The languages of every screen and message; Indonesian first, as the default.
LANGUAGES = catalog_languages()


def N_(text: str) -> str:
    """Mark `text` for extraction without translating it here."""
    return text


@lru_cache(maxsize=None)
def _catalog(directory: str, language: str) -> NullTranslations:
    """The compiled catalog of one language, read once (a NullTranslations if not compiled)."""
    return Translations.load(directory, [language], DOMAIN)


def translator(language: str, directory: str | Path | None = None) -> Callable[..., str]:
    """A `gettext(msgid, **values)` for one language.

    A language without a catalog gets the default language, as the web pages do; a msgid the
    catalog does not translate (or a catalog not compiled yet) gives the English msgid.
    Values fill `%(name)s` placeholders after translation.
    """
    languages = LANGUAGES if directory is None else catalog_languages(directory)
    directory = str(TRANSLATIONS if directory is None else Path(directory))
    catalog = _catalog(directory, language if language in languages else DEFAULT_LANGUAGE)

    def gettext(msgid: str, **values) -> str:
        text = catalog.gettext(msgid)
        return text % values if values else text

    return gettext


def translate(msgid: str, language: str, **values) -> str:
    """`msgid` in `language`, with `%(name)s` placeholders filled from `values`."""
    return translator(language)(msgid, **values)
