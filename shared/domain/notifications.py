"""Notifications for the office's own gateway: what is sent, to whom, when, and how it is signed.

An office that already pays for a WhatsApp or SMS gateway can have Antrean post reminders to
a webhook it runs; nothing leaves the server unless `[notifications]` is in office.toml. The
phone status page stays the primary channel, so a notification is a courtesy: it is sent at
most once (each has a unique key), retried with backoff while the receiver is down, and
dropped once it is no longer useful. Pure rules; every instant is passed in.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .bookings import Booking
from .contacts import EMAIL, PHONE
from .model import Ticket
from .officetime import to_office_iso

BOOKING_CREATED = "booking_created"
BOOKING_REMINDER = "booking_reminder"
TURN_NEAR = "turn_near"
INVITED = "invited"

PENDING, SENT, FAILED = "pending", "sent", "failed"

# Nobody wants a reminder late in the evening: the day-before reminders go from
# `reminder_hour` until this local hour, and a server that was off all that time sends none.
QUIET_FROM_HOUR = 21
# "A few ahead of you" is news for a short while only; after this it is dropped unsent.
TURN_NEAR_USEFUL = timedelta(minutes=30)
RETRY_CAP = timedelta(hours=1)

SIGNATURE_HEADER = "X-Antrean-Signature"
TIMESTAMP_HEADER = "X-Antrean-Timestamp"
DELIVERY_HEADER = "X-Antrean-Delivery"


@dataclass(frozen=True)
class NotificationSettings:
    """The `[notifications]` table of office.toml (absent: nothing is ever sent)."""

    webhook_url: str
    secret_file: str
    turn_near: int = 3
    reminder_hour: int = 16
    public_url: str | None = None
    retry_seconds: int = 60
    max_attempts: int = 8


@dataclass(frozen=True)
class Notification:
    """One message for the gateway, before it is queued: `key` makes it once-only."""

    key: str
    kind: str
    payload: dict
    expires_at: datetime


@dataclass(frozen=True)
class Delivery:
    """A queued notification as the store returns it (`payload` is what is posted, byte for byte;
    None once sent or given up)."""

    id: int
    key: str
    kind: str
    payload: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    expires_at: datetime
    last_error: str | None


def settings_from_table(table: dict | None) -> NotificationSettings | None:
    """Validate `[notifications]`; ValueError names the field, as office.toml errors do."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ValueError("notifications: must be a table")
    known = {"webhook_url", "secret_file", "turn_near", "reminder_hour", "public_url", "retry_seconds",
             "max_attempts"}
    for key in table:
        if key not in known:
            raise ValueError(f"notifications.{key}: unknown setting (known: {', '.join(sorted(known))})")
    webhook_url = _url(table.get("webhook_url"), "notifications.webhook_url", required=True)
    secret_file = table.get("secret_file")
    if not isinstance(secret_file, str) or not secret_file.strip():
        raise ValueError("notifications.secret_file: required: the path of a file holding the signing secret "
                         "(never the secret itself)")
    public_url = _url(table.get("public_url"), "notifications.public_url", required=False)
    defaults = NotificationSettings("", "")
    return NotificationSettings(
        webhook_url=webhook_url,
        secret_file=secret_file.strip(),
        turn_near=_whole(table, "turn_near", defaults.turn_near, 1, 50),
        reminder_hour=_whole(table, "reminder_hour", defaults.reminder_hour, 6, QUIET_FROM_HOUR - 1),
        public_url=public_url.rstrip("/") if public_url else None,
        retry_seconds=_whole(table, "retry_seconds", defaults.retry_seconds, 1, 3600),
        max_attempts=_whole(table, "max_attempts", defaults.max_attempts, 1, 20),
    )


def _whole(table: dict, key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"notifications.{key}: must be a whole number from {low} to {high}")
    return value


def _url(value, where: str, *, required: bool) -> str | None:
    """An http(s) address without credentials: a token in office.toml would be a secret in a file
    that is copied, mailed and shown on screens."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not re.match(r"^https?://\S+$", value):
        raise ValueError(f"{where}: must start with http:// or https://")
    parts = urlsplit(value)
    if not parts.hostname:
        raise ValueError(f"{where}: names no host")
    if parts.username or parts.password:
        raise ValueError(f"{where}: must not hold a user name or password; the receiver checks the signature")
    if parts.fragment:
        raise ValueError(f"{where}: must not have a #fragment")
    return value


# -- the once-only keys ---------------------------------------------------------------------

def created_key(booking: Booking) -> str:
    return f"{BOOKING_CREATED}:{booking.id}"


def reminder_key(booking: Booking) -> str:
    """Per booking and date: a booking moved to another day is reminded again."""
    return f"{BOOKING_REMINDER}:{booking.id}:{booking.business_date}"


def turn_near_key(ticket: Ticket) -> str:
    return f"{TURN_NEAR}:{ticket.id}"


def invited_key(ticket: Ticket) -> str:
    """Per invitation: a visitor whose invitation lapsed is told again when invited again."""
    return f"{INVITED}:{ticket.id}:{ticket.invite_misses}"


# -- payloads -------------------------------------------------------------------------------

def contact_of(contact: str) -> dict:
    """The normalised contact with its type, so a gateway picks WhatsApp/SMS or e-mail."""
    return {"type": EMAIL if "@" in contact else PHONE, "value": contact}


def booking_notification(kind: str, key: str, *, office_name: str, service_names: dict, booking: Booking,
                         link: str, zone: ZoneInfo) -> Notification:
    """`booking_created` or `booking_reminder`: useful until the slot starts."""
    payload = {"id": key, "kind": kind, "office": office_name, "contact": contact_of(booking.contact),
               "service": {"code": booking.service, "name": service_names},
               "booking": _booking_part(booking, zone), "link": link}
    return Notification(key, kind, payload, booking.starts_at)


def ticket_notification(kind: str, key: str, *, office_name: str, service_names: dict, booking: Booking,
                        ticket: Ticket, view: dict, link: str, zone: ZoneInfo, now: datetime,
                        invite_timeout: timedelta) -> Notification:
    """`turn_near` or `invited` for a checked-in booking's ticket, with what its phone page says."""
    part = {"number": ticket.number, "status": view["status"], "ahead": view["ahead"],
            "estimate_min": view["estimate_min"]}
    if kind == INVITED:
        come_in_by = (ticket.invited_at or now) + invite_timeout
        part["come_in_by"] = to_office_iso(come_in_by, zone)
        expires_at = come_in_by
    else:
        expires_at = now + TURN_NEAR_USEFUL
    payload = {"id": key, "kind": kind, "office": office_name, "contact": contact_of(booking.contact),
               "service": {"code": ticket.service, "name": service_names},
               "booking": _booking_part(booking, zone), "ticket": part, "link": link}
    return Notification(key, kind, payload, expires_at)


def _booking_part(booking: Booking, zone: ZoneInfo) -> dict:
    return {"code": booking.code, "date": booking.business_date, "start": booking.start, "end": booking.end,
            "starts_at": to_office_iso(booking.starts_at, zone)}


# -- when ---------------------------------------------------------------------------------

def reminder_window(now: datetime, zone: ZoneInfo, hour: int) -> tuple[str, datetime] | None:
    """(tomorrow's date, today's reminder moment) while the day-before reminders may go, else None."""
    local = now.astimezone(zone)
    if not hour <= local.hour < QUIET_FROM_HOUR:
        return None
    moment = datetime.combine(local.date(), time(hour), zone)
    return (local.date() + timedelta(days=1)).isoformat(), moment


def retry_delay(attempts: int, first_seconds: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: first, twice that, four times … capped."""
    return min(timedelta(seconds=first_seconds * 2 ** max(attempts - 1, 0)), RETRY_CAP)


# -- the signature ------------------------------------------------------------------------

def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`: the receiver recomputes it and rejects old timestamps,
    so a captured request cannot be replayed later."""
    return "sha256=" + hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(secret: bytes, timestamp: int, body: bytes, key: str) -> dict[str, str]:
    """The headers of one post: JSON, the delivery's key (to drop a duplicate), timestamp, signature."""
    return {"Content-Type": "application/json", "User-Agent": "Antrean-Webhook/1", DELIVERY_HEADER: key,
            TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}
