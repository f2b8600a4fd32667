"""The office's queue lanes: the four the contract names, and any the office declares.

UU 25/2009 (Pasal 29) owes special treatment to people with disabilities, the elderly,
pregnant women, children and disaster victims. The contract fixes four lanes (`general`,
`health_worker`, `senior`, `disability`); an office adds its own in the `[lanes]` table of
`office.toml`, e.g. a lane for pregnant women and parents with small children:

    [lanes]
    pregnant_children = { id = "Ibu Hamil & Anak", en = "Pregnant women & children",
                          note_id = "Ibu hamil dan orang tua dengan anak kecil", note_en = "…" }

A lane records which queue a visitor chose, never why they qualify: health and disability
are sensitive personal data under UU PDP 27/2022, so no reason is asked or stored.

The senior lane's age is the office's (`[office] senior_age`, 60 by default as in
UU 13/1998); the default names and notes put it in the label so a visitor knows at a glance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Mapping

from ..i18n import DEFAULT_LANGUAGE, LANGUAGE_CODE, LANGUAGES, N_, translate
from .model import LANES

# The names and notes of the contract's lanes when the office file gives none; catalog msgids.
DEFAULT_NAMES = {
    "general": N_("General"),
    "health_worker": N_("Health worker"),
    "senior": N_("Senior citizen (%(age)s+)"),
    "disability": N_("Person with disability"),
}
DEFAULT_NOTES = {
    "general": N_("For all visitors"),
    "health_worker": N_("Doctors, nurses and other health workers"),
    "senior": N_("Visitors aged %(age)s and over"),
    "disability": N_("Visitors with a disability, served at the priority counter"),
}
DEFAULT_SENIOR_AGE = 60
LANE_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
NOTE_PREFIX = "note_"


class LaneError(ValueError):
    """A lane entry is unusable; the message starts with the field at fault."""


@dataclass(frozen=True)
class Lanes:
    """Every lane of the office in the order visitors see them, with per-language texts."""

    codes: tuple[str, ...] = LANES
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    notes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    senior_age: int = DEFAULT_SENIOR_AGE

    @property
    def declared(self) -> tuple[str, ...]:
        """The lanes the office added beyond the contract's four."""
        return tuple(code for code in self.codes if code not in LANES)

    def name(self, code: str, language: str) -> str:
        texts = self.names.get(code) or {}
        return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or code

    def note(self, code: str, language: str) -> str:
        texts = self.notes.get(code) or {}
        return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or ""


def parse_lanes(table: Mapping, senior_age: int,
                translate_msgid: Callable[..., str] = translate) -> Lanes:
    """The `[lanes]` table: names (and optional `note_<language>` texts) by lane code.

    Raises LaneError naming the field (`lanes.x.id`) so the office file can be fixed.
    """
    codes = list(LANES)
    names: dict[str, dict[str, str]] = {}
    notes: dict[str, dict[str, str]] = {}
    for code in LANES:
        names[code] = {language: translate_msgid(DEFAULT_NAMES[code], language, age=senior_age)
                       for language in LANGUAGES}
        notes[code] = {language: translate_msgid(DEFAULT_NOTES[code], language, age=senior_age)
                       for language in LANGUAGES}
    for code, entry in table.items():
        where = f"lanes.{code}"
        if not LANE_CODE.match(code):
            raise LaneError(f"{where}: {code!r} must be lower-case letters, digits or _ (at most 32)")
        if not isinstance(entry, Mapping):
            raise LaneError(f"{where}: write the lane as {{ id = \"…\", en = \"…\", note_id = \"…\" }}")
        name_texts, note_texts = _texts(entry, where)
        if DEFAULT_LANGUAGE not in name_texts:
            raise LaneError(f"{where}.{DEFAULT_LANGUAGE}: the lane's name in Indonesian is required")
        if code not in codes:
            codes.append(code)
            notes[code] = {}
        names[code] = name_texts
        notes[code] = {**notes[code], **note_texts} if note_texts else notes[code]
    return Lanes(
        codes=tuple(codes),
        names=MappingProxyType({code: MappingProxyType(texts) for code, texts in names.items()}),
        notes=MappingProxyType({code: MappingProxyType(texts) for code, texts in notes.items()}),
        senior_age=senior_age,
    )


def _texts(entry: Mapping, where: str) -> tuple[dict[str, str], dict[str, str]]:
    names, notes = {}, {}
    for key, value in entry.items():
        is_note = key.startswith(NOTE_PREFIX)
        language = key[len(NOTE_PREFIX):] if is_note else key
        if not LANGUAGE_CODE.match(language):
            raise LaneError(f"{where}.{key}: use a language code (id, en) for the name, "
                            f"or note_id / note_en for who the lane is for")
        if not isinstance(value, str) or not value.strip() or len(value) > 120:
            raise LaneError(f"{where}.{key}: must be a text of 1 to 120 characters")
        (notes if is_note else names)[language] = value.strip()
    return names, notes
