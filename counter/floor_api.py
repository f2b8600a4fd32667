"""Supervisor endpoints of the JSON API: the floor, counter states, the running text, and
calling or moving a ticket from the floor."""
from __future__ import annotations

from flask import jsonify

from shared.domain.errors import InvalidRequest
from shared.i18n import N_
from shared.services import announcements
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
def floor_call():
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
def floor_move():
    """Supervisor: `{"number", "service", "lane", "reason"}` moves a queued ticket to that line."""
    body = json_body()
    office = context.office()
    ticket = floor_service.move_ticket(office, context.db(), text_field(body, "number", limit=20),
                                       text_field(body, "service", limit=40), text_field(body, "lane", limit=40),
                                       text_field(body, "reason", limit=200), staff=current_staff())
    return jsonify(ticket_views.summary(office, ticket))
