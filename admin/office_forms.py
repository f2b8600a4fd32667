"""The office editor's forms: office.toml's sections as form fields and back, and its errors.

Every input is named by its path in office.toml (`services[2].prefix`, `hours.monday`), the
path `parse_config` names in its errors, so an error lands next to its field without a
mapping table. A list section (services, counters, alternatives, screening questions) shows
the items of the file in order and one empty item to add; a ticked "remove" leaves an item
out. Rows are the form's numbering; `Edit.rows` turns the index of the edited list back into
the row the admin sees.

Each section edits only its own keys and starts from the file as it is: settings the form does
not show (slot lengths, other languages' names, the policy) are kept. Removing a service, lane
or counter also removes the references to it elsewhere in the file (a counter's services, the
policy's classes, display profiles), which the admin could not reach from this form.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from shared.domain.hours import WEEKDAYS
from shared.domain.model import LANES
from shared.i18n import N_

NEW_SERVICE = "@new"   # a counter's choice of the service added in the same save
TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
COUNTER_MODES = ("strict", "assisting")


@dataclass
class Edit:
    """An edited office file, and for each list the form row of each item kept."""

    raw: dict
    rows: dict[str, list[int]] = field(default_factory=dict)

    def form_path(self, path: str) -> str:
        """A path in the edited file as the form names it (`services[5]` → the row shown)."""
        match = re.match(r"^(services|counters|alternatives|screening\.questions)\[(\d+)\](.*)$", path)
        if not match or match.group(1) not in self.rows:
            return path
        rows = self.rows[match.group(1)]
        index = int(match.group(2))
        return f"{match.group(1)}[{rows[index] if index < len(rows) else index}]{match.group(3)}"


# -- values ------------------------------------------------------------------------------

def whole(text: str | None):
    """A typed number as an int; anything else as typed, so the validator names the field."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"-?\d{1,9}", text) else text


def _set(table: dict, key: str, value) -> None:
    """Set a key, or remove it when the admin left the field empty (its default applies)."""
    if value is None or value == "" or (isinstance(value, (list, dict)) and not value):
        table.pop(key, None)
    else:
        table[key] = value


def _chosen(before, chosen: list) -> list:
    """Ticked values in the order the file had them, newly ticked ones after: an untouched form
    leaves the file as it was."""
    before = [value for value in (before or []) if value in chosen]
    return before + [value for value in chosen if value not in before]


def _rows(form, prefix: str, key: str) -> list[int]:
    """The row numbers the form holds for a list (`services[3].code` → 3), in order."""
    pattern = re.compile(rf"^{re.escape(prefix)}\[(\d+)\]\.{re.escape(key)}$")
    return sorted({int(match.group(1)) for name in form.keys() if (match := pattern.match(name))})


def _text(form, name: str) -> str:
    return (form.get(name) or "").strip()


# -- the office section ------------------------------------------------------------------

def office_fields(raw: dict) -> dict:
    office, capacity = raw.get("office", {}), raw.get("capacity", {})
    return {
        "office.name": office.get("name", ""),
        "office.timezone": office.get("timezone", "Asia/Jakarta"),
        "office.senior_age": office.get("senior_age", ""),
        "office.public_url": office.get("public_url", ""),
        "capacity.max_inside": capacity.get("max_inside", ""),
        "capacity.invite_timeout_min": capacity.get("invite_timeout_min", ""),
    }


def office_edit(raw: dict, form) -> Edit:
    edited = copy.deepcopy(raw)
    office = edited.setdefault("office", {})
    office["name"] = _text(form, "office.name")
    office["timezone"] = _text(form, "office.timezone")
    _set(office, "senior_age", whole(form.get("office.senior_age")))
    if "public_url" in office or _text(form, "office.public_url"):
        office["public_url"] = _text(form, "office.public_url")
    capacity = edited.setdefault("capacity", {})
    _set(capacity, "max_inside", whole(form.get("capacity.max_inside")))
    _set(capacity, "invite_timeout_min", whole(form.get("capacity.invite_timeout_min")))
    if not capacity:
        edited.pop("capacity")
    return Edit(edited)


# -- services and counters -----------------------------------------------------------------

def services_fields(raw: dict, lanes: tuple[str, ...]) -> dict:
    """The services and counters of the file as form values (lists as lists)."""
    values: dict = {}
    for row, service in enumerate(raw.get("services", [])):
        where = f"services[{row}]"
        values.update({f"{where}.code": service.get("code", ""), f"{where}.name": service.get("name", ""),
                       f"{where}.name_en": service.get("name_en", ""), f"{where}.prefix": service.get("prefix", ""),
                       f"{where}.lanes": list(service.get("lanes", lanes)),
                       f"{where}.daily_quota": service.get("daily_quota", ""), f"{where}.existing": "1"})
        for lane, quota in (service.get("lane_quotas") or {}).items():
            values[f"{where}.lane_quotas.{lane}"] = quota
    _blank(values, "services", len(raw.get("services", [])), "code", {"lanes": [lane for lane in lanes
                                                                                if lane == "general"]})
    for row, counter in enumerate(raw.get("counters", [])):
        where = f"counters[{row}]"
        values.update({f"{where}.number": counter.get("number", ""), f"{where}.name": counter.get("name", ""),
                       f"{where}.services": list(counter.get("services", [])),
                       f"{where}.lanes": list(counter.get("lanes") or []),
                       f"{where}.mode": counter.get("mode", "strict"), f"{where}.existing": "1"})
    _blank(values, "counters", len(raw.get("counters", [])), "number", {"mode": "strict"})
    return values


def _blank(values: dict, section: str, row: int, key: str, defaults: dict) -> None:
    values[f"{section}[{row}].{key}"] = ""
    for name, value in defaults.items():
        values[f"{section}[{row}].{name}"] = value


def services_edit(raw: dict, form, lanes: tuple[str, ...]) -> Edit:
    edited = copy.deepcopy(raw)
    old_services = raw.get("services", [])
    services, service_rows, new_code = [], [], None
    for row in _rows(form, "services", "code"):
        where = f"services[{row}]"
        existing = old_services[row] if form.get(f"{where}.existing") and row < len(old_services) else None
        if existing is None and not any(_text(form, f"{where}.{key}") for key in ("code", "name", "prefix")):
            continue   # the empty row for a new service, left empty
        if existing is not None and form.get(f"{where}.remove"):
            continue
        service = copy.deepcopy(existing) if existing is not None else {}
        service["code"] = existing["code"] if existing is not None else _text(form, f"{where}.code")
        if existing is None:
            new_code = service["code"]
        service["name"] = _text(form, f"{where}.name")
        _set(service, "name_en", _text(form, f"{where}.name_en"))
        service["prefix"] = _text(form, f"{where}.prefix").upper()
        service["lanes"] = _chosen((existing or {}).get("lanes"),
                                   [lane for lane in lanes if lane in form.getlist(f"{where}.lanes")])
        if existing is not None and "lanes" not in existing and service["lanes"] == list(lanes):
            del service["lanes"]   # "every lane" stays unwritten, so a lane added later is included
        _set(service, "daily_quota", whole(form.get(f"{where}.daily_quota")))
        quotas = {lane: whole(form.get(f"{where}.lane_quotas.{lane}")) for lane in lanes
                  if _text(form, f"{where}.lane_quotas.{lane}")}
        _set(service, "lane_quotas", quotas)
        services.append(service)
        service_rows.append(row)
    edited["services"] = services

    old_counters = raw.get("counters", [])
    counters, counter_rows = [], []
    for row in _rows(form, "counters", "number"):
        where = f"counters[{row}]"
        existing = old_counters[row] if form.get(f"{where}.existing") and row < len(old_counters) else None
        if existing is None and not _text(form, f"{where}.number"):
            continue
        if existing is not None and form.get(f"{where}.remove"):
            continue
        counter = copy.deepcopy(existing) if existing is not None else {}
        counter["number"] = existing["number"] if existing is not None else whole(form.get(f"{where}.number"))
        _set(counter, "name", _text(form, f"{where}.name"))
        chosen = form.getlist(f"{where}.services")
        counter["services"] = _chosen(counter.get("services"), [new_code if code == NEW_SERVICE else code
                                                                for code in chosen if code != NEW_SERVICE or new_code])
        _set(counter, "lanes", _chosen(counter.get("lanes"),
                                       [lane for lane in lanes if lane in form.getlist(f"{where}.lanes")]))
        mode = _text(form, f"{where}.mode") or "strict"
        if mode != "strict" or "mode" in counter:   # strict, the default, is left unwritten
            counter["mode"] = mode
        counters.append(counter)
        counter_rows.append(row)
    edited["counters"] = counters
    prune(edited, raw)
    return Edit(edited, {"services": service_rows, "counters": counter_rows})


# -- lanes -------------------------------------------------------------------------------------

LANE_KEYS = ("id", "en", "note_id", "note_en")


def lanes_fields(raw: dict, lanes: tuple[str, ...]) -> dict:
    table = raw.get("lanes", {})
    values: dict = {"lanes.@new.code": ""}
    for lane in lanes:
        for key in LANE_KEYS:
            values[f"lanes.{lane}.{key}"] = (table.get(lane) or {}).get(key, "")
    return values


def lanes_edit(raw: dict, form, lanes: tuple[str, ...]) -> Edit:
    edited = copy.deepcopy(raw)
    table = edited.setdefault("lanes", {})
    for lane in lanes:
        if lane not in LANES and form.get(f"lanes.{lane}.remove"):
            table.pop(lane, None)
            continue
        entry = table.get(lane, {})
        for key in LANE_KEYS:
            _set(entry, key, _text(form, f"lanes.{lane}.{key}"))
        if entry:
            table[lane] = entry
        else:
            table.pop(lane, None)   # a contract lane left empty keeps its built-in names
    code = _text(form, "lanes.@new.code")
    if code:
        entry = {key: _text(form, f"lanes.@new.{key}") for key in LANE_KEYS if _text(form, f"lanes.@new.{key}")}
        table[code] = entry
    if not table:
        edited.pop("lanes")
    prune(edited, raw)
    return Edit(edited)


# -- hours and holidays ----------------------------------------------------------------------------

def hours_fields(raw: dict) -> dict:
    table = raw.get("hours", {})
    values = {f"hours.{day}": ", ".join(table.get(day, [])) for day in WEEKDAYS}
    values["hours.always_open"] = "1" if table.get("always_open") or not table else ""
    values["hours.holidays"] = "\n".join(str(day) for day in table.get("holidays", []))
    values["hours.last_ticket_min"] = table.get("last_ticket_min", "")
    return values


def hours_edit(raw: dict, form) -> Edit:
    edited = copy.deepcopy(raw)
    table = edited.setdefault("hours", {})
    for day in WEEKDAYS:
        _set(table, day, [window.strip() for window in re.split(r"[,;\n]", form.get(f"hours.{day}") or "")
                          if window.strip()])
    _set(table, "holidays", [day.strip() for day in re.split(r"[,;\s]+", form.get("hours.holidays") or "")
                             if day.strip()])
    _set(table, "last_ticket_min", whole(form.get("hours.last_ticket_min")))
    if form.get("hours.always_open"):
        table["always_open"] = True
    elif "always_open" in table:
        table["always_open"] = False
    return Edit(edited)


# -- screening questions and alternatives ---------------------------------------------------------

def screening_fields(raw: dict) -> dict:
    questions = (raw.get("screening") or {}).get("questions", [])
    values = {}
    for row, question in enumerate(questions):
        values.update({f"screening.questions[{row}].id": question.get("id", ""),
                       f"screening.questions[{row}].en": question.get("en", ""),
                       f"screening.questions[{row}].existing": "1"})
    values.update({f"screening.questions[{len(questions)}].id": "", f"screening.questions[{len(questions)}].en": ""})
    return values


def screening_edit(raw: dict, form) -> Edit:
    edited = copy.deepcopy(raw)
    old = (raw.get("screening") or {}).get("questions", [])
    questions, rows = [], []
    for row in _rows(form, "screening.questions", "id"):
        where = f"screening.questions[{row}]"
        existing = old[row] if form.get(f"{where}.existing") and row < len(old) else None
        if form.get(f"{where}.remove") or (existing is None and not _text(form, f"{where}.id")
                                           and not _text(form, f"{where}.en")):
            continue
        question = copy.deepcopy(existing) if existing is not None else {}
        question["id"] = _text(form, f"{where}.id")
        _set(question, "en", _text(form, f"{where}.en"))
        questions.append(question)
        rows.append(row)
    screening = edited.setdefault("screening", {})
    _set(screening, "questions", questions)
    if not screening:
        edited.pop("screening")
    return Edit(edited, {"screening.questions": rows})


ALTERNATIVE_KEYS = ("name", "name_en", "url", "note", "note_en")


def alternatives_fields(raw: dict) -> dict:
    items = raw.get("alternatives", [])
    values = {}
    for row, item in enumerate(items):
        values.update({f"alternatives[{row}].{key}": item.get(key, "") for key in ALTERNATIVE_KEYS})
        values[f"alternatives[{row}].existing"] = "1"
    values.update({f"alternatives[{len(items)}].{key}": "" for key in ALTERNATIVE_KEYS})
    return values


def alternatives_edit(raw: dict, form) -> Edit:
    edited = copy.deepcopy(raw)
    old = raw.get("alternatives", [])
    items, rows = [], []
    for row in _rows(form, "alternatives", "name"):
        where = f"alternatives[{row}]"
        existing = old[row] if form.get(f"{where}.existing") and row < len(old) else None
        if form.get(f"{where}.remove") or (existing is None and not any(
                _text(form, f"{where}.{key}") for key in ALTERNATIVE_KEYS)):
            continue
        item = copy.deepcopy(existing) if existing is not None else {}
        item["name"] = _text(form, f"{where}.name")
        for key in ALTERNATIVE_KEYS[1:]:
            _set(item, key, _text(form, f"{where}.{key}"))
        items.append(item)
        rows.append(row)
    _set(edited, "alternatives", items)
    return Edit(edited, {"alternatives": rows})


# -- references to what was removed ------------------------------------------------------------------

def prune(edited: dict, raw: dict) -> None:
    """Drop references to services, counters and lanes this edit removed, from the places the
    form does not show (the policy, display profiles) and from the counters and services."""
    def codes(items, key):
        return {item.get(key) for item in items or [] if isinstance(item, dict)}

    gone_services = codes(raw.get("services"), "code") - codes(edited.get("services"), "code")
    gone_counters = codes(raw.get("counters"), "number") - codes(edited.get("counters"), "number")
    gone_lanes = set((raw.get("lanes") or {})) - set((edited.get("lanes") or {})) - set(LANES)
    for counter in edited.get("counters", []):
        if gone_services and "services" in counter:
            counter["services"] = [code for code in counter["services"] if code not in gone_services]
        if gone_lanes and counter.get("lanes"):
            counter["lanes"] = [lane for lane in counter["lanes"] if lane not in gone_lanes]
            if not counter["lanes"]:
                del counter["lanes"]
    for service in edited.get("services", []):
        if gone_lanes and "lanes" in service:
            service["lanes"] = [lane for lane in service["lanes"] if lane not in gone_lanes]
        for lane in gone_lanes & set(service.get("lane_quotas") or {}):
            del service["lane_quotas"][lane]
    policy = edited.get("policy") or {}
    for key, gone in (("service_classes", gone_services), ("lane_classes", gone_lanes)):
        for code in gone & set(policy.get(key) or {}):
            del policy[key][code]
    for profile in ((edited.get("display") or {}).get("profiles") or {}).values():
        if isinstance(profile, dict):
            for key, gone in (("services", gone_services), ("counters", gone_counters)):
                if isinstance(profile.get(key), list):
                    profile[key] = [item for item in profile[key] if item not in gone]


# -- errors in the admin's language ------------------------------------------------------------------

# What `parse_config` says, as the form says it (a catalog msgid; named groups fill it in).
ERROR_TEXTS = (
    (r"required text", N_("Required.")),
    (r"must be a whole number from (?P<low>-?\d+) to (?P<high>\d+)", N_("Enter a whole number from %(low)s to %(high)s.")),
    (r".* must be lower-case letters, digits or _ \(at most 32\)",
     N_("Use lower-case letters, digits or _ (at most 32), starting with a letter.")),
    (r".* must be one capital letter A-Z", N_("Use one capital letter A-Z.")),
    (r"unknown lane '(?P<lane>[^']*)' .*", N_("Unknown lane %(lane)s.")),
    (r"must include 'general'", N_("Every service needs the general lane.")),
    (r"not a lane of this service", N_("A quota for a lane this service does not have.")),
    (r"'?(?P<value>.*?)'? is used twice", N_("%(value)s is used twice.")),
    (r"list at least one service code", N_("Choose at least one service.")),
    (r"unknown service '(?P<code>[^']*)'", N_("Unknown service %(code)s.")),
    (r"must be 'strict' or 'assisting'", N_("Choose strict or assisting.")),
    (r"no counter can call (?P<service>\S+) tickets in lane '(?P<lane>[^']*)'.*",
     N_("No counter calls %(service)s tickets in the lane %(lane)s: tick this service at a counter for that lane.")),
    (r"unknown time zone .*", N_("Choose Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT).")),
    (r"(windows read like|list windows like) .*", N_("Write the hours like 07:00-12:00, 13:00-15:00 (the end after the start).")),
    (r"'(?P<value>[^']*)' is not a date like 2026-12-25", N_("%(value)s is not a date like 2026-12-25.")),
    (r"must start with http:// or https://.*", N_("Start the address with http:// or https://.")),
    (r"the lane's name in Indonesian is required", N_("Required.")),
    (r"must be a text of 1 to 120 characters", N_("Write 1 to 120 characters.")),
    (r"at least one \[\[services\]\] table is required", N_("Keep at least one service.")),
    (r"at least one \[\[counters\]\] table is required", N_("Keep at least one counter.")),
)
PUBLIC_URL_TEXT = N_("Write the address phones open this server at, like http://192.168.1.10:5000 (no path).")


def split_error(message: str) -> tuple[str, str]:
    """`services[2].prefix: 'x' must be…` → (path, detail)."""
    path, separator, detail = message.partition(": ")
    if not separator or " " in path:
        return "", message
    return path, detail


def error_text(path: str, detail: str, gettext) -> str:
    """The error in the admin's language: a known detail translated, else the detail as said."""
    if path == "office.public_url":
        return gettext(PUBLIC_URL_TEXT)
    for pattern, msgid in ERROR_TEXTS:
        match = re.fullmatch(pattern, detail)
        if match:
            return gettext(msgid, **match.groupdict())
    return detail
