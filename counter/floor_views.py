"""The supervisor's floor page (`/counter/floor`) and its forms, and the console's silent alarm.

The page shows `GET /api/floor` and stays live over the `/floor` namespace: on every `floor`
event it re-fetches its live part (`/counter/floor/panel`). Each form posts, flashes what
happened (or why not) and comes back to the floor, as the console's buttons do.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from shared.domain.errors import DomainError, InvalidRequest
from shared.i18n import N_
from shared.services import alarms, announcements
from shared.services import capacity as capacity_service
from shared.services import floor as floor_service
from shared.web import context
from shared.web.auth import current_staff, staff_required

from .blueprint import bp

# The words the page script shows, in the page's language (placeholders filled in by the script).
SCRIPT_TEXTS = {"soundOn": N_("Sound on"), "alarmAt": N_("%(counter)s · %(username)s · %(time)s"),
                "alarmTitle": N_("Silent alarm")}
STATE_DONE = {
    "open": N_("%(counter)s is open."), "paused": N_("%(counter)s is on a break."),
    "closed": N_("%(counter)s is closed."),
}


def _floor_context() -> dict:
    office = context.office()
    config = office.config

    def hhmm(moment: str | None) -> str:
        return f"{datetime.fromisoformat(moment):%H:%M}" if moment else ""

    return {
        "floor": context.screens().floor(context.db()),
        "counter_names": {counter.number: counter.name for counter in config.counters},
        "services": config.services,
        "lanes": config.lanes,
        "hhmm": hhmm,
        "me": current_staff(),
        "max_length": 200,
        "script_texts": {key: gettext(text) for key, text in SCRIPT_TEXTS.items()},
    }


@bp.get("/counter/floor")
@staff_required("supervisor")
def floor():
    """The supervisor's dashboard: every counter, the lines, the day; steer the floor from here."""
    return render_template("counter/floor.html", **_floor_context())


@bp.get("/counter/floor/panel")
@staff_required("supervisor")
def floor_panel():
    """The live part of the floor, re-fetched on every `floor` event."""
    return render_template("counter/_floor_panel.html", **_floor_context())


def _form_int(name: str) -> int:
    value = request.form.get(name, "").strip()
    if not value.isdigit() or len(value) > 6:
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
    return int(value)


def _done(action: Callable[[], str]):
    """Run one floor form's action: its message, or the refusal, shown on the floor."""
    try:
        flash(action(), "info")
    except DomainError as error:
        flash(gettext(error.message, **error.details), "error")
    return redirect(url_for("counter.floor"))


def _counter_name(number: int) -> str:
    found = context.office().config.counter(number)
    return found.name if found else str(number)


@bp.post("/counter/floor/counters/<int:number>/state")
@staff_required("supervisor")
def floor_state(number: int):
    """Open, pause or close a counter from the floor (field `state`)."""

    def act() -> str:
        state = request.form.get("state", "")
        floor_service.set_counter_state(context.office(), context.db(), number, state, staff=current_staff())
        return gettext(STATE_DONE[state], counter=_counter_name(number))

    return _done(act)


@bp.post("/counter/floor/lines")
@staff_required("supervisor")
def floor_lines():
    """Counter `counter` also serves another counter's line (field `add`), or no longer (`remove`)."""

    def act() -> str:
        number = _form_int("counter")
        serve = "remove" not in request.form
        line = _form_int("add" if serve else "remove")
        floor_service.change_line(context.office(), context.db(), number, line, serve=serve, staff=current_staff())
        message = (N_("%(counter)s also serves the line of %(line)s now.") if serve
                   else N_("%(counter)s no longer serves the line of %(line)s."))
        return gettext(message, counter=_counter_name(number), line=_counter_name(line))

    return _done(act)


@bp.post("/counter/floor/capacity")
@staff_required("supervisor")
def floor_capacity():
    """Change the occupancy cap (field `max_inside`; 0 removes it)."""

    def act() -> str:
        occupancy = capacity_service.set_max_inside(context.office(), context.db(), _form_int("max_inside"),
                                                    staff=current_staff())
        if occupancy.max_inside is None:
            return gettext("No cap on how many may be inside.")
        return gettext("At most %(max)s inside now.", max=occupancy.max_inside)

    return _done(act)


@bp.post("/counter/floor/announcement")
@staff_required("supervisor")
def floor_announcement():
    """Set the displays' running text (field `text`; empty clears it)."""

    def act() -> str:
        text = announcements.set_text(context.office(), context.db(), request.form.get("text", ""),
                                      staff=current_staff())
        return gettext("The displays show the running text.") if text else gettext("The running text is cleared.")

    return _done(act)


@bp.post("/counter/floor/call")
@staff_required("supervisor")
def floor_call():
    """Call a waiting ticket to a counter now (fields `number`, `counter`, `reason`)."""

    def act() -> str:
        result = floor_service.call_to_counter(context.office(), context.db(), request.form.get("number", ""),
                                               _form_int("counter"), request.form.get("reason", ""),
                                               staff=current_staff())
        return gettext("%(number)s called to %(counter)s.", number=result.called.number,
                       counter=_counter_name(result.called.counter))

    return _done(act)


@bp.post("/counter/floor/move")
@staff_required("supervisor")
def floor_move():
    """Move a queued ticket to another service or lane (fields `number`, `service`, `lane`, `reason`)."""

    def act() -> str:
        office = context.office()
        ticket = floor_service.move_ticket(office, context.db(), request.form.get("number", ""),
                                           request.form.get("service", ""), request.form.get("lane", ""),
                                           request.form.get("reason", ""), staff=current_staff())
        language = context.language()
        return gettext("%(number)s moved to %(service)s · %(lane)s.", number=ticket.number,
                       service=office.config.service(ticket.service).names.get(language),
                       lane=office.config.lane_name(ticket.lane, language))

    return _done(act)


@bp.post("/counter/floor/alarms/<int:alarm_id>/acknowledge")
@staff_required("supervisor")
def floor_acknowledge(alarm_id: int):
    """Answer a silent alarm: the officer's console is told a supervisor is on the way."""

    def act() -> str:
        alarm = alarms.acknowledge(context.office(), context.db(), alarm_id, staff=current_staff())
        return gettext("Alarm at %(counter)s answered.", counter=_counter_name(alarm["counter"]))

    return _done(act)


@bp.post("/counter/<int:number>/alarm")
@staff_required()
def console_alarm(number: int):
    """The console's silent alarm (button or Ctrl+Alt+A). The console's script sends it without
    leaving the page and gets JSON; without a script the page comes back with a quiet note."""
    try:
        alarm = alarms.raise_alarm(context.office(), context.db(), number, staff=current_staff())
    except DomainError as error:
        if request.accept_mimetypes.best == "application/json":
            raise
        flash(gettext(error.message, **error.details), "error")
        return redirect(url_for("counter.pick"))
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"id": alarm["id"], "counter": alarm["counter"]}), 201
    flash(gettext("Sent."), "info")
    return redirect(url_for("counter.console", number=number))
