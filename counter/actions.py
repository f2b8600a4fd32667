"""The officer's actions on a counter's ticket, shared by the console page and the JSON API."""
from __future__ import annotations

from shared.errors import InvalidRequest
from shared.i18n import N_
from shared.web import context

ACTIONS = ("call-next", "recall", "start", "done", "no-show", "transfer")


def run_action(action: str, number: int, staff_id: int, *, service: str | None = None,
               idempotency_key: str | None = None) -> tuple[int, dict | None]:
    """Perform one console action; returns (HTTP status, ticket summary or None)."""
    office, db, now = context.office(), context.db(), context.now()
    if action == "call-next":
        return office.call_next(db, number, staff_id=staff_id, now=now, idempotency_key=idempotency_key)
    if action == "transfer":
        if not service:
            raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="service")
        return 200, office.transfer(db, number, service, staff_id=staff_id, now=now)
    moves = {"recall": office.recall, "start": office.start, "done": office.finish, "no-show": office.no_show}
    if action not in moves:
        raise InvalidRequest(N_("Unknown action."))
    return 200, moves[action](db, number, staff_id=staff_id, now=now)
