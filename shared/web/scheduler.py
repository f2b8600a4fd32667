"""Timed jobs of the serving process: lapsed invitations, bookings nobody came for, and, with
`[notifications]` in office.toml, sending notifications and the day-before reminders (their
jobs come from `shared/web/notifications.py`, which holds the webhook's settings).

Each job runs every so many seconds on a background task and reads time through the
office's clock, like requests and the relay. A job's failure is logged and the next
round runs anyway.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..office import Office
from ..services import bookings, capacity
from ..store import Connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A named job and how often it runs."""

    name: str
    every_seconds: float
    run: Callable[[Office, Connection], object]


JOBS = (
    Job("expire invitations", 15, capacity.expire_invitations),
    Job("mark absent bookings", 60, bookings.mark_absent),
)


def start_scheduler(office: Office, spawn: Callable[[Callable[[], None]], object],
                    sleep: Callable[[float], None], jobs: tuple[Job, ...] = JOBS) -> None:
    """Start one background task per job, each with its own connection."""
    for job in jobs:
        spawn(lambda job=job: _loop(office, job, sleep))


def _loop(office: Office, job: Job, sleep: Callable[[float], None]) -> None:
    db = office.store.connect()
    while True:
        sleep(job.every_seconds)
        try:
            job.run(office, db)
        except Exception:  # keep the schedule whatever one round does
            log.exception("scheduled job failed: %s", job.name)
