"""The sentence the wall display speaks when a ticket is called.

Digits are read one by one ("A nol nol satu"), as Indonesian offices announce them, and the
counter number as a whole number ("loket dua belas"); num2words does the Indonesian words.
"""
from __future__ import annotations

from num2words import num2words


def spell_ticket(number: str, language: str) -> str:
    """`A-001` → `A nol nol satu` (or `A zero zero one`)."""
    words = []
    for character in number:
        if character.isdigit():
            words.append(num2words(int(character), lang=language))
        elif character.isalpha():
            words.append(character.upper())
    return " ".join(words)


def announcement(number: str, counter_number: int) -> dict[str, str]:
    """The spoken call in Indonesian (`id`) and English (`en`)."""
    return {
        "id": f"Nomor antrean {spell_ticket(number, 'id')}, silakan menuju loket {num2words(counter_number, lang='id')}",
        "en": f"Ticket number {spell_ticket(number, 'en')}, please go to counter {num2words(counter_number, lang='en')}",
    }
