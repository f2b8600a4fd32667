"""How long personal data is kept, and the rule that says what is past it (UU PDP 27/2022).

Antrean collects little: no identity at the kiosk; an optional contact (a phone number or
an e-mail address) with a booking, for reminders; survey answers, with an optional comment,
tied to a ticket but to nobody. What is personal is kept `retention_days`, then removed,
while the rows it sat on stay so the office's statistics keep their counts:

- a booking's contact is needed until its date has passed (the day-before reminder, the
  check-in): its retention counts from the booking's date, never from when it was made, so a
  booking still ahead keeps its contact however long ago it was made;
- a notification's payload (it names the contact) counts from when it was queued; a sent or
  abandoned one has lost its payload already;
- a survey comment counts from when it was given; its score stays.

The durable event log carries no contact (events name tickets, bookings, counters and staff
by id or code), but it grows with every ticket: events older than `EVENT_KEEP` that every
relay has handed on are deleted, long after any display could ask for them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

DEFAULT_RETENTION_DAYS = 30
MAX_RETENTION_DAYS = 3650
# Displays replay the calls of the last minutes after a reconnect; days are plenty.
EVENT_KEEP = timedelta(days=3)


@dataclass(frozen=True)
class PrivacySettings:
    """The `[privacy]` table of office.toml."""

    retention_days: int = DEFAULT_RETENTION_DAYS
    contact: str | None = None   # where a visitor asks about their data (shown on the notice page)


@dataclass(frozen=True)
class Cutoffs:
    """What a purge at one instant removes: everything strictly before these."""

    booking_date: str        # bookings of earlier business dates lose their contact
    given_before: datetime   # notification payloads and survey comments made earlier are removed
    events_before: datetime  # relayed events logged earlier are deleted


@dataclass(frozen=True)
class PurgeCounts:
    """What one purge removed, by kind; all zero when nothing was due."""

    booking_contacts: int = 0
    notification_payloads: int = 0
    survey_comments: int = 0
    events: int = 0
    # First answers to retried requests (`Idempotency-Key`): nothing personal, but they would
    # grow forever; a retry comes within minutes.
    request_keys: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"booking_contacts": self.booking_contacts, "notification_payloads": self.notification_payloads,
                "survey_comments": self.survey_comments, "events": self.events, "request_keys": self.request_keys}


def cutoffs(now: datetime, today: str, retention_days: int) -> Cutoffs:
    """The purge's limits at `now`, when the office's business date is `today`.

    A booking dated D keeps its contact through D + retention_days; the purge on the next day
    removes it.
    """
    kept = timedelta(days=retention_days)
    return Cutoffs(
        booking_date=(date.fromisoformat(today) - kept).isoformat(),
        given_before=now - kept,
        events_before=now - EVENT_KEEP,
    )


def settings_from_table(table: dict | None) -> PrivacySettings:
    """Validate `[privacy]`; raises ValueError naming the field."""
    table = table or {}
    if not isinstance(table, dict):
        raise ValueError("privacy: must be a table")
    unknown = sorted(set(table) - {"retention_days", "contact"})
    if unknown:
        raise ValueError(f"privacy.{unknown[0]}: unknown setting (known: retention_days, contact)")
    days = table.get("retention_days", DEFAULT_RETENTION_DAYS)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValueError(f"privacy.retention_days: must be a whole number of days from 1 to {MAX_RETENTION_DAYS}")
    contact = table.get("contact")
    if contact is not None and (not isinstance(contact, str) or len(contact.strip()) > 200):
        raise ValueError("privacy.contact: must be text (at most 200 characters), e.g. an e-mail address or a desk")
    return PrivacySettings(days, contact.strip() or None if contact else None)
