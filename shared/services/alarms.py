"""The silent alarm: an officer facing an aggressive visitor alerts every supervisor at once.

Pressing it records who, when and at which counter, and raises `AlarmRaised`, a staff-only
event: the supervisors' floor screens alert, and no visitor's screen (display, phone,
kiosk) changes. It is never refused for a counter held by someone else or a closed one: in
an emergency the record matters more than the counter's bookkeeping. A supervisor answers
it (`acknowledge`); the first answer stands and the officer's console is told.
"""
from __future__ import annotations

from ..domain import audit
from ..domain.errors import NotFound, UnknownCounter
from ..domain.events import AlarmAcknowledged, AlarmRaised
from ..domain.model import StaffUser
from ..i18n import N_
from ..office import Office
from ..store import Connection
from .unit import write


def raise_alarm(office: Office, db: Connection, counter: int, *, staff: StaffUser) -> dict:
    """Record the alarm at this counter; the record (`id`, `counter`, `by`, `raised_at`)."""
    if office.config.counter(counter) is None:
        raise UnknownCounter(N_("Unknown counter: %(counter)s."), counter=counter)
    with write(office, db) as unit:
        alarm_id = db.alarms.add(counter, staff.id, unit.now)
        unit.audit("alarm.raised", audit.staff(staff), counter=counter, alarm=alarm_id)
        unit.raise_event(AlarmRaised(alarm_id=alarm_id, counter=counter, by=staff.username))
        return db.alarms.get(alarm_id)


def acknowledge(office: Office, db: Connection, alarm_id: int, *, staff: StaffUser) -> dict:
    """A supervisor answers the alarm (answering it again changes nothing); the record."""
    with write(office, db) as unit:
        alarm = db.alarms.get(alarm_id)
        if alarm is None:
            raise NotFound(N_("There is no such alarm."), code="unknown_alarm")
        if db.alarms.acknowledge(alarm_id, staff.id, unit.now):
            unit.audit("alarm.acknowledged", audit.staff(staff), counter=alarm["counter"], alarm=alarm_id)
            unit.raise_event(AlarmAcknowledged(alarm_id=alarm_id, counter=alarm["counter"], by=staff.username))
        return db.alarms.get(alarm_id)


def unanswered(db: Connection) -> list[dict]:
    """The alarms no supervisor has answered yet, oldest first."""
    return db.alarms.unanswered()
