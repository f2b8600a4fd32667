"""Scenario files: a TOML office file plus a `[simulation]` table, read into an engine `Scenario`.

A scenario exists so the policy is judged on a day that looks like the office's own; this module
finds it (a path, or a name shipped in shared/scenarios/ such as `mpp`) and validates it field by
field. Errors name the file and the field, as office.toml errors do, because a person edits these.
The office part goes through `parse_config` unchanged; only the day is read here, its optional
`[simulation.bookings]` included. Nothing is simulated here: the result is handed to `engine.compare`.
"""
from __future__ import annotations

import tomllib
from collections.abc import Sequence
from datetime import date as Date
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from ..domain.config import ConfigError, OfficeConfig, parse_config
from ..domain.model import LANES
from .engine import Bookings, Day, Scenario, Stream, _clock

# The shipped scenarios sit beside this package in shared/, not inside it.
SCENARIOS = Path(__file__).parent.parent / "scenarios"


def shipped_scenarios() -> list[str]:
    """Names of the scenarios that ship with Antrean, for `antrean simulate NAME` and its errors."""
    return sorted(path.stem for path in SCENARIOS.glob("*.toml"))


def scenario_path(name_or_path: str | Path) -> Path:
    """Resolve a path or a shipped name such as `mpp`, so users need not know where the package lives."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = SCENARIOS / f"{name_or_path}.toml"
    if str(name_or_path) in shipped_scenarios() and shipped.is_file():
        return shipped
    raise ConfigError(f"{name_or_path}: no such scenario file or shipped scenario "
                      f"(shipped: {', '.join(shipped_scenarios())})")


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Read and validate a scenario; errors name the file and field, as office.toml errors do."""
    path = scenario_path(name_or_path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path.name}: not valid TOML: {error}") from None
    try:
        return parse_scenario(raw, path.stem)
    except ConfigError as error:
        raise ConfigError(f"{path.name}: {error}") from None


def parse_scenario(raw: dict, name: str = "scenario") -> Scenario:
    """Validate the office part with `parse_config` (so `[policy]` means what it means in office.toml), then the day."""
    office = parse_config(raw)
    sim = raw.get("simulation")
    if not isinstance(sim, dict):
        raise ConfigError("simulation: a [simulation] table is required")
    day_date = sim.get("date", "2026-11-25")
    if isinstance(day_date, str):
        try:
            day_date = Date.fromisoformat(day_date)
        except ValueError:
            raise ConfigError("simulation.date: must read like 2026-11-25") from None
    if not isinstance(day_date, Date) or isinstance(day_date, datetime):
        raise ConfigError("simulation.date: must read like 2026-11-25")
    opening = _minutes_of_day(sim.get("open"), "simulation.open")
    closing = _minutes_of_day(sim.get("close"), "simulation.close")
    if closing <= opening:
        raise ConfigError("simulation.close: must be after simulation.open")
    hard_stop = _minutes_of_day(sim.get("hard_stop", "23:59"), "simulation.hard_stop")
    if hard_stop < closing:
        raise ConfigError("simulation.hard_stop: must not be before simulation.close")

    profile = _profile(sim.get("profile", [[_clock(opening), _clock(closing), 1]]), "simulation.profile",
                       opening, closing)
    default_shares = sim.get("lanes", {"general": 1})
    streams: list[Stream] = []
    times: dict[str, tuple[float, float]] = {}
    services = sim.get("services")
    if not isinstance(services, dict) or not services:
        raise ConfigError("simulation.services: give at least one [simulation.services.<code>] table")
    for code, table in services.items():
        where = f"simulation.services.{code}"
        service = office.service(code)
        if service is None:
            raise ConfigError(f"{where}: unknown service")
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: must be a table")
        visitors = _number(table.get("visitors"), f"{where}.visitors", 0, 100_000)
        mean = _number(table.get("service_min"), f"{where}.service_min", 0.05, 24 * 60)
        sd = _number(table.get("service_sd_min", 0), f"{where}.service_sd_min", 0, 24 * 60)
        times[code] = (mean, sd)
        shares = _shares(table.get("lanes"), default_shares, service.lanes, f"{where}.lanes")
        windows = profile if "profile" not in table else _profile(table["profile"], f"{where}.profile",
                                                                 opening, closing)
        weight_hours = sum((end - start) / 60 * weight for start, end, weight in windows)
        for lane, share in shares.items():
            windows_rates = tuple((start, end, visitors * share * weight / weight_hours)
                                  for start, end, weight in windows)
            streams.append(Stream(code, lane, windows_rates))

    breaks: dict[int, list[tuple[float, float]]] = {}
    for index, item in enumerate(sim.get("breaks", [])):
        where = f"simulation.breaks[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: must be a table with counter, start and end")
        number = item.get("counter")
        if office.counter(number) is None:
            raise ConfigError(f"{where}.counter: no counter number {number!r} in [[counters]]")
        start = _minutes_of_day(item.get("start"), f"{where}.start")
        end = _minutes_of_day(item.get("end"), f"{where}.end")
        if not opening <= start < end <= hard_stop:
            raise ConfigError(f"{where}: must start at or after simulation.open and end after its start")
        breaks.setdefault(number, []).append((start, end))

    patience = _number(sim.get("patience_mean_min", 0), "simulation.patience_mean_min", 0, 24 * 60)
    seed = sim.get("seed", 1)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ConfigError("simulation.seed: must be a whole number")
    day = Day(day_date, ZoneInfo(office.timezone), opening, closing, hard_stop,
              _number(sim.get("no_show_cost_min", 1), "simulation.no_show_cost_min", 0, 60))
    return Scenario(
        name=name,
        office=office,
        day=day,
        streams=tuple(streams),
        service_times=times,
        breaks={number: tuple(sorted(spans)) for number, spans in breaks.items()},
        no_show=_number(sim.get("no_show", 0), "simulation.no_show", 0, 1),
        patience_mean=patience or None,
        seed=seed,
        bookings=_bookings(sim.get("bookings"), office, opening, closing),
    )


_BOOKING_FIELDS = ("share", "slot_min", "no_show", "arrive_early_min", "arrive_sd_min")


def _bookings(raw, office: OfficeConfig, opening: float, closing: float) -> Bookings | None:
    """`[simulation.bookings]`: who books and how they come; left out, the day has walk-ins only.

    Slots default to the office file's `[booking]` slot length per service, so the day is cut as
    the product cuts it; `slot_min` here overrides it for every service. The table is new and
    short, so an unknown key is an error rather than a silently ignored typo.
    """
    where = "simulation.bookings"
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be a table with share and, optionally, {', '.join(_BOOKING_FIELDS[1:])}")
    for key in raw:
        if key not in _BOOKING_FIELDS:
            raise ConfigError(f"{where}.{key}: unknown field (known: {', '.join(_BOOKING_FIELDS)})")
    if "share" not in raw:
        raise ConfigError(f"{where}.share: required, the fraction of visitors who book (e.g. 0.3)")
    share = _number(raw["share"], f"{where}.share", 0, 1)
    if "slot_min" in raw:
        length = _number(raw["slot_min"], f"{where}.slot_min", 5, 240)
        slot_min = {service.code: length for service in office.services}
    else:
        slot_min = {service.code: office.booking.shape(service.code).length.total_seconds() / 60
                    for service in office.services}
    for code, length in slot_min.items():
        if length > closing - opening:
            raise ConfigError(f"{where}.slot_min: a {length:g}-minute slot of {code} does not fit between "
                              f"simulation.open and simulation.close")
    return Bookings(
        share=share,
        slot_min=slot_min,
        no_show=_number(raw.get("no_show", 0), f"{where}.no_show", 0, 1),
        early_mean=_number(raw.get("arrive_early_min", 10), f"{where}.arrive_early_min", -240, 240),
        early_sd=_number(raw.get("arrive_sd_min", 10), f"{where}.arrive_sd_min", 0, 240),
    )


def _minutes_of_day(value, where: str) -> float:
    if isinstance(value, time):
        return value.hour * 60 + value.minute + value.second / 60
    if isinstance(value, str):
        try:
            hours, minutes = value.split(":")
            hours, minutes = int(hours), int(minutes)
        except ValueError:
            hours = minutes = -1
        if 0 <= hours <= 24 and 0 <= minutes < 60 and hours * 60 + minutes <= 24 * 60:
            return float(hours * 60 + minutes)
    raise ConfigError(f"{where}: must be a time of day like \"07:30\"")


def _number(value, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{where}: must be a number from {low:g} to {high:g}")
    return float(value)


def _profile(raw, where: str, opening: float, closing: float) -> tuple[tuple[float, float, float], ...]:
    """Relative arrival rates per window, because visitors bunch in the morning rather than arrive evenly."""
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{where}: list windows like [\"08:00\", \"09:00\", 1.0]")
    windows = []
    previous_end = opening
    for index, item in enumerate(raw):
        if not isinstance(item, list) or len(item) != 3:
            raise ConfigError(f"{where}[{index}]: must be [start, end, weight]")
        start = _minutes_of_day(item[0], f"{where}[{index}]")
        end = _minutes_of_day(item[1], f"{where}[{index}]")
        weight = _number(item[2], f"{where}[{index}]", 0, 1000)
        if not previous_end <= start < end <= closing:
            raise ConfigError(f"{where}[{index}]: windows must follow one another within opening hours")
        windows.append((start, end, weight))
        previous_end = end
    if sum((end - start) * weight for start, end, weight in windows) <= 0:
        raise ConfigError(f"{where}: at least one window needs a weight above 0")
    return tuple(windows)


def _shares(raw, default, allowed: Sequence[str], where: str) -> dict[str, float]:
    """Lane shares normalised to 1 over the lanes the service offers, so a kiosk could really issue them."""
    given = raw is not None
    table = raw if given else default
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table like {{ general = 0.85, senior = 0.1 }}")
    shares = {}
    for lane, value in table.items():
        if lane not in LANES:
            raise ConfigError(f"{where}.{lane}: unknown lane (known: {', '.join(LANES)})")
        if lane not in allowed:
            if given:
                raise ConfigError(f"{where}.{lane}: the service does not offer this lane")
            continue
        shares[lane] = _number(value, f"{where}.{lane}", 0, 1000)
    total = sum(shares.values())
    if total <= 0:
        raise ConfigError(f"{where}: at least one lane needs a share above 0")
    return {lane: value / total for lane, value in shares.items() if value > 0}
