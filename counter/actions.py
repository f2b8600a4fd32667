"""The officer's actions on a counter's ticket, shared by the console page and the JSON API."""
from __future__ import annotations

from shared.errors import InvalidRequest
from shared.i18n import N_
from shared.web import context

ACTIONS = ("call-next", "recall", "start", "done", "no-show", "transfer", "open", "pause", "close")
COUNTER_STATE_OF = {"open": "open", "pause": "paused", "close": "closed"}


def run_action(action: str, number: int, staff_id: int, *, service: str | None = None,
               idempotency_key: str | None = None) -> tuple[int, dict | None]:
    """Perform one console action; returns (HTTP status, ticket summary, counter state or None)."""
    office, db, now = context.office(), context.db(), context.now()
    if action == "call-next":
        return office.call_next(db, number, staff_id=staff_id, now=now, idempotency_key=idempotency_key)
    if action == "transfer":
        if not service:
            raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="service")
        return 200, office.transfer(db, number, service, staff_id=staff_id, now=now)
    if action in COUNTER_STATE_OF:
        desk = office.set_counter_state(db, number, COUNTER_STATE_OF[action], staff_id, now)
        return 200, {"number": desk.number, "state": desk.state}
    moves = {"recall": office.recall, "start": office.start, "done": office.finish, "no-show": office.no_show}
    if action not in moves:
        raise InvalidRequest(N_("Unknown action."))
    return 200, moves[action](db, number, staff_id=staff_id, now=now)
