"""The officer's actions on a counter, shared by the console page and the JSON API."""
from __future__ import annotations

from collections.abc import Mapping

from shared.domain.errors import InvalidRequest
from shared.i18n import N_
from shared.web import context

ACTIONS = ("call-next", "call", "recall", "start", "done", "no-show", "transfer", "return", "admit",
           "open", "pause", "close")
COUNTER_STATE_OF = {"open": "open", "pause": "paused", "close": "closed"}
# The fields each action needs from the JSON body or the console form.
FIELDS = {"transfer": ("service",), "call": ("number", "reason"), "return": ("number",), "admit": ("number",)}


def action_fields(action: str, source: Mapping) -> dict[str, str]:
    """The fields an action needs, read from a JSON body or a form; a missing one is a 400."""
    fields = {}
    for name in FIELDS.get(action, ()):
        value = source.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
        fields[name] = value.strip()
    return fields


def run_action(action: str, number: int, staff_id: int, fields: Mapping[str, str], *,
               idempotency_key: str | None = None) -> tuple[int, dict | None]:
    """Perform one console action; returns (HTTP status, ticket summary or counter state, or None)."""
    office, db, now = context.office(), context.db(), context.now()
    if action == "call-next":
        return office.call_next(db, number, staff_id=staff_id, now=now, idempotency_key=idempotency_key)
    if action == "call":
        return 200, office.call_ticket(db, number, fields["number"], fields["reason"], staff_id=staff_id, now=now)
    if action == "transfer":
        return 200, office.transfer(db, number, fields["service"], staff_id=staff_id, now=now)
    if action == "return":
        return 200, office.return_ticket(db, number, fields["number"], staff_id=staff_id, now=now)
    if action == "admit":
        return 200, office.admit(db, fields["number"], staff_id=staff_id, now=now)
    if action in COUNTER_STATE_OF:
        desk = office.set_counter_state(db, number, COUNTER_STATE_OF[action], staff_id, now)
        return 200, {"number": desk.number, "state": desk.state}
    moves = {"recall": office.recall, "start": office.start, "done": office.finish, "no-show": office.no_show}
    if action not in moves:
        raise InvalidRequest(N_("Unknown action."))
    return 200, moves[action](db, number, staff_id=staff_id, now=now)
