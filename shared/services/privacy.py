"""Removing personal data past the office's retention period (`[privacy] retention_days`).

One write: booking contacts, notification payloads and survey comments past the period
(the rule is `domain.privacy`), and the relayed event log older than a few days. Rows stay,
so the statistics keep their counts: a booking still counts on its day, a rating keeps its
score. Run by a daily job of the serving process and by `antrean purge`; it logs counts only.
"""
from __future__ import annotations

import logging

from ..domain import audit
from ..domain.privacy import PurgeCounts, cutoffs
from ..office import Office
from ..store import Connection
from .unit import write

log = logging.getLogger(__name__)


def purge(office: Office, db: Connection, *, by: audit.Actor = audit.SYSTEM) -> PurgeCounts:
    """Remove what is past retention now; how many of each kind were removed.

    The audit trail records a purge that removed something, and every one asked for at the
    command line (`by`), with the counts only."""
    with write(office, db) as unit:
        limits = cutoffs(unit.now, unit.today, office.config.privacy.retention_days)
        counts = PurgeCounts(
            booking_contacts=db.bookings.forget_contacts(limits.booking_date),
            notification_payloads=db.deliveries.forget_payloads(limits.given_before, unit.now),
            survey_comments=db.feedback.purge_comments(limits.given_before),
            events=db.events.prune(limits.events_before),
            request_keys=db.idempotency.prune(limits.events_before),
        )
        if by != audit.SYSTEM or any(counts.as_dict().values()):
            unit.audit("privacy.purged", by, **counts.as_dict())
    if any(counts.as_dict().values()):
        log.info("privacy purge: %s", ", ".join(f"{kind} {count}" for kind, count in counts.as_dict().items()))
    return counts
