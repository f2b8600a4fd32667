"""Backups of the office: a copy on demand, the daily copy with its rotation, and a restore.

Not a write use case like the other services: a copy is one read snapshot (the store's
online backup), so the kiosks and counters keep writing while it is taken. The rules of the
daily copy (when, what name, which to delete) are `domain.backups`; the file work is
`store.backups`. The daily copy never fails silently and never takes the last free space:
a copy that fails or would not fit is logged as an error (counts and sizes, nothing
personal) and the server goes on serving.
"""
from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..domain import backups as rules
from ..office import Office
from ..store import Connection, Store
from ..store.backups import BackupError, CopyInfo, check_file, copy_database, restore_file

log = logging.getLogger(__name__)

# A copy is taken only while at least this much would stay free on the disk afterwards.
MIN_FREE_AFTER_BYTES = 200 * 1024 * 1024

__all__ = ["BackupError", "backup", "check", "daily", "restore"]


def backup(store: Store, target: str | Path) -> CopyInfo:
    """A consistent, checked copy of the office database at `target` (0600, written atomically)."""
    target = Path(target).resolve()
    if target == Path(store.path).resolve():
        raise BackupError("the backup file cannot be the database itself")
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    return copy_database(store.path, target)


def check(path: str | Path) -> int:
    """The schema version of a file that may be restored; BackupError saying why it may not."""
    return check_file(path)


def restore(database: str | Path, file: str | Path, now: datetime) -> Path | None:
    """Put the backup `file` in place of `database` (the server must be stopped); the path the
    current database was kept at, `<database>.before-restore-<UTC time>` (None: there was none,
    as on new hardware)."""
    database = Path(database)
    aside = database.with_name(f"{database.name}.before-restore-{now.strftime('%Y%m%dT%H%M%SZ')}")
    restore_file(database, file, aside)
    return aside if aside.exists() else None


def daily(office: Office, _db: Connection, folder: str | Path,
          copy: Callable[[Path], object] | None = None) -> Path | None:
    """Take today's copy into `folder` if it is due, then delete the oldest beyond `keep`.

    `copy(target)` takes the copy (default: here, with `store.backups`; the serving process
    passes one that runs `antrean backup` in a process of its own, so its event loop never
    waits for the disk). Returns the new copy, or None when none was due or it failed (the
    failure is logged).
    """
    settings = office.config.backup
    folder = Path(folder)
    now = office.clock()
    today = office.today(now)
    names = [item.name for item in folder.iterdir()] if folder.is_dir() else []
    if not rules.due(now.astimezone(office.config.zone), today, names, settings):
        return None
    taken = _take_daily(office, folder / rules.daily_name(today),
                        copy or (lambda target: copy_database(office.store.path, target)))
    if taken is not None:
        names.append(taken.name)
    for name in rules.to_remove(names, settings.keep):
        (folder / name).unlink(missing_ok=True)
    _remove_leftovers(folder, names)
    return taken


def _remove_leftovers(folder: Path, names: list[str]) -> None:
    """Delete what a copy that crashed half-way left (its `.partial` files), once no copy can
    still be writing it: the daily copy runs one at a time, and this one has finished."""
    for name in rules.leftover_partials(names):
        (folder / name).unlink(missing_ok=True)
        log.warning("daily backup: removed %s, left by a copy that did not finish", name)


def _take_daily(office: Office, target: Path, copy: Callable[[Path], object]) -> Path | None:
    folder = target.parent
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        needed = Path(office.store.path).stat().st_size
        free = shutil.disk_usage(folder).free
        if free - needed < MIN_FREE_AFTER_BYTES:
            log.error("daily backup skipped: the disk holding %s has %d MB free and a copy needs %d MB, "
                      "keeping at least %d MB free; free some space or lower [backup] keep",
                      folder, free >> 20, needed >> 20, MIN_FREE_AFTER_BYTES >> 20)
            return None
        copy(target)
        size = target.stat().st_size
    except (BackupError, OSError) as error:
        log.error("daily backup failed (%s): %s", type(error).__name__, error)
        return None
    log.info("daily backup written: %s (%d KB)", target.name, size >> 10)
    return target
