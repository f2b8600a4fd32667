"""The audit trail's rule: each row's hash covers its content and the previous row's hash.

An office must be able to show that nobody quietly edited its history: a ticket marked
served that never was, a cap raised by someone who denies it. Every audit row therefore
carries `hash = sha256(previous hash + the row's canonical content)`. Editing a row changes
its hash; deleting or reordering rows breaks the link to the next one. `verify` walks the
chain and names the first row that does not fit.

Ticket state changes are also kept in `ticket_events` (the statistics' source): each of
their audit rows repeats the change (from, to, service, counter, staff, time), so an edit of
`ticket_events` — a faked report — is caught too, and so is a deleted audit row of one.

What a chain alone cannot show is the loss of its newest rows: `verify` reports the head
(last id and hash) so an office can note it, and every backup carries it.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from ..i18n import N_

GENESIS = "0" * 64

# Who acted: an officer/supervisor/admin, a registered kiosk, the visitor on their phone or
# at a kiosk screen, the server itself (timed jobs), or someone at the server's command line.
ACTOR_KINDS = ("staff", "kiosk", "visitor", "system", "cli")


@dataclass(frozen=True)
class Actor:
    """Who did something; `id` is the staff account's or the kiosk's id, else None."""

    kind: str
    id: int | None = None

    def __post_init__(self):
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}")


SYSTEM = Actor("system")
VISITOR = Actor("visitor")
CLI = Actor("cli")


def staff(staff_user) -> Actor:
    """The actor for a signed-in staff user (None → the server itself)."""
    return Actor("staff", staff_user.id) if staff_user is not None else SYSTEM


@dataclass(frozen=True)
class AuditRecord:
    """One row as stored: what the hash covers, plus the link and the hash."""

    id: int
    at: str
    actor_kind: str
    actor_id: int | None
    action: str
    ticket_id: int | None
    ticket_event: int | None
    counter: int | None
    detail: str | None
    prev_hash: str
    hash: str

    def content(self) -> tuple:
        return (self.id, self.at, self.actor_kind, self.actor_id, self.action, self.ticket_id,
                self.ticket_event, self.counter, self.detail)


def canonical_detail(detail: dict | None) -> str | None:
    """A detail dict as the one text that is stored and hashed (sorted keys, no spaces)."""
    if not detail:
        return None
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, content: tuple) -> str:
    """The hash of a row: the previous hash and the row's content, as canonical JSON."""
    text = json.dumps([prev_hash, *content], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket_action(from_status: str | None, to_status: str) -> str:
    """The audit action of a ticket's state change."""
    if from_status is None:
        return "ticket.issued"
    if from_status == to_status:
        return "ticket.updated"
    return f"ticket.{to_status}"


def ticket_change_detail(from_status, to_status, service, staff_id, kiosk_id, note) -> dict:
    """What an audit row repeats of a `ticket_events` row (so an edit of either is caught)."""
    detail = {"from": from_status, "to": to_status, "service": service}
    if staff_id is not None:
        detail["staff"] = staff_id
    if kiosk_id is not None:
        detail["kiosk"] = kiosk_id
    if note:
        detail["note"] = note
    return detail


@dataclass(frozen=True)
class Break:
    """The first row that does not fit the chain, and why (`reason` a msgid with `params`)."""

    row_id: int
    reason: str
    params: dict = field(default_factory=dict)

    def explain(self) -> str:
        """The reason in English (the command line's language)."""
        return self.reason % self.params


MISSING_BEFORE = N_("a row before this one is missing (deleted)")
OUT_OF_ORDER = N_("rows are out of order")
UNLINKED = N_("it does not link to the row before it (a row was deleted, inserted or moved)")
EDITED = N_("its content does not match its seal (the row was edited)")
EVENT_MISSING = N_("the ticket change it repeats is missing from ticket_events")
EVENT_CHANGED = N_("the ticket change it repeats was edited in ticket_events")
START_REMOVED = N_("the trail's starting point was removed from the settings")
DIVERGED = N_("the trail no longer holds this row as it was when the backup was taken (rows were deleted or "
              "rewritten since)")
UNAUDITED = N_("ticket change %(event)s in ticket_events has no audit row (rows were deleted)")


@dataclass(frozen=True)
class Verdict:
    """The outcome of walking the chain: intact (`broken` None) or where it breaks."""

    rows: int
    head_id: int
    head_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


class ChainWalker:
    """Walks rows in id order, one at a time (so a large trail is never held in memory)."""

    def __init__(self):
        self.rows = 0
        self.previous_id: int | None = None
        self.previous_hash = GENESIS
        self.broken: Break | None = None

    def step(self, record: AuditRecord) -> bool:
        """Check one row; False (and `broken` set) at the first that does not fit."""
        expected_id = 1 if self.previous_id is None else self.previous_id + 1
        if record.id != expected_id:
            reason = MISSING_BEFORE if record.id > expected_id else OUT_OF_ORDER
            return self._break(record.id if record.id > expected_id else expected_id, reason)
        if record.prev_hash != self.previous_hash:
            return self._break(record.id, UNLINKED)
        if chain_hash(record.prev_hash, record.content()) != record.hash:
            return self._break(record.id, EDITED)
        self.rows += 1
        self.previous_id, self.previous_hash = record.id, record.hash
        return True

    def _break(self, row_id: int, reason: str) -> bool:
        self.broken = Break(row_id, reason)
        return False

    def verdict(self) -> Verdict:
        return Verdict(self.rows, self.previous_id or 0, self.previous_hash, self.broken)


def check_ticket_event(record: AuditRecord, event_row: tuple | None) -> str | None:
    """Why a ticket audit row disagrees with its `ticket_events` row, or None when they agree.

    `event_row` is (ticket_id, from, to, service, counter, staff_id, kiosk_id, at, detail).
    """
    if event_row is None:
        return EVENT_MISSING
    ticket_id, from_status, to_status, service, counter, staff_id, kiosk_id, at, note = event_row
    expected = canonical_detail(ticket_change_detail(from_status, to_status, service, staff_id, kiosk_id, note))
    if (record.ticket_id, record.counter, record.at, record.detail) != (ticket_id, counter, at, expected):
        return EVENT_CHANGED
    return None
