"""The wall displays' settings: what a call says aloud, and which screen shows what.

An office has one wall display per floor or wing, and often one outside the door. Each screen
is opened once, on a mini-PC or a TV box, at `/display/<profile>`; its profile (the `[display]`
table of office.toml) says which counters and services it shows, so a floor's screen never
announces a call to a counter on another floor. `/display/` stays the whole office.

Pure rules: the tables are validated here and errors name the field, as in the rest of the
office file (the caller turns a `ValueError` into a `ConfigError`).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# What a display says when a ticket is called: the Indonesian sentence, the English one, both
# in turn, or only the two-tone chime (the caption line shows the sentence in every case).
ANNOUNCE_MODES = ("id", "en", "both", "chime")
WALL, ENTRANCE = "wall", "entrance"
KINDS = (WALL, ENTRANCE)
# The profile every office has without configuring it: the invited numbers, large, for the
# screen outside the door.
ENTRANCE_PROFILE = "entrance"
_PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class DisplayProfile:
    """One kind of screen: its title and what it shows. `None` counters or services: all of them."""

    name: str
    kind: str = WALL
    titles: Mapping[str, str] = field(default_factory=dict)
    counters: tuple[int, ...] | None = None
    services: tuple[str, ...] | None = None
    announce: str | None = None   # None: the office's [display] announce

    def title(self, language: str) -> str:
        """The title in `language`, else Indonesian, else "" (the screen then shows the office only)."""
        return self.titles.get(language) or self.titles.get("id") or ""


@dataclass(frozen=True)
class DisplaySettings:
    """The `[display]` table: the spoken language of calls and the named profiles."""

    announce: str = "id"
    profiles: Mapping[str, DisplayProfile] = field(
        default_factory=lambda: MappingProxyType({ENTRANCE_PROFILE: DisplayProfile(ENTRANCE_PROFILE, ENTRANCE)}))

    def profile(self, name: str | None) -> DisplayProfile | None:
        """The named profile; no name is the whole office; an unknown name is None."""
        if name is None:
            return DisplayProfile("", WALL)
        return self.profiles.get(name)

    def announce_for(self, profile: DisplayProfile) -> str:
        """What this profile's screen says for a call (the entrance says nothing about calls inside)."""
        if profile.kind == ENTRANCE:
            return "chime"
        return profile.announce or self.announce


def settings_from_table(table, service_codes: tuple[str, ...], counter_of_service: Mapping[int, tuple[str, ...]]) \
        -> DisplaySettings:
    """Validate `[display]`; `service_codes` in the office file's order, `counter_of_service` maps
    each counter number to the services it calls."""
    if table is None:
        return DisplaySettings()
    if not isinstance(table, dict):
        raise ValueError("display: must be a table ([display])")
    announce = _announce(table.get("announce", "id"), "display.announce")
    profiles = {ENTRANCE_PROFILE: DisplayProfile(ENTRANCE_PROFILE, ENTRANCE)}
    raw_profiles = table.get("profiles", {})
    if not isinstance(raw_profiles, dict):
        raise ValueError("display.profiles: write each profile as [display.profiles.NAME]")
    for name, item in raw_profiles.items():
        where = f"display.profiles.{name}"
        if not _PROFILE_NAME.match(name):
            raise ValueError(f"{where}: the name goes into the address (/display/NAME): use lower-case "
                             "letters, digits, - or _ (at most 32)")
        profiles[name] = _profile(name, item, where, service_codes, counter_of_service)
    unknown = sorted(set(table) - {"announce", "profiles"})
    if unknown:
        raise ValueError(f"display.{unknown[0]}: unknown setting (known: announce, profiles)")
    return DisplaySettings(announce, MappingProxyType(profiles))


def _profile(name: str, item, where: str, service_codes: tuple[str, ...],
             counter_of_service: Mapping[int, tuple[str, ...]]) -> DisplayProfile:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: must be a table")
    kind = item.get("kind", WALL)
    if kind not in KINDS:
        raise ValueError(f"{where}.kind: must be 'wall' (calls to counters) or 'entrance' (the invited numbers)")
    titles = {}
    for key, value in item.items():
        if key == "title" or key.startswith("title_"):
            language = "id" if key == "title" else key[len("title_"):]
            if not _LANGUAGE.match(language) or key == "title_id":
                raise ValueError(f"{where}.{key}: give the Indonesian title as title, another language as title_en")
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{where}.{key}: required text")
            titles[language] = value.strip()
    counters = item.get("counters")
    if counters is not None:
        if not isinstance(counters, list) or not counters:
            raise ValueError(f"{where}.counters: list the counter numbers this screen shows, or leave it out")
        for number in counters:
            if isinstance(number, bool) or number not in counter_of_service:
                raise ValueError(f"{where}.counters: unknown counter {number!r}")
        if len(set(counters)) != len(counters):
            raise ValueError(f"{where}.counters: a counter is listed twice")
        counters = tuple(counters)
    services = item.get("services")
    if services is not None:
        if not isinstance(services, list) or not services:
            raise ValueError(f"{where}.services: list the service codes whose waiting counts this screen "
                             "shows, or leave it out")
        for code in services:
            if code not in service_codes:
                raise ValueError(f"{where}.services: unknown service {code!r}")
        services = tuple(services)
    elif counters is not None:
        # A floor's screen shows the lines its counters call, in the office file's order.
        called_here = {code for number in counters for code in counter_of_service[number]}
        services = tuple(code for code in service_codes if code in called_here)
    announce = item.get("announce")
    if announce is not None:
        announce = _announce(announce, f"{where}.announce")
    unknown = sorted(key for key in set(item) - {"kind", "counters", "services", "announce"}
                     if key != "title" and not key.startswith("title_"))
    if unknown:
        raise ValueError(f"{where}.{unknown[0]}: unknown setting (known: kind, title, title_en, counters, "
                         "services, announce)")
    return DisplayProfile(name, kind, MappingProxyType(titles), counters, services, announce)


def _announce(value, where: str) -> str:
    if value not in ANNOUNCE_MODES:
        raise ValueError(f"{where}: must be 'id' (Indonesian), 'en' (English), 'both' or 'chime' (no voice)")
    return value
