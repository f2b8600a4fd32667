"""Supervisor endpoints of the JSON API: the floor, counter states, the running text, calling
or moving a ticket from the floor, other counters' lines; and the silent alarm."""
from __future__ import annotations

from flask import jsonify

from shared.domain.errors import InvalidRequest
from shared.i18n import N_
from shared.domain.officetime import to_office_iso
from shared.services import alarms, announcements
from shared.services import floor as floor_service
from shared.views import counters as counter_views
from shared.views import tickets as ticket_views
from shared.web import context
from shared.web.auth import current_staff, staff_required
from shared.web.requests import json_body, text_field

from .blueprint import bp


def counter_body(number: int) -> dict:
    """One counter as `GET /api/counters` lists it."""
    return next(item for item in counter_views.counter_list(context.office(), context.db()) if item["number"] == number)


@bp.get("/api/floor")
@staff_required("supervisor")
def api_floor():
    """Supervisor: every counter, the lines, the longest wait, occupancy and today's figures."""
    return jsonify(context.screens().floor(context.db()))


@bp.put("/api/counters/<int:number>/state")
@staff_required()
def put_counter_state(number: int):
    """Supervisor (any counter) or the officer working it: `{"state": "open"|"paused"|"closed"}`."""
    office, db, staff = context.office(), context.db(), current_staff()
    floor_service.check_may_work(db, number, staff)
    state = text_field(json_body(), "state", limit=20)
    floor_service.set_counter_state(office, db, number, state, staff=staff)
    return jsonify(counter_body(number))


@bp.put("/api/announcement")
@staff_required("supervisor")
def put_announcement():
    """Supervisor: the displays' running text, `{"text"}` (at most 200 characters; "" clears it)."""
    body = json_body()
    text = announcements.set_text(context.office(), context.db(), body.get("text"), staff=current_staff())
    return jsonify({"text": text})


@bp.post("/api/floor/call")
@staff_required("supervisor")
def api_floor_call():
    """Supervisor: `{"number", "counter", "reason"}` calls that waiting ticket to that counter now."""
    body = json_body()
    counter = body.get("counter")
    if not isinstance(counter, int) or isinstance(counter, bool):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="counter")
    office = context.office()
    result = floor_service.call_to_counter(office, context.db(), text_field(body, "number", limit=20), counter,
                                           text_field(body, "reason", limit=200), staff=current_staff())
    return jsonify(counter_views.call_body(office, result))


@bp.post("/api/floor/move")
@staff_required("supervisor")
def api_floor_move():
    """Supervisor: `{"number", "service", "lane", "reason"}` moves a queued ticket to that line."""
    body = json_body()
    office = context.office()
    ticket = floor_service.move_ticket(office, context.db(), text_field(body, "number", limit=20),
                                       text_field(body, "service", limit=40), text_field(body, "lane", limit=40),
                                       text_field(body, "reason", limit=200), staff=current_staff())
    return jsonify(ticket_views.summary(office, ticket))


@bp.put("/api/counters/<int:number>/lines")
@staff_required("supervisor")
def put_counter_lines(number: int):
    """Supervisor: `{"counters": [3]}`: counter `number` also serves counter 3's line ([] ends it)."""
    lines = floor_service.assign_lines(context.office(), context.db(), number, json_body().get("counters"),
                                       staff=current_staff())
    return jsonify({"number": number, "extra_lines": list(lines)})


def alarm_body(alarm: dict) -> dict:
    """An alarm's record, times in office time."""
    zone = context.office().config.zone
    return {"id": alarm["id"], "counter": alarm["counter"], "by": alarm["by"],
            "raised_at": to_office_iso(alarm["raised_at"], zone), "acknowledged_by": alarm["acknowledged_by"],
            "acknowledged_at": to_office_iso(alarm["acknowledged_at"], zone)}


@bp.post("/api/alarms")
@staff_required()
def raise_alarm():
    """Staff: `{"counter"}`: the silent alarm at that counter; every supervisor's floor alerts."""
    counter = json_body().get("counter")
    if not isinstance(counter, int) or isinstance(counter, bool):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="counter")
    alarm = alarms.raise_alarm(context.office(), context.db(), counter, staff=current_staff())
    return jsonify(alarm_body(alarm)), 201


@bp.post("/api/alarms/<int:alarm_id>/acknowledge")
@staff_required("supervisor")
def acknowledge_alarm(alarm_id: int):
    """Supervisor: answer a silent alarm (the first answer stands)."""
    return jsonify(alarm_body(alarms.acknowledge(context.office(), context.db(), alarm_id, staff=current_staff())))
