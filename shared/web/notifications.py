"""Notifications, wired: the event-log subscriber, the visitor's links, the webhook post, the jobs.

Only an office.toml with a `[notifications]` table turns this on; without one nothing is
subscribed, scheduled or sent. The subscriber runs on the relay's task, so it only reads and
queues (one short write); the scheduled sender posts. Neither lets a fault escape: a broken
receiver or a bad batch costs notifications, never a booking, a call or a screen update.
"""
from __future__ import annotations

import http.client
import logging
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from ..domain.bookings import Booking
from ..domain.events import BookingCreated, QueueChanged, TicketCalled
from ..domain.model import Ticket
from ..domain.notifications import Notification
from ..office import Office
from ..services import notifications as notification_service
from ..services.notifications import Post
from ..store import Connection, Store
from ..store.events import LoggedEvent
from ..tokens import TicketTokens
from ..views import tickets as ticket_views
from .relay import Relay
from .scheduler import Job

log = logging.getLogger(__name__)

POST_TIMEOUT_S = 5.0
SEND_EVERY_SECONDS = 2.0
REMINDERS_EVERY_SECONDS = 60.0
FORGET_EVERY_SECONDS = 3600.0
# The subscriber gives up a write it cannot start within this time, so the screens' updates
# on the same task never wait long for a notification.
QUEUE_WRITE_WAIT_S = 1.0
MIN_SECRET_BYTES = 16


class Links:
    """The visitor's booking page and ticket status page, built without a request.

    With `public_url` (how visitors reach this server) they are full URLs; without it they
    are paths, which the receiver puts behind the address it knows.
    """

    def __init__(self, url_map, booking_tokens: TicketTokens, ticket_tokens: TicketTokens, public_url: str | None):
        self.url_map = url_map
        self.booking_tokens = booking_tokens
        self.ticket_tokens = ticket_tokens
        self.public_url = public_url

    def booking(self, booking: Booking) -> str:
        return self._build("booking.manage_page", self.booking_tokens.make(booking.id, booking.created_at))

    def ticket(self, ticket: Ticket) -> str:
        return self._build("kiosk.status_page", self.ticket_tokens.make(ticket.id, ticket.issued_at))

    def _build(self, endpoint: str, token: str) -> str:
        if not self.public_url:
            return self.url_map.bind("localhost").build(endpoint, {"token": token})
        parts = urlsplit(self.public_url)
        adapter = self.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
        return adapter.build(endpoint, {"token": token}, force_external=True)


class Notifier:
    """The event-log subscriber: new bookings, tickets invited in or near the counter → queued.

    It writes through a store of its own (its own in-process lock; SQLite's lock still orders
    it with every writer): without a background task the relay hands it a batch in place,
    while the service that committed still holds the office store's lock.
    """

    def __init__(self, office: Office, links: notification_service.Links):
        self.office = office
        self.links = links
        # Its commits count toward the office's checkpoints (store/checkpoints.py).
        self._writer = replace(office, store=Store(office.store.path, write_wait=QUEUE_WRITE_WAIT_S,
                                                   checkpoints=office.store.checkpoints))

    def __call__(self, batch: list[LoggedEvent], db: Connection) -> None:
        try:
            notification_service.queue(self._writer, db, self.notifications(batch, db))
        except Exception as error:  # a lost notification, never a stalled relay
            log.error("notifications of events %d-%d not queued (%s)", batch[0].seq, batch[-1].seq,
                      type(error).__name__)

    def notifications(self, batch: list[LoggedEvent], db: Connection) -> list[Notification]:
        """What this batch gives the gateway to say (some may have been queued before)."""
        events = [item.event for item in batch]
        created = [event.booking_id for event in events if isinstance(event, BookingCreated)]
        found = notification_service.booking_created(self.office, db, created, self.links)
        moved = [event for event in events if isinstance(event, (QueueChanged, TicketCalled))]
        if not moved:
            return found
        services: set[str] | None = set()
        for event in moved:
            if isinstance(event, TicketCalled):
                services.add(event.service)
            elif event.everyone:
                services = None   # counters or the cap changed: every line may have moved
                break
            else:
                services.update(event.services)
        pairs = notification_service.reachable_tickets(self.office, db, services)
        if pairs:
            views = ticket_views.public_views(self.office, db, [ticket for _booking, ticket in pairs])
            found += notification_service.ticket_notifications(self.office, db, pairs, views, self.links)
        return found


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own (a failure), never a second post somewhere else."""

    def redirect_request(self, *args, **kwargs):
        return None


def webhook_poster(url: str, timeout: float = POST_TIMEOUT_S) -> Post:
    """Posts a signed body to the office's webhook: its HTTP status, or why there was none.

    Straight to the receiver: no proxy from the environment, no redirects followed.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def post(body: bytes, headers: dict[str, str]) -> int | str:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with opener.open(request, timeout=timeout) as response:
                response.read(1024)
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code
        except TimeoutError:
            return "timeout"
        except urllib.error.URLError as error:
            return "timeout" if isinstance(error.reason, TimeoutError) else "unreachable"
        except http.client.HTTPException:
            return "bad_response"
        except OSError:
            return "unreachable"

    return post


def read_secret(path: Path) -> bytes | None:
    """The signing secret from its file (surrounding whitespace ignored); None if unusable."""
    try:
        secret = path.read_bytes().strip()
    except OSError:
        return None
    return secret if len(secret) >= MIN_SECRET_BYTES else None


def install(app, office: Office, relay: Relay) -> tuple[Job, ...]:
    """Subscribe the notifier when office.toml asks for notifications; the jobs to schedule.

    A missing or too short secret file is said loudly at start and turns notifications off:
    the queue itself must run whatever the gateway's state.
    """
    settings = office.config.notifications
    if settings is None:
        return ()
    secret_path = Path(app.instance_path) / settings.secret_file
    secret = read_secret(secret_path)
    if secret is None:
        banner = "!" * 72
        print(f"{banner}\nNOTIFICATIONS ARE OFF: the secret file {secret_path} is missing, unreadable or shorter "
              f"than {MIN_SECRET_BYTES} characters ([notifications] secret_file in office.toml).\n{banner}",
              file=sys.stderr, flush=True)
        return ()
    links = Links(app.url_map, app.extensions["antrean.booking_tokens"], app.extensions["antrean.tokens"],
                  settings.public_url)
    relay.subscribe(Notifier(office, links))
    post = webhook_poster(settings.webhook_url)
    return (
        Job("send notifications", SEND_EVERY_SECONDS,
            lambda office, db: notification_service.send_due(office, db, post, secret)),
        Job("queue booking reminders", REMINDERS_EVERY_SECONDS,
            lambda office, db: notification_service.queue_reminders(office, db, links)),
        Job("forget finished notifications", FORGET_EVERY_SECONDS, notification_service.forget_finished),
    )
