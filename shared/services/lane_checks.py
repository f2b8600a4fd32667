"""The officer checks the counter's visitor's priority lane: confirm it in one tap, or move
the ticket to the general lane for a reason from a fixed list (`domain.lane_checks`).

Both are written into the ticket's history with the officer and the counter, and raise a
`LaneChecked` and a queue change in the same transaction, so the console, the displays and
the visitor's phone follow. A visitor only `called` is standing at the counter when the
officer checks, so the check also starts their service.
"""
from __future__ import annotations

from ..domain import lane_checks
from ..domain.errors import InvalidState, Unprocessable
from ..domain.events import LaneChecked, QueueChanged
from ..domain.lane_checks import LaneCheck
from ..domain.model import ACTIVE_AT_COUNTER, GENERAL, SERVING, StaffUser, Ticket
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .calling import current_visitor
from .unit import Unit, write


def confirm(office: Office, db: Connection, number: int, *, staff: StaffUser | None) -> Ticket:
    """The visitor at counter `number` belongs in the priority lane they chose."""
    with write(office, db) as unit:
        current = current_visitor(unit, number, ACTIVE_AT_COUNTER, staff)
        if not office.config.policy.is_priority(current.lane):
            raise InvalidState(N_("This visitor is not in a priority lane: there is nothing to confirm."))
        if lane_checks.already_confirmed(last_check(db, current), current.lane):
            return current
        return _record(unit, current, lane_checks.confirmation(current.lane), staff)


def move_to_general(office: Office, db: Connection, number: int, reason: str, *,
                    staff: StaffUser | None) -> Ticket:
    """The visitor at counter `number` is served in the general lane; `reason` is a code of
    `lane_checks.MOVE_REASONS`, never a description of the visitor."""
    if reason not in lane_checks.MOVE_REASONS:
        raise Unprocessable(N_("Choose the reason from the list."))
    with write(office, db) as unit:
        current = current_visitor(unit, number, ACTIVE_AT_COUNTER, staff)
        if current.lane == GENERAL:
            raise InvalidState(N_("This visitor is already in the general lane."))
        return _record(unit, current, lane_checks.move(current.lane, reason), staff)


def last_check(db: Connection, ticket: Ticket) -> LaneCheck | None:
    """The latest lane check in the ticket's history, if an officer made one."""
    return lane_checks.latest(row["detail"] for row in db.tickets.history(ticket.id))


def _record(unit: Unit, ticket: Ticket, check: LaneCheck, staff: StaffUser | None) -> Ticket:
    checked = unit.db.tickets.change(ticket, SERVING, now=unit.now, staff_id=staff.id if staff else None,
                                     detail=lane_checks.history_detail(check), lane=check.lane)
    unit.raise_event(
        LaneChecked(ticket_id=checked.id, number=checked.number, service=checked.service, lane=check.lane,
                    from_lane=check.from_lane, decision=check.decision, reason=check.reason),
        QueueChanged((checked.service,), (checked.id,)),
    )
    return checked
