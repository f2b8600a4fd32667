"""Notifications for the office's gateway: queue them, the day-before reminders, and sending.

Queuing is one short write and never talks to the network, because it runs on the event
relay's task, between the screens' updates. Sending is a scheduled job: each post happens
outside any transaction (a slow receiver never holds the write lock a kiosk or a counter
waits for), and only its outcome is written. Logs name a delivery's kind, id and the HTTP
status or error code, never its contact or body.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from ..domain import notifications as rules
from ..domain.bookings import BOOKED, CHECKED_IN, Booking
from ..domain.model import INVITED, OUTSIDE, WAITING, Ticket
from ..domain.notifications import Delivery, Notification
from ..office import Office
from ..store import Connection
from .unit import write

log = logging.getLogger(__name__)

# What a post answers: the receiver's HTTP status, or a short code when there was no answer
# ("timeout", "unreachable", "bad_response").
Post = Callable[[bytes, dict[str, str]], int | str]
IN_LINE = (WAITING, INVITED, OUTSIDE)
SEND_BATCH = 20
KEEP_FINISHED = timedelta(days=35)


class Links(Protocol):
    """Builds the visitor's links without a request: a full URL with `public_url`, else the path."""

    def booking(self, booking: Booking) -> str: ...

    def ticket(self, ticket: Ticket) -> str: ...


def queue(office: Office, db: Connection, notifications: list[Notification]) -> int:
    """Queue notifications in one write; one queued before under the same key is skipped."""
    if not notifications:
        return 0
    with write(office, db) as unit:
        return sum(db.deliveries.add(item, unit.now) for item in notifications)


def _names(office: Office, service: str) -> dict:
    found = office.config.service(service)
    return found.names.as_dict() if found else {}


def booking_created(office: Office, db: Connection, booking_ids: list[int], links: Links) -> list[Notification]:
    """A confirmation for each new booking that left a contact."""
    found = []
    for booking_id in booking_ids:
        booking = db.bookings.get(booking_id)
        if booking is None or not booking.contact or booking.status != BOOKED:
            continue
        found.append(rules.booking_notification(
            rules.BOOKING_CREATED, rules.created_key(booking), office_name=office.config.name,
            service_names=_names(office, booking.service), booking=booking, link=links.booking(booking),
            zone=office.config.zone))
    return found


def queue_reminders(office: Office, db: Connection, links: Links) -> int:
    """The day-before reminders (a scheduled job, every minute): each booking of tomorrow that
    left a contact, once. A booking made after today's reminder moment was just confirmed and
    is not reminded again."""
    settings = office.config.notifications
    window = rules.reminder_window(office.clock(), office.config.zone, settings.reminder_hour)
    if window is None:
        return 0
    day, moment = window
    with db.snapshot():
        tomorrow = [b for b in db.bookings.on_day(day, (BOOKED,)) if b.contact and b.created_at < moment]
        known = db.deliveries.known([rules.reminder_key(b) for b in tomorrow])
    return queue(office, db, [
        rules.booking_notification(rules.BOOKING_REMINDER, rules.reminder_key(b), office_name=office.config.name,
                                   service_names=_names(office, b.service), booking=b, link=links.booking(b),
                                   zone=office.config.zone)
        for b in tomorrow if rules.reminder_key(b) not in known])


def reachable_tickets(office: Office, db: Connection, services: set[str] | None) -> list[tuple[Booking, Ticket]]:
    """Today's tickets still in a line that a contact can be told about: those of checked-in
    bookings that left one. Walk-in and online-line tickets carry no contact."""
    with db.snapshot():
        booked = [b for b in db.bookings.on_day(office.today(), (CHECKED_IN,))
                  if b.contact and b.ticket_id is not None]
        tickets = {ticket.id: ticket for ticket in db.tickets.by_ids([b.ticket_id for b in booked])}
    pairs = [(b, tickets[b.ticket_id]) for b in booked if b.ticket_id in tickets]
    return [(b, t) for b, t in pairs if t.status in IN_LINE and (services is None or t.service in services)]


def ticket_notifications(office: Office, db: Connection, pairs: list[tuple[Booking, Ticket]],
                         views: dict[int, dict], links: Links) -> list[Notification]:
    """`invited` for tickets invited in, `turn_near` for those `turn_near` or fewer from the
    counter; each once (an invitation again after a lapsed one is a new one)."""
    settings, config = office.config.notifications, office.config
    wanted = []
    for booking, ticket in pairs:
        view = views.get(ticket.id)
        if view is None:
            continue
        if ticket.status == INVITED:
            wanted.append((rules.INVITED, rules.invited_key(ticket), booking, ticket, view))
        if view["ahead"] <= settings.turn_near:
            wanted.append((rules.TURN_NEAR, rules.turn_near_key(ticket), booking, ticket, view))
    known = db.deliveries.known([key for _kind, key, *_rest in wanted])
    now = office.clock()
    return [rules.ticket_notification(kind, key, office_name=config.name, service_names=_names(office, t.service),
                                      booking=b, ticket=t, view=view, link=links.ticket(t), zone=config.zone,
                                      now=now, invite_timeout=config.invite_timeout)
            for kind, key, b, t, view in wanted if key not in known]


def send_due(office: Office, db: Connection, post: Post, secret: bytes) -> int:
    """Post the deliveries whose time has come (a scheduled job); how many the receiver took.

    A receiver that does not answer at all ends the round: the rest wait for the next one
    rather than each waiting out its own timeout.
    """
    sent = 0
    for delivery in db.deliveries.due(office.clock(), SEND_BATCH):
        now = office.clock()
        if now >= delivery.expires_at or delivery.payload is None:
            _record_failure(office, db, delivery, "expired", final=True)
            continue
        body = delivery.payload.encode("utf-8")
        outcome = post(body, rules.signed_headers(secret, int(now.timestamp()), body, delivery.key))
        if isinstance(outcome, int) and 200 <= outcome < 300:
            with write(office, db) as unit:
                db.deliveries.sent(delivery, unit.now)
            log.info("notification %s #%d delivered (HTTP %d)", delivery.kind, delivery.id, outcome)
            sent += 1
            continue
        _record_failure(office, db, delivery, f"http_{outcome}" if isinstance(outcome, int) else str(outcome))
        if not isinstance(outcome, int):
            break
    return sent


def _record_failure(office: Office, db: Connection, delivery: Delivery, error: str, *, final: bool = False) -> None:
    """Count a failed try and schedule the next with backoff, or give up after the last."""
    settings = office.config.notifications
    attempts = delivery.attempts if error == "expired" else delivery.attempts + 1
    with write(office, db) as unit:
        if final or attempts >= settings.max_attempts:
            db.deliveries.give_up(delivery, attempts, error, unit.now)
            log.warning("notification %s #%d given up (%s) after %d attempts",
                        delivery.kind, delivery.id, error, attempts)
            return
        db.deliveries.retry_at(delivery, attempts, unit.now + rules.retry_delay(attempts, settings.retry_seconds),
                               error, unit.now)
    log.warning("notification %s #%d not delivered (%s), attempt %d; retrying",
                delivery.kind, delivery.id, error, attempts)


def forget_finished(office: Office, db: Connection) -> int:
    """Drop deliveries finished over five weeks ago (a scheduled job); nobody needs their keys then."""
    with write(office, db) as unit:
        return db.deliveries.purge(unit.now - KEEP_FINISHED)
