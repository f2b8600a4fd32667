"""The officer's actions on a counter, shared by the console page and the JSON API.

Each action calls one service and turns its domain result into what both front ends
answer with: an HTTP status and a JSON-ready body (a ticket, a counter, or nothing).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.domain.errors import InvalidRequest
from shared.domain.model import StaffUser
from shared.i18n import N_
from shared.services import calling, counters, lane_checks
from shared.services import tickets as ticket_service
from shared.views import counters as counter_views
from shared.views import tickets as ticket_views
from shared.web import context

ACTIONS = ("call-next", "call", "admit-call", "recall", "start", "done", "no-show", "transfer", "return", "admit",
           "confirm-lane", "move-to-general", "open", "pause", "close", "release", "take-over")
# The actions that call a visitor: they answer with the call's reason and the previous visitor.
CALLS = ("call-next", "call", "admit-call")
COUNTER_STATE_OF = {"open": "open", "pause": "paused", "close": "closed"}
# The fields each action needs from the JSON body or the console form.
FIELDS = {"transfer": ("service",), "call": ("number", "reason"), "return": ("number",), "admit": ("number",),
          "admit-call": ("number",), "move-to-general": ("reason",)}
MOVES = {"recall": calling.recall, "start": calling.start, "done": calling.finish, "no-show": calling.no_show,
         "confirm-lane": lane_checks.confirm}


@dataclass(frozen=True)
class Outcome:
    """What an action answers: 200 with a body, or 204 when call-next found nobody."""

    status: int
    body: dict | None
    previous: dict | None = None  # the visitor call-next finished or marked absent


def action_fields(action: str, source: Mapping) -> dict[str, str]:
    """The fields an action needs, read from a JSON body or a form; a missing one is a 400."""
    fields = {}
    for name in FIELDS.get(action, ()):
        value = source.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
        fields[name] = value.strip()
    return fields


def run_action(action: str, number: int, staff: StaffUser, fields: Mapping[str, str], *,
               idempotency_key: str | None = None) -> Outcome:
    """Perform one console action for this officer."""
    office, db = context.office(), context.db()
    if action in CALLS:
        if action == "call-next":
            result = calling.call_next(office, db, number, staff=staff, idempotency_key=idempotency_key)
        elif action == "admit-call":
            result = calling.admit_and_call(office, db, number, fields["number"], staff=staff)
        else:
            result = calling.call_ticket(office, db, number, fields["number"], fields["reason"], staff=staff)
        body = counter_views.call_body(office, result)
        previous = ({"number": result.previous.number, "status": result.previous.status}
                    if result.previous is not None else None)
        return Outcome(200 if body else 204, body, previous)
    if action == "transfer":
        ticket = calling.transfer(office, db, number, fields["service"], staff=staff)
    elif action == "return":
        ticket = calling.return_ticket(office, db, number, fields["number"], staff=staff)
    elif action == "admit":
        counters.desk(office, db, number)  # admitting needs no claim, but the counter must exist
        ticket = ticket_service.admit(office, db, fields["number"], staff=staff)
    elif action == "move-to-general":
        ticket = lane_checks.move_to_general(office, db, number, fields["reason"], staff=staff)
    elif action in COUNTER_STATE_OF or action in ("release", "take-over"):
        if action == "release":
            desk = counters.release(office, db, number, staff=staff)
        elif action == "take-over":
            desk = counters.take_over(office, db, number, staff=staff)
        else:
            desk = counters.set_state(office, db, number, COUNTER_STATE_OF[action], staff=staff)
        return Outcome(200, {"number": desk.number, "state": desk.state,
                             "officer": counter_views.holder_name(db, number)})
    elif action in MOVES:
        ticket = MOVES[action](office, db, number, staff=staff)
    else:
        raise InvalidRequest(N_("Unknown action."))
    return Outcome(200, ticket_views.summary(office, ticket))
