"""The sentence the wall display speaks when a ticket is called, in every language.

The sentence is a catalog msgid; only the numbers are filled in here. Digits of the ticket
number are read one by one ("A nol nol satu"), as Indonesian offices announce them, and the
counter number as a whole number ("loket dua belas"). num2words gives the words; in a
language it does not know, the digits themselves are read.
"""
from __future__ import annotations

from num2words import num2words

from shared.i18n import LANGUAGES, N_, translate

CALL = N_("Ticket number %(ticket)s, please go to counter %(counter)s")


def number_words(number: int, language: str) -> str:
    """`12` → `dua belas` / `twelve`; the digits when num2words has no such language."""
    try:
        return num2words(number, lang=language)
    except NotImplementedError:
        return str(number)


def spell_ticket(number: str, language: str) -> str:
    """`A-001` → `A nol nol satu` (or `A zero zero one`)."""
    words = []
    for character in number:
        if character.isdigit():
            words.append(number_words(int(character), language))
        elif character.isalpha():
            words.append(character.upper())
    return " ".join(words)


def announcement(number: str, counter_number: int) -> dict[str, str]:
    """The spoken call in each language, keyed by language code (`id`, `en`, …)."""
    return {
        language: translate(CALL, language, ticket=spell_ticket(number, language),
                            counter=number_words(counter_number, language))
        for language in LANGUAGES
    }
