"""The admin's office editor: office.toml in the browser, section by section, applied live.

Each section (office, services and counters, lanes, hours, screening, alternatives) is one
form that starts from the file as it is now and carries the file's version. Saving validates
with the rules the server applies at start (`parse_config`), writes office.toml (the previous
version kept), and applies it to the running server and every connected screen
(`shared/web/live_config.py`). A refusal comes back on the same form, in the admin's language,
next to the field it names: 422 for an invalid office or one today's queue forbids, 409
`config_changed` when the file was changed (by hand, or in another tab) since the form opened.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from shared.config_files import ConfigChanged
from shared.domain.config import ConfigError
from shared.domain.config_edits import ConfigInUse
from shared.i18n import N_
from shared.web import context
from shared.web.auth import current_staff, staff_required
from shared.web.live_config import current as live_config

from . import office_forms as forms
from .blueprint import SECTIONS as ADMIN_SECTIONS
from .blueprint import bp

ADMIN_SECTIONS.append(("admin.office_editor", N_("Office")))


@dataclass(frozen=True)
class Section:
    """One page of the editor: its title, template, and how its fields map to the file."""

    title: str
    template: str
    fields: Callable[[dict, tuple[str, ...]], dict]
    edit: Callable[[dict, object, tuple[str, ...]], forms.Edit]
    # Error paths that belong on this page (others are listed above the form only).
    owns: tuple[str, ...]


SECTIONS = {
    "office": Section(N_("Office"), "admin/office_office.html",
                      lambda raw, lanes: forms.office_fields(raw),
                      lambda raw, form, lanes: forms.office_edit(raw, form), ("office.", "capacity.")),
    "services": Section(N_("Services and counters"), "admin/office_services.html",
                        forms.services_fields, forms.services_edit, ("services", "counters")),
    "lanes": Section(N_("Lanes"), "admin/office_lanes.html", forms.lanes_fields, forms.lanes_edit, ("lanes.",)),
    "hours": Section(N_("Hours and holidays"), "admin/office_hours.html",
                     lambda raw, lanes: forms.hours_fields(raw),
                     lambda raw, form, lanes: forms.hours_edit(raw, form), ("hours.",)),
    "screening": Section(N_("Screening questions"), "admin/office_screening.html",
                         lambda raw, lanes: forms.screening_fields(raw),
                         lambda raw, form, lanes: forms.screening_edit(raw, form), ("screening",)),
    "alternatives": Section(N_("Alternatives"), "admin/office_alternatives.html",
                            lambda raw, lanes: forms.alternatives_fields(raw),
                            lambda raw, form, lanes: forms.alternatives_edit(raw, form), ("alternatives",)),
}


class Values:
    """The form's values for the template, from the file (a dict) or a sent form (a MultiDict)."""

    def __init__(self, source):
        self.source = source

    def get(self, name: str, default=""):
        value = self.source.get(name, default)
        return "" if value is None else value

    def getlist(self, name: str) -> list:
        if hasattr(self.source, "getlist"):
            return self.source.getlist(name)
        value = self.source.get(name, [])
        return list(value) if isinstance(value, (list, tuple)) else [value]

    def rows(self, prefix: str, key: str) -> list[int]:
        return forms._rows(self.source, prefix, key)


@bp.route("/admin/office", methods=["GET", "POST"], defaults={"section": "office"})
@bp.route("/admin/office/<section>", methods=["GET", "POST"])
@staff_required("admin")
def office_editor(section: str):
    """Admin: one section of office.toml as a form; saving applies it without a restart."""
    chosen = SECTIONS.get(section)
    if chosen is None:
        abort(404)
    live = live_config()
    draft = live.draft()
    lanes = context.office().config.lanes
    if draft.raw is None:   # not TOML at all: only a hand edit can fix it
        problem = gettext("office.toml cannot be read (%(problem)s). Fix it by hand: the running office stays "
                          "as it was until then.", problem=draft.error)
        return _render(section, chosen, None, draft.version, {"": problem},
                       status=409 if request.method == "POST" else 200)
    if request.method == "GET":
        errors = {}
        if draft.error:
            errors = _config_error(draft.error, forms.Edit(draft.raw), chosen)
        return _render(section, chosen, Values(chosen.fields(draft.raw, lanes)), draft.version, errors)

    version = request.form.get("version", "")
    edit = chosen.edit(draft.raw, request.form, lanes)
    try:
        live.save(context.db(), edit.raw, version, by=current_staff(), section=section)
    except ConfigChanged as error:
        return _render(section, chosen, Values(request.form), version, {"": gettext(error.message)}, status=409)
    except ConfigError as error:
        return _render(section, chosen, Values(request.form), version, _config_error(str(error), edit, chosen),
                       status=422)
    except ConfigInUse as error:
        errors = {}
        for refusal in error.refusals:
            path = refusal.path(draft.raw)
            errors.setdefault(path, gettext(refusal.message, **dict(refusal.details)))
        return _render(section, chosen, Values(request.form), version, errors, status=422)
    flash(gettext("Saved. Kiosks, displays and consoles show the change now."), "ok")
    return redirect(url_for("admin.office_editor", section=section) if section != "office"
                    else url_for("admin.office_editor"))


def _config_error(message: str, edit: forms.Edit, section: Section) -> dict[str, str]:
    """A ConfigError as {form field: text in the admin's language}; "" for the page as a whole."""
    path, detail = forms.split_error(message)
    path = edit.form_path(path)
    text = forms.error_text(path, detail, gettext)
    if path and path.startswith(section.owns):
        return {path: text}
    return {"": gettext("office.toml: %(field)s: %(problem)s", field=path, problem=text) if path else text}


def _render(name: str, section: Section, values: Values, version: str, errors: dict[str, str], status: int = 200):
    office = context.office()
    return render_template(
        section.template, sections=SECTIONS, section_name=name, section=section, values=values,
        version=version, errors=errors, lanes=office.config.lanes,
        lane_name=lambda lane: office.config.lane_name(lane, context.language()),
        timezones=forms.TIMEZONES, modes=forms.COUNTER_MODES, new_service=forms.NEW_SERVICE,
        weekdays=WEEKDAY_NAMES, contract_lanes=CONTRACT_LANES,
        lane_defaults={lane: office.config.lane_names[lane].get("id") for lane in office.config.lanes},
        field_id=field_id,
    ), status


def field_id(path: str) -> str:
    """An element id for a field path (`services[2].prefix` → `f-services-2-prefix`)."""
    return "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


WEEKDAY_NAMES = (("monday", N_("Monday")), ("tuesday", N_("Tuesday")), ("wednesday", N_("Wednesday")),
                 ("thursday", N_("Thursday")), ("friday", N_("Friday")), ("saturday", N_("Saturday")),
                 ("sunday", N_("Sunday")))
CONTRACT_LANES = forms.LANES
