"""Domain events: one frozen dataclass per thing that happened, named in the past tense.

Services append them to the durable event log inside the transaction that caused them;
the relay hands them, after the commit and in log order, to every subscriber (screens
today; printing, reminders, audit and reports later). Each event says *what* changed,
never how a screen shows it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields


@dataclass(frozen=True)
class Event:
    """Base of every event; `name` is the event's stable name in the log."""

    name = "event"


@dataclass(frozen=True)
class TicketCalled(Event):
    """A ticket was called (or recalled) to a counter: the display announces it."""

    name = "ticket_called"
    ticket_id: int
    number: str
    counter: int
    service: str
    lane: str
    recall: bool


@dataclass(frozen=True)
class QueueChanged(Event):
    """Waiting lists, counters or the cap changed: screens refresh their snapshot.

    `services` and `ticket_ids` say whose phones to update; with neither (a counter opened,
    paused or closed, or the cap changed) every watching phone is, since the wait estimates
    depend on the open counters and the cap.
    """

    name = "queue_changed"
    services: tuple[str, ...] = ()
    ticket_ids: tuple[int, ...] = field(default=())

    @property
    def everyone(self) -> bool:
        """A change that may move every estimate (counters, cap), not only some tickets'."""
        return not self.services and not self.ticket_ids


@dataclass(frozen=True)
class BookingCreated(Event):
    """A visitor booked a slot (reminders and reports subscribe)."""

    name = "booking_created"
    booking_id: int
    service: str
    business_date: str
    start: str


@dataclass(frozen=True)
class BookingChanged(Event):
    """A booking was cancelled, rescheduled, checked in or marked absent (`status` says which)."""

    name = "booking_changed"
    booking_id: int
    status: str
    business_date: str
    start: str


@dataclass(frozen=True)
class LaneChecked(Event):
    """An officer confirmed a ticket's priority lane or moved it to `general` (`decision`).

    It carries lane codes and the move's reason code only: never why a visitor qualifies.
    """

    name = "lane_checked"
    ticket_id: int
    number: str
    service: str
    lane: str
    from_lane: str
    decision: str
    reason: str | None = None


@dataclass(frozen=True)
class AnnouncementSet(Event):
    """A supervisor set the displays' running text (empty: cleared)."""

    name = "announcement_set"
    text: str


@dataclass(frozen=True)
class TicketDirected(Event):
    """A supervisor called a ticket to a counter, or moved it to another service or lane, from
    the floor: the consoles of `counters` tell their officer (`action` is `called` or `moved`)."""

    name = "ticket_directed"
    ticket_id: int
    number: str
    action: str
    service: str
    lane: str
    counters: tuple[int, ...]
    by: str


@dataclass(frozen=True)
class AlarmRaised(Event):
    """An officer pressed the silent alarm at a counter: every supervisor's floor alerts.

    Staff only: no visitor's screen ever hears of it.
    """

    name = "alarm_raised"
    alarm_id: int
    counter: int
    by: str


@dataclass(frozen=True)
class AlarmAcknowledged(Event):
    """A supervisor answered a silent alarm (staff only)."""

    name = "alarm_acknowledged"
    alarm_id: int
    counter: int
    by: str


@dataclass(frozen=True)
class StaffSessionsEnded(Event):
    """A staff account's sessions ended (sign-out, new password or role, disabled, removed):
    its cookies and tokens are already refused; its open sockets are closed after the commit."""

    name = "staff_sessions_ended"
    staff_id: int


# Events only staff screens hear: never sent to the displays or the visitors' phones.
STAFF_ONLY: tuple[type[Event], ...] = (TicketDirected, AlarmRaised, AlarmAcknowledged)

EVENT_TYPES: dict[str, type[Event]] = {cls.name: cls for cls in (TicketCalled, QueueChanged, BookingCreated,
                                                                  BookingChanged, LaneChecked, AnnouncementSet,
                                                                  TicketDirected, AlarmRaised, AlarmAcknowledged,
                                                                  StaffSessionsEnded)}


def event_payload(event: Event) -> dict:
    """The event's fields as JSON-ready data (tuples become lists)."""
    return asdict(event)


def event_from_payload(name: str, payload: dict) -> Event:
    """Rebuild an event read back from the log; lists become the tuples the dataclass holds."""
    cls = EVENT_TYPES[name]
    values = {}
    for item in fields(cls):
        if item.name in payload:
            value = payload[item.name]
            values[item.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def merge_queue_changes(events: list[Event]) -> list[Event]:
    """One transaction's events with its queue changes folded into one, placed last.

    A screen then gets one snapshot per write however many tickets it touched.
    """
    queue = [event for event in events if isinstance(event, QueueChanged)]
    others = [event for event in events if not isinstance(event, QueueChanged)]
    if not queue:
        return others
    if any(event.everyone for event in queue):
        merged = QueueChanged()
    else:
        services = tuple(dict.fromkeys(service for event in queue for service in event.services))
        ticket_ids = tuple(dict.fromkeys(ticket for event in queue for ticket in event.ticket_ids))
        merged = QueueChanged(services, ticket_ids)
    return [*others, merged]
