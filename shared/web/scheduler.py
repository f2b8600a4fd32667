"""Timed jobs of the serving process: lapsed invitations, bookings nobody came for, and, with
`[notifications]` in office.toml, sending notifications and the day-before reminders (their
jobs come from `shared/web/notifications.py`, which holds the webhook's settings).

Each job runs every so many seconds on a background task and reads time through the
office's clock, like requests and the relay. A job's failure is logged and the next
round runs anyway.
"""
from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..domain.backups import FOLDER as BACKUP_FOLDER
from ..office import Office
from ..services import backups, bookings, capacity, privacy
from ..store import Connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A named job and how often it runs."""

    name: str
    every_seconds: float
    run: Callable[[Office, Connection], object]
    # The first round's delay; None waits a full period (0: at start, as the daily purge does).
    first_after_seconds: float | None = None


# How often a serving process copies its WAL into the database file (store/checkpoints.py, on
# an OS thread under gevent): at the busiest measured, ~600 call-nexts a second, half a second
# of commits is ~2,500 WAL pages, most of them the same few hundred pages written again.
CHECKPOINT_SECONDS = 0.5

JOBS = (
    Job("expire invitations", 15, capacity.expire_invitations),
    Job("mark absent bookings", 60, bookings.mark_absent),
    Job("checkpoint", CHECKPOINT_SECONDS, lambda office, _db: office.store.checkpoints.run()),
)


DAY_SECONDS = 24 * 3600
BACKUP_CHECK_SECONDS = 600
BACKUP_TIMEOUT_S = 1800


def upkeep_jobs(instance_root: Path) -> tuple[Job, ...]:
    """The privacy purge (at start, then daily) and the daily backup into `backups/` of the
    instance folder (checked every ten minutes, the first time a minute after start)."""
    folder = Path(instance_root) / BACKUP_FOLDER
    copy = _copy_in_own_process(Path(instance_root))
    return (
        Job("privacy purge", DAY_SECONDS, privacy.purge, first_after_seconds=0),
        Job("daily backup", BACKUP_CHECK_SECONDS, lambda office, db: backups.daily(office, db, folder, copy),
            first_after_seconds=60),
    )


def _copy_in_own_process(instance_root: Path) -> Callable[[Path], None]:
    """A copier running `antrean backup` as a child process: copying and checking a large
    database takes a second or more of SQLite work, which would stall every socket of this
    event loop; waiting for a child does not (gevent's subprocess yields)."""
    def copy(target: Path) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "shared.cli", "--instance", str(instance_root), "backup", str(target)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=BACKUP_TIMEOUT_S,
        )
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
            raise backups.BackupError(last)
    return copy


def start_scheduler(office: Office, spawn: Callable[[Callable[[], None]], object],
                    sleep: Callable[[float], None], jobs: tuple[Job, ...] = JOBS) -> None:
    """Start one background task per job, each with its own connection."""
    for job in jobs:
        spawn(lambda job=job: _loop(office, job, sleep))


def _loop(office: Office, job: Job, sleep: Callable[[float], None]) -> None:
    db = office.store.connect()
    wait = job.every_seconds if job.first_after_seconds is None else job.first_after_seconds
    while True:
        sleep(wait)
        wait = job.every_seconds
        try:
            job.run(office, db)
        except Exception:  # keep the schedule whatever one round does
            log.exception("scheduled job failed: %s", job.name)
