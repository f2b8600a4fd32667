"""Occupancy: the live cap, inviting visitors in from outside, and lapsed invitations."""
from __future__ import annotations

from datetime import timedelta

from ..domain import audit
from ..domain import capacity
from ..domain.capacity import Occupancy
from ..domain.errors import Unprocessable
from ..domain.events import QueueChanged
from ..domain.model import INVITED, ONLINE, OUTSIDE, StaffUser
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .unit import Unit, write


def cap_in_force(office: Office, db: Connection) -> int | None:
    """The occupancy cap now: the supervisor's live setting, else office.toml's; None for no cap."""
    return capacity.effective_max_inside(db.settings.get("max_inside"), office.config.max_inside)


def occupancy(office: Office, db: Connection, date: str) -> Occupancy:
    """People inside on that day and the cap in force."""
    return Occupancy(db.tickets.count_in(date, capacity.INSIDE), cap_in_force(office, db))


def free_places(office: Office, db: Connection, date: str) -> int | None:
    """Places free inside now; None without a cap, and then nobody inside is counted (a count
    that grows with the queue, for nothing to compare it with)."""
    cap = cap_in_force(office, db)
    return None if cap is None else Occupancy(db.tickets.count_in(date, capacity.INSIDE), cap).free


def has_room(office: Office, db: Connection, date: str) -> bool:
    """Whether a new visitor may wait inside."""
    places = free_places(office, db, date)
    return places is None or places > 0


def set_max_inside(office: Office, db: Connection, max_inside: int, *, staff: StaffUser | None) -> Occupancy:
    """Change the cap live (0 removes it); a higher cap invites visitors in at once."""
    if not isinstance(max_inside, int) or isinstance(max_inside, bool) or not 0 <= max_inside <= 10000:
        raise Unprocessable(N_("max_inside must be a whole number from 0 to 10000."))
    with write(office, db) as unit:
        db.settings.set("max_inside", str(max_inside), staff.id if staff else None, unit.now)
        unit.audit("capacity.set", audit.staff(staff), max_inside=max_inside)
        unit.raise_event(QueueChanged())
        invite(unit)
        return occupancy(office, db, unit.today)


def invite(unit: Unit) -> None:
    """Offer free places to the visitors outside, next in line first (inside a write)."""
    db, date = unit.db, unit.today
    places = free_places(unit.office, db, date)
    outside = db.tickets.in_states(date, (OUTSIDE,)) if places is None or places else []
    if places is None:   # no cap: everyone outside may come in
        places = len(outside)
    invited = [db.tickets.change(ticket, INVITED, now=unit.now, detail="invited in", invited_at=unit.now)
               for ticket in capacity.next_to_invite(outside, places, unit.office.config.policy)]
    if invited:
        unit.raise_event(QueueChanged(tuple({t.service for t in invited}), tuple(t.id for t in invited)))


def invite_timeout(office: Office, ticket) -> timedelta:
    """How long an invited visitor has to come in: longer for the online line, who come from home."""
    if ticket.channel == ONLINE:
        return office.config.booking.online_invite_timeout
    return office.config.invite_timeout


def expire_invitations(office: Office, db: Connection) -> int:
    """Invited visitors who did not come in lose the held place and go behind the others outside."""
    with write(office, db) as unit:
        lapsed = [t for t in db.tickets.in_states(unit.today, (INVITED,))
                  if capacity.invitation_expired(t, unit.now, invite_timeout(office, t))]
        for ticket in lapsed:
            db.tickets.change(ticket, OUTSIDE, now=unit.now, detail="invitation lapsed",
                              invite_misses=ticket.invite_misses + 1, invited_at=None)
        if lapsed:
            unit.raise_event(QueueChanged(tuple({t.service for t in lapsed}), tuple(t.id for t in lapsed)))
            invite(unit)
    return len(lapsed)
