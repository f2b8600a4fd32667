"""Copies of the database file: taking one while the office serves, checking one, putting one back.

A copy is taken with SQLite's online backup API in a single step from a connection of its
own: one read transaction, so the copy is one consistent moment of the office even while
kiosks keep issuing tickets (under WAL a reader never blocks a writer, and a writer never
waits for the copy). The copy is switched out of WAL mode, so it is one self-contained file,
checked with `PRAGMA integrity_check`, written owner-only (0600) under a temporary name and
renamed into place: a half-written copy never carries the final name.

Putting a copy back checks it first (an SQLite file, intact, an Antrean schema no newer than
this code's), keeps the current database aside, and replaces the file only then; stale
`-wal`/`-shm` files of the old database are removed first, since SQLite would otherwise
apply the old database's log to the restored file.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..durable import sync_file, sync_folder
from . import schema

_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")
# Tables every Antrean database has had since its first version.
_OUR_TABLES = {"tickets", "ticket_events", "ticket_numbers", "users", "kiosks"}


class BackupError(Exception):
    """A copy could not be taken, or a file is not one that may be restored; says why."""


@dataclass(frozen=True)
class CopyInfo:
    """A checked copy: where it is, its size and its schema version."""

    path: Path
    size: int
    version: int


def copy_database(source: str | Path, target: str | Path, *, vacuum: bool = False) -> CopyInfo:
    """A consistent, checked copy of the database at `source`, written atomically to `target`.

    With `vacuum`, `VACUUM INTO` writes a compacted copy instead of the page-for-page backup
    (docs/PERFORMANCE.md compares the two under load).
    """
    target = Path(target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    _remove(temporary)
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        reader = sqlite3.connect(Path(source), timeout=5.0)   # it only reads
        try:
            if vacuum:
                reader.execute("VACUUM INTO ?", (str(temporary),))
            else:
                copy = sqlite3.connect(temporary)
                try:
                    reader.backup(copy)   # every page in one step: one read snapshot
                finally:
                    copy.close()
        finally:
            reader.close()
        version = check_file(temporary, make_standalone=True)
        sync_file(temporary)
        os.replace(temporary, target)
        sync_folder(target.parent)
    except sqlite3.Error as error:
        raise BackupError(f"the copy could not be taken: {error}") from error
    finally:
        _remove(temporary)
        for suffix in _SIDE_FILES:
            _remove(Path(f"{temporary}{suffix}"))
    return CopyInfo(target, target.stat().st_size, version)


def check_file(path: str | Path, *, make_standalone: bool = False, name: str | None = None) -> int:
    """The schema version of an intact Antrean database file; BackupError saying why not.

    `make_standalone` switches the file out of WAL mode (it must be a file nobody else uses);
    `name` is what the messages call the file (default: its own name).
    """
    path = Path(path)
    label = name or path.name
    try:
        with open(path, "rb") as handle:
            header = handle.read(len(_MAGIC))
    except OSError as error:
        raise BackupError(f"{label} cannot be read: {error.strerror}") from None
    if header != _MAGIC:
        raise BackupError(f"{label} is not an SQLite database (so not an Antrean backup)")
    try:
        connection = sqlite3.connect(path, timeout=1.0)
        try:
            if make_standalone:
                connection.execute("PRAGMA journal_mode = DELETE")
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise BackupError(f"{label} is damaged (integrity_check: {'; '.join(problems)})")
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{label} is not a readable database: {error}") from None
    if not _OUR_TABLES <= tables:
        raise BackupError(f"{label} is an SQLite database but not an Antrean one "
                          f"(missing tables: {', '.join(sorted(_OUR_TABLES - tables))})")
    if version > len(schema.MIGRATIONS):
        raise BackupError(f"{label} comes from a newer Antrean (schema version {version}; this one knows "
                          f"{len(schema.MIGRATIONS)}): update this installation first")
    return version


def restore_file(database: str | Path, backup: str | Path, aside: str | Path) -> int:
    """Replace `database` with a checked copy of `backup`, the current one moved to `aside`.

    Nothing may have the database open (the caller proves the server is stopped). On any
    refusal the current database is left exactly as it was. Returns the restored version.
    """
    database, aside = Path(database), Path(aside)
    incoming = database.with_name(f".{database.name}.restoring")
    _remove(incoming)
    try:
        with open(backup, "rb") as source, open(os.open(incoming, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600),
                                                "wb") as sink:
            while chunk := source.read(1 << 20):
                sink.write(chunk)
    except OSError as error:
        _remove(incoming)
        raise BackupError(f"{Path(backup).name} cannot be read: {error.strerror}") from None
    try:
        version = check_file(incoming, name=Path(backup).name)
        for suffix in _SIDE_FILES:   # the check may have left a journal of its own
            _remove(Path(f"{incoming}{suffix}"))
        sync_file(incoming)
        if database.exists():
            _set_aside(database, aside)
        for suffix in _SIDE_FILES:
            _remove(Path(f"{database}{suffix}"))
        os.replace(incoming, database)
        sync_folder(database.parent)
    finally:
        _remove(incoming)
    return version


def _set_aside(database: Path, aside: Path) -> None:
    """Move the current database to `aside` with its log folded in (or beside it, if it cannot be)."""
    try:
        connection = sqlite3.connect(database, timeout=1.0)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error:
        pass   # a damaged database: its side files travel with it below
    os.replace(database, aside)
    for suffix in _SIDE_FILES:
        side = Path(f"{database}{suffix}")
        if side.exists() and side.stat().st_size:
            os.replace(side, Path(f"{aside}{suffix}"))


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
