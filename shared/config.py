"""The office's configuration: a TOML file in the instance folder, validated into dataclasses.

Errors name the offending field (`services[2].prefix`) because the person fixing the file is
an office administrator, not a developer.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .model import GENERAL, LANES

CONFIG_NAME = "office.toml"
DEMO_TEMPLATE = Path(__file__).parent / "demo" / "office.toml"

DEFAULT_LANE_NAMES = {
    "general": ("Umum", "General"),
    "health_worker": ("Tenaga Kesehatan", "Health worker"),
    "senior": ("Lansia", "Senior citizen"),
    "disability": ("Penyandang Disabilitas", "Person with disability"),
}
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PREFIX = re.compile(r"^[A-Z]$")


class ConfigError(ValueError):
    """The office file is unusable; the message names the field and what is wrong."""


@dataclass(frozen=True)
class Names:
    """A visitor-facing name in Indonesian and English."""

    id: str
    en: str

    def get(self, language: str) -> str:
        """The name in `language`, Indonesian for anything but English."""
        return self.en if language == "en" else self.id


@dataclass(frozen=True)
class ServiceConfig:
    code: str
    names: Names
    prefix: str
    lanes: tuple[str, ...]


@dataclass(frozen=True)
class CounterConfig:
    number: int
    name: str
    services: tuple[str, ...]
    lanes: tuple[str, ...] | None


@dataclass(frozen=True)
class OfficeConfig:
    """Everything the office administrator sets in `office.toml`."""

    name: str
    timezone: str
    services: tuple[ServiceConfig, ...]
    counters: tuple[CounterConfig, ...]
    lane_names: dict[str, Names] = field(default_factory=dict)
    ticket_token_days: int = 2
    kiosk_idle_seconds: int = 20
    kiosk_rate_limit: str = "60 per minute"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def service(self, code: str) -> ServiceConfig | None:
        """The service with this code, or None."""
        return next((service for service in self.services if service.code == code), None)

    def counter(self, number: int) -> CounterConfig | None:
        """The counter with this number, or None."""
        return next((counter for counter in self.counters if counter.number == number), None)

    def lane_name(self, lane: str, language: str) -> str:
        """The visitor-facing name of a lane."""
        return self.lane_names[lane].get(language)


def load_config(path: Path) -> OfficeConfig:
    """Read and validate an office file."""
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        return parse_config(raw)
    except ConfigError as error:
        raise ConfigError(f"{Path(path).name}: {error}") from None


def parse_config(raw: dict) -> OfficeConfig:
    """Validate a decoded office file; raises ConfigError naming the first bad field."""
    office = _table(raw, "office")
    office_name = _text(office, "name", "office.name")
    timezone = office.get("timezone", "Asia/Jakarta")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"office.timezone: unknown time zone {timezone!r} (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)") from None

    lane_names = dict((lane, Names(*names)) for lane, names in DEFAULT_LANE_NAMES.items())
    for lane, names in _table(raw, "lanes", required=False).items():
        if lane not in LANES:
            raise ConfigError(f"lanes.{lane}: unknown lane (known: {', '.join(LANES)})")
        names = names if isinstance(names, dict) else {}
        lane_names[lane] = Names(_text(names, "id", f"lanes.{lane}.id"), _text(names, "en", f"lanes.{lane}.en"))

    raw_services = raw.get("services")
    if not isinstance(raw_services, list) or not raw_services:
        raise ConfigError("services: at least one [[services]] table is required")
    services = []
    for index, item in enumerate(raw_services):
        where = f"services[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: must be a table")
        code = _text(item, "code", f"{where}.code")
        if not _CODE.match(code):
            raise ConfigError(f"{where}.code: {code!r} must be lower-case letters, digits or _ (at most 32)")
        prefix = _text(item, "prefix", f"{where}.prefix")
        if not _PREFIX.match(prefix):
            raise ConfigError(f"{where}.prefix: {prefix!r} must be one capital letter A-Z")
        names = Names(_text(item, "name", f"{where}.name"), item.get("name_en") or _text(item, "name", f"{where}.name"))
        lanes = tuple(item.get("lanes", LANES))
        for lane in lanes:
            if lane not in LANES:
                raise ConfigError(f"{where}.lanes: unknown lane {lane!r} (known: {', '.join(LANES)})")
        if GENERAL not in lanes:
            raise ConfigError(f"{where}.lanes: must include 'general'")
        services.append(ServiceConfig(code, names, prefix, lanes))
    _unique([s.code for s in services], "services", "code")
    _unique([s.prefix for s in services], "services", "prefix")
    codes = {s.code for s in services}

    raw_counters = raw.get("counters")
    if not isinstance(raw_counters, list) or not raw_counters:
        raise ConfigError("counters: at least one [[counters]] table is required")
    counters = []
    for index, item in enumerate(raw_counters):
        where = f"counters[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: must be a table")
        number = item.get("number")
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
            raise ConfigError(f"{where}.number: must be a whole number from 1 to 999")
        counter_services = item.get("services")
        if not isinstance(counter_services, list) or not counter_services:
            raise ConfigError(f"{where}.services: list at least one service code")
        for code in counter_services:
            if code not in codes:
                raise ConfigError(f"{where}.services: unknown service {code!r}")
        lanes = item.get("lanes")
        if lanes is not None:
            if not isinstance(lanes, list) or not lanes:
                raise ConfigError(f"{where}.lanes: list the lanes this counter is reserved for, or leave it out")
            for lane in lanes:
                if lane not in LANES:
                    raise ConfigError(f"{where}.lanes: unknown lane {lane!r} (known: {', '.join(LANES)})")
            lanes = tuple(lanes)
        counter_name = item.get("name") or f"Loket {number}"
        counters.append(CounterConfig(number, str(counter_name), tuple(counter_services), lanes))
    _unique([c.number for c in counters], "counters", "number")

    kiosk = _table(raw, "kiosk", required=False)
    idle = kiosk.get("idle_seconds", 20)
    if not isinstance(idle, int) or not 5 <= idle <= 600:
        raise ConfigError("kiosk.idle_seconds: must be a whole number from 5 to 600")
    rate_limit = kiosk.get("rate_limit", "60 per minute")
    if not isinstance(rate_limit, str) or not re.match(r"^\d+ per (second|minute|hour)$", rate_limit):
        raise ConfigError("kiosk.rate_limit: must read like '60 per minute'")
    tickets = _table(raw, "tickets", required=False)
    token_days = tickets.get("token_days", 2)
    if not isinstance(token_days, int) or not 1 <= token_days <= 30:
        raise ConfigError("tickets.token_days: must be a whole number from 1 to 30")

    return OfficeConfig(
        name=office_name,
        timezone=timezone,
        services=tuple(services),
        counters=tuple(sorted(counters, key=lambda c: c.number)),
        lane_names=lane_names,
        ticket_token_days=token_days,
        kiosk_idle_seconds=idle,
        kiosk_rate_limit=rate_limit,
    )


def _table(raw: dict, key: str, required: bool = True) -> dict:
    value = raw.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: a [{key}] table is required")
    return value


def _text(table: dict, key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: required text")
    return value.strip()


def _unique(values: list, table: str, key: str) -> None:
    seen = set()
    for index, value in enumerate(values):
        if value in seen:
            raise ConfigError(f"{table}[{index}].{key}: {value!r} is used twice")
        seen.add(value)
