"""The office's configuration: a TOML file in the instance folder, validated into dataclasses.

Errors name the offending field (`services[2].prefix`) because the person fixing the file is
an office administrator, not a developer.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..i18n import DEFAULT_LANGUAGE, LANGUAGE_CODE, LANGUAGES
from .addresses import parse_public_url
from .backups import BackupSettings
from .backups import settings_from_table as backup_settings
from .bookings import BookingRules, SlotShape
from .displays import DisplaySettings
from .displays import settings_from_table as display_settings
from .hours import WEEKDAYS, ServiceHours, parse_window
from .lanes import DEFAULT_SENIOR_AGE, LaneError, parse_lanes
from .model import GENERAL
from .notifications import NotificationSettings, settings_from_table
from .policy import COUNTER_MODES, DEFAULT_LANE_CLASSES, PolicyConfig
from .satisfaction import SurveySettings
from .satisfaction import settings_from_table as survey_settings
from .privacy import PrivacySettings
from .privacy import settings_from_table as privacy_settings

CONFIG_NAME = "office.toml"
DEMO_TEMPLATE = Path(__file__).resolve().parents[1] / "demo" / "office.toml"

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_PREFIX = re.compile(r"^[A-Z]$")


class ConfigError(ValueError):
    """The office file is unusable; the message names the field and what is wrong."""


@dataclass(frozen=True)
class Names:
    """A visitor-facing name the office file gives, per language code (`{"id": …, "en": …}`).

    A language the office did not name it in gets the Indonesian name, so a new language
    never shows a blank.
    """

    texts: Mapping[str, str]

    def __post_init__(self) -> None:
        texts = {language: text for language, text in self.texts.items() if text}
        if not texts:
            raise ValueError("a name needs its text in at least one language")
        object.__setattr__(self, "texts", MappingProxyType(texts))

    def __hash__(self) -> int:
        return hash(frozenset(self.texts.items()))

    def __repr__(self) -> str:
        return f"Names({dict(self.texts)!r})"

    def get(self, language: str) -> str:
        """The name in `language`, else Indonesian, else the first language given."""
        return self.texts.get(language) or self.texts.get(DEFAULT_LANGUAGE) or next(iter(self.texts.values()))

    def as_dict(self, languages: Iterable[str] = LANGUAGES) -> dict[str, str]:
        """The name in each of `languages` (with the fallback) and in every language given."""
        return {**{language: self.get(language) for language in languages}, **self.texts}


@dataclass(frozen=True)
class ServiceConfig:
    code: str
    names: Names
    prefix: str
    lanes: tuple[str, ...]
    daily_quota: int | None = None
    lane_quotas: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Alternative:
    """Another way to get the service (online portal, courier), offered when the kiosk cannot help."""

    names: Names
    url: str | None
    notes: Names | None


@dataclass(frozen=True)
class CounterConfig:
    number: int
    name: str
    services: tuple[str, ...]
    lanes: tuple[str, ...] | None
    mode: str = "strict"


@dataclass(frozen=True)
class OfficeConfig:
    """Everything the office administrator sets in `office.toml`."""

    name: str
    timezone: str
    services: tuple[ServiceConfig, ...]
    counters: tuple[CounterConfig, ...]
    lane_names: dict[str, Names] = field(default_factory=dict)   # every lane, in the visitors' order
    lane_notes: dict[str, Names] = field(default_factory=dict)   # who each lane is for
    senior_age: int = DEFAULT_SENIOR_AGE
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    max_inside: int | None = None
    invite_timeout: timedelta = timedelta(minutes=10)
    hours: ServiceHours = field(default_factory=lambda: ServiceHours(always_open=True))
    alternatives: tuple[Alternative, ...] = ()
    screening: tuple[Names, ...] = ()
    ticket_token_days: int = 2
    kiosk_idle_seconds: int = 20
    kiosk_rate_limit: str = "60 per minute"
    kiosk_paper_mm: int = 80   # the ticket printer's roll: 80 mm (72 printed) or 58 mm (48 printed)
    booking: BookingRules = field(default_factory=BookingRules)
    notifications: NotificationSettings | None = None   # no [notifications] table: nothing is sent
    display: DisplaySettings = field(default_factory=DisplaySettings)   # spoken calls, screen profiles
    public_url: str | None = None   # where phones reach the server; None: the address each request used
    survey: SurveySettings = field(default_factory=SurveySettings)      # the satisfaction survey (IKM)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)   # how long personal data is kept
    backup: BackupSettings = field(default_factory=BackupSettings)      # the daily copy and how many are kept

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

    def lane_note(self, lane: str, language: str) -> str:
        """Who a lane is for, under its name on the lane buttons ("" when the office gave none)."""
        note = self.lane_notes.get(lane)
        return note.get(language) if note else ""

    @property
    def lanes(self) -> tuple[str, ...]:
        """Every lane code: the contract's four, then the ones the office declared."""
        return tuple(self.lane_names)


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

    senior_age = _whole(office.get("senior_age", DEFAULT_SENIOR_AGE), "office.senior_age", 40, 90)
    try:
        lane_set = parse_lanes(_table(raw, "lanes", required=False), senior_age)
    except LaneError as error:
        raise ConfigError(str(error)) from None
    all_lanes = lane_set.codes   # the contract's four and the ones this office declared
    lane_names = {code: Names(lane_set.names[code]) for code in all_lanes}
    lane_notes = {code: Names(lane_set.notes[code]) for code in all_lanes if lane_set.notes.get(code)}

    booking_table = _table(raw, "booking", required=False)
    default_shape = _slot_shape(booking_table, "booking", SlotShape())
    slot_shapes: dict[str, SlotShape] = {}
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
        names = _names(item, "name", where)
        lanes = tuple(item.get("lanes", all_lanes))
        for lane in lanes:
            if lane not in all_lanes:
                raise ConfigError(f"{where}.lanes: unknown lane {lane!r} (known: {', '.join(all_lanes)})")
        if GENERAL not in lanes:
            raise ConfigError(f"{where}.lanes: must include 'general'")
        quota = item.get("daily_quota")
        if quota is not None:
            quota = _whole(quota, f"{where}.daily_quota", 1, 100000)
        lane_quotas = {}
        for lane, value in (item.get("lane_quotas") or {}).items():
            if lane not in lanes:
                raise ConfigError(f"{where}.lane_quotas.{lane}: not a lane of this service")
            lane_quotas[lane] = _whole(value, f"{where}.lane_quotas.{lane}", 1, 100000)
        services.append(ServiceConfig(code, names, prefix, lanes, quota, lane_quotas))
        if "slot_min" in item or "slot_capacity" in item:
            slot_shapes[code] = _slot_shape(item, where, default_shape)
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
                if lane not in all_lanes:
                    raise ConfigError(f"{where}.lanes: unknown lane {lane!r} (known: {', '.join(all_lanes)})")
            lanes = tuple(lanes)
        mode = item.get("mode", "strict")
        if mode not in COUNTER_MODES:
            raise ConfigError(f"{where}.mode: must be 'strict' or 'assisting'")
        counter_name = item.get("name") or f"Loket {number}"
        counters.append(CounterConfig(number, str(counter_name), tuple(counter_services), lanes, mode))
    _unique([c.number for c in counters], "counters", "number")
    for index, service in enumerate(services):
        for lane in service.lanes:
            if not any(service.code in c.services and (c.lanes is None or c.mode == "assisting" or lane in c.lanes)
                       for c in counters):
                raise ConfigError(f"services[{index}].lanes: no counter can call {service.code} tickets "
                                  f"in lane {lane!r}; add it to a counter's services")
    policy = _policy(_table(raw, "policy", required=False), codes, all_lanes)
    capacity = _table(raw, "capacity", required=False)
    max_inside = _whole(capacity.get("max_inside", 0), "capacity.max_inside", 0, 10000) or None
    invite_timeout = timedelta(minutes=_whole(capacity.get("invite_timeout_min", 10), "capacity.invite_timeout_min", 1, 240))
    hours = _hours(_table(raw, "hours", required=False))
    alternatives = tuple(_alternative(item, f"alternatives[{index}]") for index, item in enumerate(raw.get("alternatives", [])))
    screening = tuple(
        _language_table(item, f"screening.questions[{index}]")
        for index, item in enumerate(_table(raw, "screening", required=False).get("questions", []))
    )

    kiosk = _table(raw, "kiosk", required=False)
    idle = kiosk.get("idle_seconds", 20)
    if not isinstance(idle, int) or not 5 <= idle <= 600:
        raise ConfigError("kiosk.idle_seconds: must be a whole number from 5 to 600")
    rate_limit = kiosk.get("rate_limit", "60 per minute")
    if not isinstance(rate_limit, str) or not re.match(r"^\d+ per (second|minute|hour)$", rate_limit):
        raise ConfigError("kiosk.rate_limit: must read like '60 per minute'")
    paper_mm = kiosk.get("paper_mm", 80)
    if isinstance(paper_mm, bool) or paper_mm not in (80, 58):
        raise ConfigError("kiosk.paper_mm: must be 80 or 58 (the width of the ticket printer's paper roll in mm)")
    tickets = _table(raw, "tickets", required=False)
    token_days = tickets.get("token_days", 2)
    if not isinstance(token_days, int) or not 1 <= token_days <= 30:
        raise ConfigError("tickets.token_days: must be a whole number from 1 to 30")

    booking = _booking(booking_table, _table(raw, "online", required=False), default_shape, slot_shapes)
    return OfficeConfig(
        name=office_name,
        timezone=timezone,
        services=tuple(services),
        counters=tuple(sorted(counters, key=lambda c: c.number)),
        lane_names=lane_names,
        lane_notes=lane_notes,
        senior_age=senior_age,
        policy=policy,
        max_inside=max_inside,
        invite_timeout=invite_timeout,
        hours=hours,
        alternatives=alternatives,
        screening=screening,
        ticket_token_days=token_days,
        kiosk_idle_seconds=idle,
        kiosk_rate_limit=rate_limit,
        kiosk_paper_mm=paper_mm,
        booking=booking,
        notifications=_notifications(raw),
        display=_display(raw, services, counters),
        public_url=_public_url(office),
        survey=_checked(survey_settings, raw.get("survey")),
        privacy=_checked(privacy_settings, raw.get("privacy")),
        backup=_checked(backup_settings, raw.get("backup")),
    )


def _checked(parse, table):
    """A section parsed by its domain module, whose ValueError names the field."""
    try:
        return parse(table)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _display(raw: dict, services: list[ServiceConfig], counters: list[CounterConfig]) -> DisplaySettings:
    """The optional `[display]` table: what a call says aloud, and the screens' profiles."""
    try:
        return display_settings(raw.get("display"), tuple(service.code for service in services),
                                {counter.number: counter.services for counter in counters})
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _notifications(raw: dict) -> NotificationSettings | None:
    """The optional `[notifications]` table (the webhook of the office's own gateway); its
    links go to `office.public_url` unless it names an address of its own."""
    try:
        settings = settings_from_table(raw.get("notifications"))
    except ValueError as error:
        raise ConfigError(str(error)) from None
    office_url = _public_url(_table(raw, "office"))
    if settings is not None and settings.public_url is None and office_url:
        settings = replace(settings, public_url=office_url)
    return settings


def _public_url(office: dict) -> str | None:
    """`office.public_url`: the address visitors' phones open QR codes and links at."""
    try:
        return parse_public_url(office.get("public_url"), "office.public_url")
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _slot_shape(table: dict, where: str, default: SlotShape) -> SlotShape:
    """`slot_min` and `slot_capacity` of `[booking]` or of one service (which overrides it)."""
    length = table.get("slot_min")
    capacity = table.get("slot_capacity")
    return SlotShape(
        timedelta(minutes=_whole(length, f"{where}.slot_min", 5, 240)) if length is not None else default.length,
        _whole(capacity, f"{where}.slot_capacity", 1, 1000) if capacity is not None else default.capacity,
    )


def _share(table: dict, key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(f"{where}.{key}: must be a number from 0 to 1 (e.g. 0.5 for half)")
    return float(value)


def _booking(table: dict, online: dict, shape: SlotShape, per_service: dict[str, SlotShape]) -> BookingRules:
    """The `[booking]` and `[online]` tables; anything left out keeps its documented default."""
    defaults = BookingRules()
    for where, section in (("booking", table), ("online", online)):
        if not isinstance(section.get("enabled", False), bool):
            raise ConfigError(f"{where}.enabled: must be true or false")

    def minutes(key: str, default: timedelta, low: int, high: int) -> timedelta:
        if key not in table:
            return default
        return timedelta(minutes=_whole(table[key], f"booking.{key}", low, high))

    return BookingRules(
        enabled=table.get("enabled", False),
        window_days=_whole(table.get("window_days", defaults.window_days), "booking.window_days", 0, 90),
        cutoff=minutes("cutoff_min", defaults.cutoff, 0, 7 * 24 * 60),
        slot=shape,
        per_service=per_service,
        bookable_share=_share(table, "bookable_share", "booking", defaults.bookable_share),
        checkin_early=minutes("checkin_early_min", defaults.checkin_early, 0, 240),
        checkin_late=minutes("checkin_late_min", defaults.checkin_late, 0, 240),
        online_enabled=online.get("enabled", False),
        online_share=_share(online, "share", "online", defaults.online_share),
        online_max_per_day=_whole(online.get("max_per_day", defaults.online_max_per_day), "online.max_per_day",
                                  0, 100000),
        online_invite_timeout=timedelta(minutes=_whole(
            online.get("invite_timeout_min", int(defaults.online_invite_timeout.total_seconds() // 60)),
            "online.invite_timeout_min", 1, 240)),
    )


def _policy(table: dict, service_codes: set[str], lanes: tuple[str, ...]) -> PolicyConfig:
    """The `[policy]` table; anything left out keeps its documented default.

    A lane the office declared is a priority lane (class 0) unless `lane_classes` says otherwise:
    the lanes UU 25/2009 names are all owed special treatment.
    """
    defaults = PolicyConfig()
    lane_classes = {lane: DEFAULT_LANE_CLASSES.get(lane, 0) for lane in lanes}
    for lane, value in (table.get("lane_classes") or {}).items():
        if lane not in lanes:
            raise ConfigError(f"policy.lane_classes.{lane}: unknown lane (known: {', '.join(lanes)})")
        lane_classes[lane] = _whole(value, f"policy.lane_classes.{lane}", 0, 9)
    service_classes = {}
    for code, value in (table.get("service_classes") or {}).items():
        if code not in service_codes:
            raise ConfigError(f"policy.service_classes.{code}: unknown service")
        service_classes[code] = _whole(value, f"policy.service_classes.{code}", 0, 9)

    def minutes(key: str, default: timedelta | None, allow_off: bool = False) -> timedelta | None:
        if key not in table:
            return default
        value = table[key]
        if allow_off and value == 0:
            return None
        return timedelta(minutes=_whole(value, f"policy.{key}", 0 if allow_off else 1, 24 * 60))

    streak = table.get("max_priority_streak", defaults.max_priority_streak)
    return PolicyConfig(
        lane_classes=lane_classes,
        service_classes=service_classes,
        max_priority_streak=None if streak == 0 else _whole(streak, "policy.max_priority_streak", 0, 50),
        max_wait=minutes("max_wait_min", defaults.max_wait, allow_off=True),
        priority_head_start=minutes("priority_head_start_min", defaults.priority_head_start, allow_off=True),
        appointment_early=minutes("appointment_early_min", defaults.appointment_early),
        appointment_grace=minutes("appointment_grace_min", defaults.appointment_grace),
        no_show_return=minutes("no_show_return_min", defaults.no_show_return),
        no_show_max_returns=_whole(table.get("no_show_max_returns", defaults.no_show_max_returns),
                                   "policy.no_show_max_returns", 0, 10),
        max_recalls=_whole(table.get("max_recalls", defaults.max_recalls), "policy.max_recalls", 0, 20),
        max_defers=_whole(table.get("max_defers", defaults.max_defers), "policy.max_defers", 0, 10),
    )


def _hours(table: dict) -> ServiceHours:
    """The `[hours]` table; without one the office issues tickets around the clock."""
    if not table or table.get("always_open"):
        return ServiceHours(always_open=True)
    weekly = {}
    for index, day in enumerate(WEEKDAYS):
        windows = table.get(day, [])
        if not isinstance(windows, list):
            raise ConfigError(f"hours.{day}: list windows like [\"07:00-12:00\"]")
        try:
            weekly[index] = tuple(parse_window(str(window)) for window in windows)
        except ValueError:
            raise ConfigError(f"hours.{day}: windows read like \"07:00-12:00\" (end after start)") from None
    holidays = set()
    for text in table.get("holidays", []):
        try:
            holidays.add(date.fromisoformat(str(text)))
        except ValueError:
            raise ConfigError(f"hours.holidays: {text!r} is not a date like 2026-12-25") from None
    last_ticket = timedelta(minutes=_whole(table.get("last_ticket_min", 0), "hours.last_ticket_min", 0, 240))
    return ServiceHours(weekly, frozenset(holidays), last_ticket)


def _alternative(item, where: str) -> Alternative:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: must be a table")
    names = _names(item, "name", where)
    url = item.get("url")
    if url is not None and not (isinstance(url, str) and re.match(r"^https?://\S+$", url)):
        raise ConfigError(f"{where}.url: must start with http:// or https://")
    note = item.get("note")
    notes = _names(item, "note", where) if isinstance(note, str) and note.strip() else None
    return Alternative(names, url, notes)


def _names(table: dict, key: str, where: str) -> Names:
    """`key` is the Indonesian text; `key_<language>` adds a language (`name_en`, `name_jv`).

    An empty translation is left out, so the Indonesian text shows in that language.
    """
    texts = {DEFAULT_LANGUAGE: _text(table, key, f"{where}.{key}")}
    for field_name, value in table.items():
        if not field_name.startswith(f"{key}_"):
            continue
        language = field_name[len(key) + 1:]
        if language == DEFAULT_LANGUAGE:
            raise ConfigError(f"{where}.{field_name}: give the Indonesian text as {key}")
        if not LANGUAGE_CODE.match(language):
            raise ConfigError(f"{where}.{field_name}: {language!r} is not a language code like en or jv")
        if not isinstance(value, str):
            raise ConfigError(f"{where}.{field_name}: must be text")
        texts[language] = value.strip()
    return Names(texts)


def _language_table(table, where: str) -> Names:
    """A table of texts by language code, `{ id = "…", en = "…", jv = "…" }`; Indonesian is required."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: write the texts as {{ id = \"…\", en = \"…\" }}")
    texts = {DEFAULT_LANGUAGE: _text(table, DEFAULT_LANGUAGE, f"{where}.{DEFAULT_LANGUAGE}")}
    for language, value in table.items():
        if not LANGUAGE_CODE.match(language):
            raise ConfigError(f"{where}.{language}: {language!r} is not a language code like id, en or jv")
        if language != DEFAULT_LANGUAGE:
            texts[language] = _text(table, language, f"{where}.{language}")
    return Names(texts)


def _whole(value, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ConfigError(f"{where}: must be a whole number from {low} to {high}")
    return value


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
