"""Connections, migrations and the write transaction: how Antrean talks to its SQLite file.

SQLite in WAL mode with `synchronous=FULL`, so a ticket the kiosk printed or a call the
officer saw survives a power cut. Every multi-step write runs inside `Store.write()`:

- an in-process lock keeps this server's writers in line without busy-waiting;
- `BEGIN IMMEDIATE` keeps other processes (the CLI, a backup, a second server) out;
- waiting for another process's write lock happens *here*, in Python, with short sleeps
  and a deadline, never inside SQLite's C busy handler: under gevent the handler would
  block the whole server loop, so one held lock froze every page and display. Past the
  deadline the write fails with `StoreBusy` (the API answers 503 `busy`);
- a failed COMMIT rolls back and drops the transaction's after-commit callbacks;
- in the gevent server, the requests' writes go through one writer connection, so several
  that arrive together (four officers pressing call-next at once) share one COMMIT and one
  flush to disk (group commit, `Store._write_shared`). Each still rolls back alone when it fails, and none answers
  before the commit that holds it has reached the disk;
- a full disk or a read-only file become `StoreFull` / `StoreReadOnly`, never a half write.

Reads need no lock in WAL mode and keep answering while another process writes.
"""
from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlite_utils

from ..domain.errors import StoreBusy, StoreFull, StoreReadOnly
from . import schema
from .accounts import Accounts
from .alarms import Alarms
from .audit import AuditLog
from .bookings import Bookings
from .checkpoints import Checkpoints
from .counters import Counters
from .deliveries import Deliveries
from .events import EventLog
from .feedback import Feedback
from .idempotency import Idempotency
from .lines import CounterLines
from .queue import QueueIndex
from .reports import Reports
from .screening import Screening
from .settings import Settings
from .tickets import Tickets

# Readers almost never wait in WAL mode; when they must (a checkpoint, recovery), briefly.
READ_BUSY_MS = 200
# How long a write waits for the database's write lock before answering "busy".
WRITE_WAIT_S = 5.0
_RETRY_SLEEP_S = (0.002, 0.005, 0.01, 0.02, 0.05)
# Request connections kept open for the next request (`connect(pooled=True)`): opening one,
# setting its pragmas and reading the schema cost ~7 % of issuing a ticket.
POOL_SIZE = 8


def _is(error: sqlite3.Error, code: int) -> bool:
    return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF == code


def storage_error(error: sqlite3.Error) -> Exception:
    """The domain's view of a storage failure the visitor or officer must be told about."""
    if _is(error, sqlite3.SQLITE_BUSY) or _is(error, sqlite3.SQLITE_LOCKED):
        return StoreBusy()
    if _is(error, sqlite3.SQLITE_FULL):
        return StoreFull()
    if _is(error, sqlite3.SQLITE_READONLY) or _is(error, sqlite3.SQLITE_CANTOPEN):
        return StoreReadOnly()
    return error


class _Route:
    """Where a `Connection`'s statements go: its own SQLite connection, or, inside a write, the
    store's writer, whose open transaction may also hold other writes waiting for the same commit.

    Every store module holds the route, not the SQLite connection, so a service keeps using the
    `db` it was given and its reads inside the write see the transaction they belong to.
    """

    __slots__ = ("target",)

    def __init__(self, target: sqlite3.Connection):
        self.target = target

    def execute(self, sql: str, parameters=()) -> sqlite3.Cursor:
        return self.target.execute(sql, parameters)

    def executemany(self, sql: str, rows) -> sqlite3.Cursor:
        return self.target.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.target.in_transaction

    def __getattr__(self, name: str):
        return getattr(self.target, name)

    def __enter__(self):
        return self.target.__enter__()

    def __exit__(self, *exc):
        return self.target.__exit__(*exc)


class _Batch:
    """The writes sharing the writer's open transaction: committed, and flushed to disk, together.

    Each write is a savepoint inside it, so one that fails is undone alone. Its members are
    answered only once `done`; `error` is what each of them raises when the commit failed.
    """

    __slots__ = ("writes", "callbacks", "appended", "done", "error")

    def __init__(self):
        self.writes = 0
        self.callbacks: list[Callable[[], None]] = []
        self.appended = False
        self.done = False
        self.error: BaseException | None = None


class Store:
    """The office database: opens connections, migrates, and runs write transactions."""

    def __init__(self, path: str | Path, *, write_wait: float = WRITE_WAIT_S, checkpoint_in_background: bool = False,
                 checkpoints: Checkpoints | None = None):
        self.path = str(path)
        self.write_wait = write_wait
        # A serving process checkpoints from its scheduler, not in a request's commit
        # (checkpoints.py); a second store of the process on the same file passes the first's.
        self.checkpoints = checkpoints or Checkpoints(self.path, in_background=checkpoint_in_background)
        self._write_lock = threading.Lock()
        # How a commit is run: in place, or (the gevent server) handed to an OS thread, so the
        # disk's flush holds up only the writers waiting for the lock, not every other request
        # and socket of the worker (docs/PERFORMANCE.md, "the commit off the loop").
        self.run_blocking: Callable[[Callable[[], object]], object] | None = None
        # Called after every commit that appended events (the relay's wake-up).
        self.on_events: Callable[[], None] | None = None
        self._pool: list[Connection] = []
        self._pool_lock = threading.Lock()
        # The connection every shared write runs on, and the transaction open on it (if any).
        self._writer: Connection | None = None
        self._batch: _Batch | None = None
        # How a finished write lets the writes that arrived with it join its commit before it is
        # made: under gevent, one turn of the loop (`gevent.sleep(0)`), in which requests already
        # read run up to their own write. None (threads, the CLI): each write on its own connection.
        self.gather: Callable[[], None] | None = None

    def connect(self, *, bookkeeping: bool = False, busy_ms: int = READ_BUSY_MS, pooled: bool = False,
                own_writes: bool = False) -> Connection:
        """A connection with the durability settings; one per request or worker.

        A `bookkeeping` connection writes only what may be lost to a power cut without harm
        (the relay's position: losing it re-delivers a second of events), so its commits do
        not wait for the disk as a ticket's must. A `pooled` one (a request's) is an idle
        connection of an earlier request when there is one, and goes back on `close`. In a
        store that gathers writes, a connection's writes go through the store's writer unless
        it is a bookkeeping one or asks for `own_writes` (migrations, the writer itself).
        """
        if pooled:
            if self._mounted_read_only():
                self.close_idle()   # a fresh connection meets the read-only mount and says so
            else:
                with self._pool_lock:
                    if self._pool:
                        return self._pool.pop()
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                              timeout=busy_ms / 1000)
        raw.execute(f"PRAGMA synchronous = {'NORMAL' if bookkeeping else 'FULL'}")
        raw.execute("PRAGMA foreign_keys = ON")
        # A savepoint's journal (every shared write is one) and a statement's stay in memory.
        # On a file they spilled past 64 KiB into a temporary file in /var/tmp, made and unlinked
        # for each commit: ~200 of the ~400 system calls of a burst of four call-nexts.
        raw.execute("PRAGMA temp_store = MEMORY")
        if self.checkpoints.in_background:
            raw.execute("PRAGMA wal_autocheckpoint = 0")
        return Connection(raw, self, pooled=pooled and not bookkeeping and busy_ms == READ_BUSY_MS,
                          own_writes=own_writes or bookkeeping)

    def _mounted_read_only(self) -> bool:
        """Whether the database's folder is now on a read-only mount (an operator or the kernel
        made it so): connections opened before would still write through their old handles."""
        try:
            return bool(os.statvfs(self.path).f_flag & os.ST_RDONLY)
        except OSError:
            return False

    def _give_back(self, connection: Connection) -> bool:
        """Keep a request's connection for the next request; False when it must be closed."""
        if connection.raw.in_transaction:
            return False   # a read or write left open by a fault: never hand that state on
        if self._mounted_read_only():
            return False   # nothing held open on a read-only mount: it can be lifted again
        with self._pool_lock:
            if len(self._pool) >= POOL_SIZE:
                return False
            self._pool.append(connection)
            return True

    def close_idle(self) -> None:
        """Close the pooled connections and the writer when no write is open on it (before the
        database file is replaced or removed, or a fault is handed to new connections)."""
        with self._pool_lock:
            idle, self._pool = self._pool, []
        for connection in idle:
            connection._own.close()
        if self._batch is None and self._writer is not None:
            writer, self._writer = self._writer, None
            writer._own.close()

    def migrate(self) -> int:
        """Bring the schema up to date; safe to call at every start. Returns the version.

        It runs before anything is served, so it may wait in SQLite's own busy handler: several
        commands started at once on a new office (or a server starting beside one) each wait
        while the first creates the file, whose rollback journal it holds exclusively until it
        is in WAL mode, instead of failing "database is locked" after a read's short wait.
        """
        connection = self.connect(busy_ms=int(self.write_wait * 1000), own_writes=True)
        try:
            self._into_wal(connection)
            version = connection.raw.execute("PRAGMA user_version").fetchone()[0]
            if version >= len(schema.MIGRATIONS):
                return version  # up to date: no write lock, so a read-only database still serves reads
            while True:
                with self.write(connection):
                    version = connection.raw.execute("PRAGMA user_version").fetchone()[0]
                    if version >= len(schema.MIGRATIONS):
                        return version
                    for statement in schema.split_statements(schema.MIGRATIONS[version]):
                        connection.raw.execute(statement)
                    connection.raw.execute(f"PRAGMA user_version = {version + 1}")
        finally:
            connection.close()

    def _into_wal(self, connection: Connection) -> None:
        """Put a new file in WAL mode, waiting while another process does the same.

        Switching a file out of its rollback journal needs it alone; when two processes open a
        new office at once, SQLite refuses one of them at once ("database is locked") instead of
        waiting in the busy handler, since each holds the lock the other wants. So the switch is
        tried again until the write wait runs out. Once in WAL mode the pragma changes nothing."""
        deadline = time.monotonic() + self.write_wait
        while True:
            try:
                connection.raw.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def check_writable(self, now: datetime) -> None:
        """Prove at start-up that the file takes writes (raises StoreReadOnly / StoreFull)."""
        connection = self.connect()
        try:
            with self.write(connection):
                connection.settings.set("server_started_at", now.isoformat(), None, now)
        finally:
            connection.close()

    @contextmanager
    def write(self, connection: Connection) -> Iterator[Connection]:
        """One multi-step write: lock, `BEGIN IMMEDIATE`, commit, then the callbacks.

        Callbacks run before the lock is released, so they see commits in order. In a store that
        gathers writes (the gevent server), those of ordinary connections share the writer
        (`_write_shared`); every other write runs on its own connection.
        """
        if self.gather is not None and not connection._own_writes:
            with self._write_shared(connection):
                yield connection
            return
        deadline = time.monotonic() + self.write_wait
        if not self._write_lock.acquire(timeout=self.write_wait):
            raise StoreBusy()
        try:
            if self._batch is not None:
                self._commit(self._batch)   # the writer's open transaction would lock this one out
            connection._begin_immediate(deadline)
            try:
                yield connection
                if self.run_blocking is None:
                    connection.raw.execute("COMMIT")
                else:
                    self.run_blocking(lambda: connection.raw.execute("COMMIT"))
            except BaseException as error:
                connection._abort()
                if isinstance(error, sqlite3.Error):
                    raise storage_error(error) from error
                raise
            callbacks, connection._after_commit = connection._after_commit, []
            appended, connection._appended = connection._appended, False
            self._committed(callbacks, appended)
        finally:
            self._write_lock.release()

    @contextmanager
    def _write_shared(self, connection: Connection) -> Iterator[Connection]:
        """A write on the writer connection, as a savepoint in its open transaction (group commit).

        A flush to disk (`synchronous=FULL`) costs about as much as the write itself, and under
        gevent it holds up the whole worker. When several writes arrive together, the first
        lets the others run up to the end of their own write (`gather`) before committing, and
        one flush covers them all (docs/PERFORMANCE.md, "group commit"). A write that fails rolls
        back to its savepoint and leaves the others' writes alone; a failed commit fails them all.
        No write returns before the commit that holds it: what a client is told succeeded is on disk.
        """
        deadline = time.monotonic() + self.write_wait
        if not self._write_lock.acquire(timeout=self.write_wait):
            raise StoreBusy()
        try:
            batch = self._open_batch(deadline)
            writer = self._writer._own
            writer.execute("SAVEPOINT write")
            connection.raw.target = writer
            try:
                yield connection
                writer.execute("RELEASE write")
            except BaseException as error:
                self._undo_write(batch, connection, error)
                if isinstance(error, sqlite3.Error):
                    raise storage_error(error) from error
                raise
            finally:
                connection.raw.target = connection._own
            batch.writes += 1
            batch.callbacks.extend(connection._after_commit)
            batch.appended = batch.appended or connection._appended
            connection._after_commit, connection._appended = [], False
        finally:
            self._write_lock.release()
        if not batch.done:
            try:
                self.gather()
            finally:
                with self._write_lock:
                    if not batch.done:
                        self._commit(batch)
        if batch.error is not None:
            raise batch.error

    @property
    def pending_writes(self) -> int:
        """How many finished writes wait in the writer's open transaction for their commit."""
        batch = self._batch
        return batch.writes if batch is not None else 0

    def _open_batch(self, deadline: float) -> _Batch:
        """The writer's open transaction, begun now (waiting for other processes) when none is."""
        if self._batch is not None:
            return self._batch
        if self._writer is not None and self._mounted_read_only():
            self._writer._own.close()   # a fresh connection meets the read-only mount and says so
            self._writer = None
        if self._writer is None:
            self._writer = self.connect(busy_ms=0, own_writes=True)
        self._writer._begin_immediate(deadline, busy_ms=0)
        self._batch = _Batch()
        return self._batch

    def _undo_write(self, batch: _Batch, connection: Connection, error: BaseException) -> None:
        """Roll one failed write back to its savepoint; the whole batch when that cannot be done."""
        connection._after_commit, connection._appended = [], False
        writer = self._writer._own
        try:
            if not writer.in_transaction:
                raise error   # SQLite rolled the whole transaction back (a full disk, an I/O error)
            writer.execute("ROLLBACK TO write")
            writer.execute("RELEASE write")
        except BaseException as lost:
            self._end_batch(batch, lost)
            return
        if batch.writes == 0:
            self._end_batch(batch, None)   # nothing else in it: end the transaction now

    def _commit(self, batch: _Batch) -> None:
        """COMMIT the batch (one flush for all its writes), then run their callbacks in order."""
        writer = self._writer._own
        try:
            if self.run_blocking is None:
                writer.execute("COMMIT")
            else:
                self.run_blocking(lambda: writer.execute("COMMIT"))
        except BaseException as error:
            self._end_batch(batch, error)
            return
        self._batch = None
        batch.done = True
        self._committed(batch.callbacks, batch.appended)

    def _committed(self, callbacks: list[Callable[[], None]], appended: bool) -> None:
        """After a commit: its writes' callbacks in order, then the relay's wake-up if events were appended."""
        self.checkpoints.committed()
        for callback in callbacks:
            callback()
        if appended and self.on_events is not None:
            self.on_events()

    def _end_batch(self, batch: _Batch, error: BaseException | None) -> None:
        """Roll back whatever the batch still holds; its writes fail with `error` (mapped)."""
        writer = self._writer._own
        if writer.in_transaction:
            try:
                writer.execute("ROLLBACK")
            except sqlite3.Error:
                pass   # the connection already rolled back on its own
        self._batch = None
        batch.done = True
        if error is not None:
            batch.error = storage_error(error) if isinstance(error, sqlite3.Error) else error


class Connection:
    """A connection and the stores of each concept hanging off it (`db.tickets`, `db.events`…)."""

    def __init__(self, raw: sqlite3.Connection, store: Store, *, pooled: bool = False, own_writes: bool = False):
        self._own = raw
        self.raw = _Route(raw)
        raw = self.raw
        self.store = store
        self._pooled = pooled
        self._own_writes = own_writes
        self.sqlite_utils = sqlite_utils.Database(raw)
        self._after_commit: list[Callable[[], None]] = []
        self._appended = False
        self.audit = AuditLog(raw)
        self.tickets = Tickets(raw, self.audit)
        self.queue = QueueIndex(raw)
        self.bookings = Bookings(raw)
        self.counters = Counters(raw)
        self.accounts = Accounts(raw, self.sqlite_utils)
        self.settings = Settings(raw)
        self.idempotency = Idempotency(raw)
        self.screening = Screening(raw)
        self.events = EventLog(raw, self)
        self.deliveries = Deliveries(raw)
        self.alarms = Alarms(raw)
        self.lines = CounterLines(raw)
        self.feedback = Feedback(raw)
        self.reports = Reports(raw)

    def close(self) -> None:
        self._after_commit = []
        self._appended = False
        if self._pooled and self.store._give_back(self):
            return
        self._own.close()

    def _begin_immediate(self, deadline: float, *, busy_ms: int = READ_BUSY_MS) -> None:
        """Take the write lock, waiting cooperatively (short sleeps) until `deadline`.

        SQLite's own wait is switched off meanwhile; `busy_ms` is what it is set back to (the
        writer keeps 0: inside its transaction nothing waits)."""
        if busy_ms:
            self.raw.execute("PRAGMA busy_timeout = 0")
        try:
            attempt = 0
            while True:
                try:
                    self.raw.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    mapped = storage_error(error)
                    if not isinstance(mapped, StoreBusy):
                        raise mapped from error
                    if time.monotonic() >= deadline:
                        raise mapped from error
                # time.sleep yields to other greenlets under gevent's monkey patching.
                time.sleep(_RETRY_SLEEP_S[min(attempt, len(_RETRY_SLEEP_S) - 1)])
                attempt += 1
        finally:
            if busy_ms:
                self.raw.execute(f"PRAGMA busy_timeout = {busy_ms}")

    def _abort(self) -> None:
        """Roll back whatever is open (also after a failed COMMIT) and forget the callbacks."""
        self._after_commit = []
        self._appended = False
        if self.raw.in_transaction:
            try:
                self.raw.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection already rolled back on its own (e.g. disk I/O error)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """A read transaction, so several reads see one consistent state."""
        if self.raw.in_transaction:
            yield
            return
        self.raw.execute("BEGIN")
        try:
            yield
        finally:
            if self.raw.in_transaction:
                self.raw.execute("COMMIT")

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the current write has committed (never if it rolls back)."""
        self._after_commit.append(callback)

    def _event_appended(self) -> None:
        self._appended = True
