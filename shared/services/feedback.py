"""The satisfaction survey's one write: a visitor rates a finished visit, once.

The rating is accepted only once the ticket is `done` (the visit it judges is over) and only
once per ticket: the phone and the counter's tablet may race, and the table's UNIQUE
constraint on the ticket decides which answer is kept, inside the same write. The phones and
tablets watching the ticket learn it was rated from the queue change raised here.
"""
from __future__ import annotations

from ..domain import satisfaction
from ..domain.errors import CounterTaken, InvalidState, Unprocessable, UnknownTicket
from ..domain.events import QueueChanged
from ..domain.model import DONE, StaffUser
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .unit import Unit, write

ALREADY_RATED = N_("This visit has already been rated. Thank you!")


def rate(office: Office, db: Connection, ticket_id: int, *, score, comment=None, elements=None,
         channel: str = "phone", counter: int | None = None, staff: StaffUser | None = None) -> dict:
    """Record a visitor's rating of ticket `ticket_id`; what was recorded.

    `elements` (U1–U9 → 1–4) is the full SKM questionnaire, taken only when the office runs
    it. `counter` and `staff` come from a counter's tablet: the tablet must be signed in as
    the officer working that counter (or a supervisor), and the ticket must be the one that
    counter finished last, a few minutes ago at most, so a tablet never rates someone else.
    """
    settings = office.config.survey
    with write(office, db) as unit:
        if counter is not None:
            _check_tablet(unit, counter, staff, ticket_id)
        score = satisfaction.check_score(score)
        comment = satisfaction.check_comment(comment) if settings.comments else None
        if elements is not None:
            if settings.mode != "skm":
                raise Unprocessable(N_("This office asks a single question."))
            elements = satisfaction.check_elements(elements)
        ticket = db.tickets.get(ticket_id)
        if ticket is None:
            raise UnknownTicket(N_("This ticket link is not valid or has expired."))
        if db.feedback.rated((ticket.id,)):
            raise satisfaction.AlreadyRated(ALREADY_RATED)
        if ticket.status != DONE:
            raise InvalidState(N_("You can rate the service once it is finished."))
        added = db.feedback.add(
            ticket_id=ticket.id, business_date=ticket.business_date, service=ticket.service,
            counter=ticket.counter, channel=channel, score=score, elements=elements, comment=comment, now=unit.now)
        if added is None:
            raise satisfaction.AlreadyRated(ALREADY_RATED)
        # The phone and the tablet watching this ticket hear that it is rated.
        unit.raise_event(QueueChanged((), (ticket.id,)))
    return {"number": ticket.number, "score": score, "mode": "skm" if elements else "single", "channel": channel}


def _check_tablet(unit: Unit, counter: int, staff: StaffUser | None, ticket_id: int) -> None:
    """A counter's tablet rates only for its own counter's officer, and only the visitor just served."""
    holder = unit.db.counters.holder(counter)
    if staff is not None and not staff.has_role("supervisor"):
        if holder is None:
            raise InvalidState(N_("Open this counter first: its tablet asks the visitors it serves."))
        if holder.staff_id != staff.id:
            raise CounterTaken(N_("Counter %(counter)s is being worked by %(username)s. Ask a supervisor to "
                                  "take it over."), counter=counter, username=holder.username)
    last = unit.db.feedback.last_done_at_counter(unit.today, counter)
    if last is None or last["ticket_id"] != ticket_id or unit.now - last["done_at"] > satisfaction.TABLET_WINDOW:
        raise InvalidState(N_("This visitor can no longer be rated here."))
