"""The store: durable settings, idempotent migrations, numbering, the write transaction's faults, the event log."""
import os
import threading
from datetime import datetime, timezone

import pytest

from shared.domain.errors import StoreBusy, StoreFull, StoreReadOnly
from shared.domain.events import QueueChanged, TicketCalled
from shared.store import Store
from shared.store.database import READ_BUSY_MS
from shared.store.schema import MIGRATIONS

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    return store


def test_durability_settings(store):
    db = store.connect()
    assert db.raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.raw.execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL
    # Readers wait only briefly in SQLite's own handler; writers wait in Python (see below).
    assert db.raw.execute("PRAGMA busy_timeout").fetchone()[0] == READ_BUSY_MS
    assert db.raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrations_are_idempotent(store):
    assert store.migrate() == len(MIGRATIONS)
    assert store.migrate() == len(MIGRATIONS)


def test_numbers_restart_each_business_day_per_service(store):
    db = store.connect()
    with store.write(db):
        first = [db.tickets.next_sequence("2026-11-25", "a") for _ in range(3)]
        other_service = db.tickets.next_sequence("2026-11-25", "b")
        next_day = db.tickets.next_sequence("2026-11-26", "a")
    assert first == [1, 2, 3]
    assert other_service == 1
    assert next_day == 1


def test_concurrent_numbering_has_no_gaps_or_duplicates(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    numbers, errors = [], []

    def draw():
        db = store.connect()
        try:
            for _ in range(50):
                with store.write(db):
                    numbers.append(db.tickets.next_sequence("2026-11-25", "a"))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            db.close()

    threads = [threading.Thread(target=draw) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(numbers) == list(range(1, 301))


def test_other_processes_numbering_is_serialised_by_the_database(tmp_path):
    """Two Store objects (as two processes would have) still never share a number."""
    path = tmp_path / "antrean.sqlite3"
    first, second = Store(path), Store(path)
    first.migrate()
    a, b = first.connect(), second.connect()
    with first.write(a):
        one = a.tickets.next_sequence("2026-11-25", "a")
    with second.write(b):
        two = b.tickets.next_sequence("2026-11-25", "a")
    assert (one, two) == (1, 2)


def test_unique_constraint_backs_the_counter(store):
    db = store.connect()
    with store.write(db):
        db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=1, number="A-001",
                         status="waiting", channel="walk_in", kiosk_id=None, now=NOW)
    with pytest.raises(Exception, match="UNIQUE"):
        with store.write(db):
            db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=1, number="A-001",
                             status="waiting", channel="walk_in", kiosk_id=None, now=NOW)


def test_failed_write_rolls_back_and_skips_callbacks(store):
    db = store.connect()
    called = []
    with pytest.raises(RuntimeError):
        with store.write(db):
            db.tickets.next_sequence("2026-11-25", "a")
            db.after_commit(lambda: called.append(True))
            raise RuntimeError("boom")
    assert called == []
    with store.write(db):
        assert db.tickets.next_sequence("2026-11-25", "a") == 1


def test_guarded_state_change_refuses_a_stale_ticket(store):
    db = store.connect()
    with store.write(db):
        ticket = db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=1,
                                  number="A-001", status="waiting", channel="walk_in", kiosk_id=None, now=NOW)
        db.tickets.change(ticket, "called", now=NOW, counter=1, called_at=NOW)
    with pytest.raises(LookupError):
        with store.write(db):
            db.tickets.change(ticket, "called", now=NOW, counter=2, called_at=NOW)   # stale: still says waiting
    assert [event["to_status"] for event in db.tickets.history(ticket.id)] == ["waiting", "called"]


def test_known_tickets_reuse_unchanged_rows_and_parse_changed_ones(store):
    """The relay reads the same lines after every call: an unchanged row is the ticket read before."""
    from shared.store.tickets import KnownTickets

    db = store.connect()
    with store.write(db):
        first, second = (db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=n,
                                           number=f"A-00{n}", status="waiting", channel="walk_in", kiosk_id=None,
                                           now=NOW) for n in (1, 2))
    known = KnownTickets()
    before = db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)
    with store.write(db):
        db.tickets.change(first, "waiting", now=NOW, invite_misses=1)   # one column changed
    after = db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)
    assert after == db.tickets.in_states("2026-11-25", ("waiting",), ("a",))   # what a plain read says
    assert after[1] is before[1]                                              # unchanged: the same ticket
    assert after[0] is not before[0] and after[0].invite_misses == 1          # changed: read afresh
    assert [ticket.id for ticket in after] == [first.id, second.id]


def test_known_tickets_read_only_the_rows_changed_since_from_their_revisions(store):
    """Every change raises a ticket's revision; a read through `KnownTickets` takes ids and
    revisions from the lines' index and reads only the rows new or changed since."""
    from shared.store.tickets import KnownTickets

    db = store.connect()
    with store.write(db):
        tickets = [db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=n,
                                     number=f"A-00{n}", status="waiting", channel="walk_in", kiosk_id=None,
                                     now=NOW) for n in (1, 2, 3)]
    revision = "SELECT revision FROM tickets WHERE id = ?"
    assert db.raw.execute(revision, (tickets[1].id,)).fetchone()[0] == 0
    known = KnownTickets()
    db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)
    with store.write(db):
        db.tickets.change(tickets[1], "waiting", now=NOW, invite_misses=1)
    assert db.raw.execute(revision, (tickets[1].id,)).fetchone()[0] == 1
    statements: list[str] = []
    db.raw.set_trace_callback(statements.append)
    with db.snapshot():
        after = db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)
    db.raw.set_trace_callback(None)
    row_reads = [sql for sql in statements if "WHERE id IN" in sql]
    assert row_reads and all(sql.endswith(f"WHERE id IN ({tickets[1].id})") for sql in row_reads)
    plan = db.raw.execute("EXPLAIN QUERY PLAN SELECT id, revision FROM tickets WHERE business_date = ? "
                          "AND status IN ('waiting') AND service IN ('a') ORDER BY arrived_at, id",
                          ("2026-11-25",)).fetchall()
    assert any("COVERING INDEX tickets_in_line" in step[-1] for step in plan)   # no row is visited
    assert [ticket.invite_misses for ticket in after] == [0, 1, 0]


def test_known_tickets_forget_what_no_read_returns_any_more(store, monkeypatch):
    from shared.store.tickets import KnownTickets

    monkeypatch.setattr(KnownTickets, "PRUNE_EVERY", 2)
    db = store.connect()
    with store.write(db):
        first, _second = (db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=n,
                                            number=f"A-00{n}", status="waiting", channel="walk_in",
                                            kiosk_id=None, now=NOW) for n in (1, 2))
    known = KnownTickets()
    db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)
    assert len(known) == 2
    with store.write(db):
        db.tickets.change(first, "called", now=NOW, counter=1, called_at=NOW)   # it leaves the line
    db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)     # second read: a prune
    db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)
    db.tickets.in_states("2026-11-25", ("waiting",), ("a",), known=known)     # fourth: it is forgotten
    assert len(known) == 1


def test_waiting_heads_reads_what_the_policy_would_keep(store):
    """The SQL shortcut for call-next returns exactly `policy.heads` of the waiting tickets."""
    from datetime import timedelta

    from shared.domain.policy import heads

    db = store.connect()
    plan = [("a", "general", 5), ("a", "general", 1), ("a", "senior", 3), ("b", "general", 2),
            ("a", "general", 1), ("a", "senior", 0), ("b", "disability", 4), ("c", "general", 0)]
    with store.write(db):
        tickets = []
        for sequence, (service, lane, minutes_ago) in enumerate(plan, start=1):
            ticket = db.tickets.insert(business_date="2026-11-25", service=service, lane=lane, sequence=sequence,
                                      number=f"X-{sequence:03d}", status="waiting", channel="walk_in",
                                      kiosk_id=None, now=NOW - timedelta(minutes=minutes_ago))
            tickets.append(ticket)
        # A booking late in its line, a ticket already called, and one of another day.
        db.tickets.change(tickets[1], "waiting", now=NOW, appointment_at=NOW + timedelta(minutes=5))
        db.tickets.change(tickets[5], "called", now=NOW, counter=1, called_at=NOW)
        db.tickets.insert(business_date="2026-11-24", service="a", lane="general", sequence=1, number="X-001",
                         status="waiting", channel="walk_in", kiosk_id=None, now=NOW - timedelta(days=1))
    waiting = db.tickets.waiting("2026-11-25", ("a", "b"))
    got = db.queue.waiting_heads("2026-11-25", ("a", "b"))
    assert got == heads(waiting)
    assert [t.number for t in got] == ["X-001", "X-007", "X-003", "X-004", "X-002"]


# -- faults of the write transaction ------------------------------------------------------

def test_a_failed_commit_rolls_back_and_never_fires_its_callbacks(store):
    """A deferred foreign key fails at COMMIT, not at the statement: the transaction must not
    stay open, and its callbacks must not fire on the next, unrelated write."""
    db = store.connect()
    db.raw.execute("PRAGMA defer_foreign_keys = ON")   # checked at COMMIT, as a deferred key is
    fired = []
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with store.write(db):
            db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=1, number="A-001",
                              status="waiting", channel="walk_in", kiosk_id=999, now=NOW)   # no kiosk 999
            db.after_commit(lambda: fired.append("the failed write"))
    assert not db.raw.in_transaction
    assert db.tickets.get(1) is None
    db.raw.execute("PRAGMA defer_foreign_keys = OFF")
    with store.write(db):
        db.tickets.next_sequence("2026-11-25", "b")
    assert fired == []


def test_a_write_waits_for_another_process_then_says_busy(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3", write_wait=0.3)
    store.migrate()
    other = store.connect().raw   # another process's connection holding the write lock
    other.execute("BEGIN IMMEDIATE")
    db = store.connect()
    with pytest.raises(StoreBusy) as error:
        with store.write(db):
            db.tickets.next_sequence("2026-11-25", "a")
    assert error.value.code == "busy" and error.value.kind == "unavailable"
    assert not db.raw.in_transaction
    # Reads go on while the lock is held (WAL), and the write goes through once it is free.
    assert db.raw.execute("SELECT COUNT(*) FROM ticket_numbers").fetchone()[0] == 0
    other.execute("ROLLBACK")
    with store.write(db):
        assert db.tickets.next_sequence("2026-11-25", "a") == 1


def test_a_write_that_gets_the_lock_in_time_goes_through(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3", write_wait=5)
    store.migrate()
    other = store.connect().raw
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.2, lambda: other.execute("ROLLBACK"))
    timer.start()
    db = store.connect()
    with store.write(db):
        assert db.tickets.next_sequence("2026-11-25", "a") == 1
    timer.join()


def test_a_full_disk_is_a_clear_refusal_and_writes_nothing(store):
    db = store.connect()
    pages = db.raw.execute("PRAGMA page_count").fetchone()[0]
    full = store_on(db, f"PRAGMA max_page_count = {pages}")   # the file may not grow: as a full disk
    db = full.connect()
    with pytest.raises(StoreFull) as error:
        with full.write(db):
            for sequence in range(1, 2000):
                db.tickets.insert(business_date="2026-11-25", service="a", lane="general", sequence=sequence,
                                  number=f"A-{sequence:03d}", status="waiting", channel="walk_in", kiosk_id=None,
                                  now=NOW)
    assert error.value.code == "storage_full"
    assert store.connect().raw.execute("SELECT COUNT(*) FROM tickets").fetchone()[0] == 0


def test_a_read_only_database_is_a_clear_refusal(store):
    read_only = store_on(store.connect(), "PRAGMA query_only = ON")   # as a file the server may not write
    db = read_only.connect()
    with pytest.raises(StoreReadOnly) as error:
        with read_only.write(db):
            db.tickets.next_sequence("2026-11-25", "a")
    assert error.value.code == "read_only"
    with pytest.raises(StoreReadOnly):
        read_only.check_writable(NOW)


def store_on(db, pragma: str):
    """A Store on `db`'s file whose every connection runs `pragma` first (a fault of the file,
    which the writer connection meets as every other connection does)."""
    class FaultyStore(Store):
        def connect(self, **options):
            connection = super().connect(**options)
            connection.raw.execute(pragma)
            return connection
    return FaultyStore(db.store.path)


# -- the event log ----------------------------------------------------------------------------

def test_events_are_appended_only_inside_a_write(store):
    db = store.connect()
    with pytest.raises(RuntimeError):
        db.events.append(QueueChanged(), NOW)


def test_event_sequence_rises_across_processes_and_restarts(tmp_path):
    path = tmp_path / "antrean.sqlite3"
    first = Store(path)
    first.migrate()
    a = first.connect()
    with first.write(a):
        one = a.events.append(TicketCalled(1, "A-001", 2, "a", "general", False), NOW)
    b = Store(path).connect()   # another process
    with b.store.write(b):
        two = b.events.append(QueueChanged(("a",), (1,)), NOW)
        b.raw.execute("DELETE FROM events")   # even a purged log never reuses a number
    with b.store.write(b):
        three = b.events.append(QueueChanged(), NOW)
    assert (one, two, three) == (1, 2, 3)
    [entry] = Store(path).connect().events.after(2)
    assert (entry.seq, entry.event) == (3, QueueChanged())


def test_logged_events_read_back_as_the_dataclasses_written(store):
    db = store.connect()
    called = TicketCalled(7, "B-004", 3, "izin_kesehatan", "senior", True)
    with store.write(db):
        db.events.append(called, NOW)
        db.events.append(QueueChanged(("izin_kesehatan", "konsultasi"), (7, 8)), NOW)
    entries = db.events.after(0)
    assert [entry.event for entry in entries] == [called, QueueChanged(("izin_kesehatan", "konsultasi"), (7, 8))]
    assert entries[0].at == NOW
    assert [entry.event for entry in db.events.after(0, names=("ticket_called",))] == [called]


def test_commits_that_log_events_wake_the_relay_once_and_others_do_not(store):
    woken = []
    store.on_events = lambda: woken.append(True)
    db = store.connect()
    with store.write(db):
        db.tickets.next_sequence("2026-11-25", "a")
    assert woken == []
    with store.write(db):
        db.events.append(QueueChanged(), NOW)
        db.events.append(QueueChanged(), NOW)
    assert woken == [True]


def test_only_bookkeeping_connections_skip_the_disk_wait(store):
    assert store.connect().raw.execute("PRAGMA synchronous").fetchone()[0] == 2              # FULL
    assert store.connect(bookkeeping=True).raw.execute("PRAGMA synchronous").fetchone()[0] == 1   # NORMAL


def test_migrate_waits_for_another_process_making_a_new_file(tmp_path):
    """Several commands started at once on a new office: one creates the schema while the
    others wait to switch the file to WAL, instead of failing 'database is locked'."""
    import sqlite3 as sqlite
    import threading

    path = tmp_path / "new.sqlite3"
    holder = sqlite.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")          # a first process, still creating the file
    holder.execute("CREATE TABLE first_process (x)")
    threading.Timer(0.6, lambda: holder.execute("COMMIT")).start()   # longer than a read's busy wait
    assert Store(path).migrate() >= 10
    raw = sqlite.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    raw.close()
    holder.close()


def test_a_request_connection_is_kept_for_the_next_request(store):
    first = store.connect(pooled=True)
    first.close()
    again = store.connect(pooled=True)
    assert again is first
    assert again.raw.execute("SELECT 1").fetchone() == (1,)   # still open and usable
    assert store.connect() is not first                        # only pooled requests share


def test_a_connection_left_in_a_transaction_is_closed_not_pooled(store):
    db = store.connect(pooled=True)
    db.raw.execute("BEGIN")
    db.close()
    with pytest.raises(Exception):
        db.raw.execute("SELECT 1")   # closed: its open transaction is never handed on
    assert store.connect(pooled=True) is not db


def test_the_pool_keeps_a_bounded_number_and_never_bookkeeping_ones(store):
    from shared.store.database import POOL_SIZE

    many = [store.connect(pooled=True) for _ in range(POOL_SIZE + 3)]
    for db in many:
        db.close()
    kept = [store.connect(pooled=True) for _ in range(POOL_SIZE + 3)]
    assert len({id(db) for db in kept} & {id(db) for db in many}) == POOL_SIZE
    bookkeeping = store.connect(bookkeeping=True, pooled=True)
    bookkeeping.close()
    assert store.connect(pooled=True) is not bookkeeping
    store.close_idle()


def test_a_commit_can_run_in_another_thread_and_is_still_durable(store, tmp_path):
    """The gevent server hands COMMIT to an OS thread (shared/server.py): same guarantees."""
    threads = []

    def in_a_thread(action):
        result = {}

        def run():
            threads.append(threading.current_thread())
            result["value"] = action()

        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
        return result["value"]

    store.run_blocking = in_a_thread
    db = store.connect()
    with store.write(db):
        db.settings.set("probe", "kept", None, NOW)
    assert threads and threads[0] is not threading.current_thread()
    other = Store(tmp_path / "antrean.sqlite3").connect()
    assert other.settings.get("probe") == "kept"


def test_a_commit_failing_in_its_thread_rolls_back_and_says_why(store):
    def full_disk(_action):
        import sqlite3

        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorcode = sqlite3.SQLITE_FULL   # as SQLite itself would say it
        raise error

    store.run_blocking = full_disk
    db = store.connect()
    with pytest.raises(StoreFull):
        with store.write(db):
            db.settings.set("probe", "lost", None, NOW)
    assert not db.raw.in_transaction
    store.run_blocking = None
    assert store.connect().settings.get("probe") is None


# -- group commit: writes that arrive together share one COMMIT --------------------------------

def counting_commits(store) -> list[int]:
    """Count the store's COMMITs (each one flush to disk) through its `run_blocking` hook."""
    commits = []

    def run(action):
        commits.append(1)
        return action()

    store.run_blocking = run
    return commits


def joining(store, *writes):
    """A `gather` that runs `writes` the first time it is called, as the requests that arrived
    with the first write would run up to their own writes under gevent; what each raised is kept."""
    outcomes = []

    def gather():
        pending, writes_left[:] = list(writes_left), []
        for write in pending:
            try:
                write()
                outcomes.append("ok")
            except Exception as error:   # noqa: BLE001 - the test reads what each write raised
                outcomes.append(error)

    writes_left = list(writes)
    store.gather = gather
    return outcomes


def put(store, key: str, value: str, *, fail: Exception | None = None):
    """A write of one setting on a connection of its own (a request's), failing at its end if told to."""
    def write():
        db = store.connect(pooled=True)
        try:
            with store.write(db):
                db.settings.set(key, value, None, NOW)
                assert db.settings.get(key) == value   # its own reads see its write
                if fail is not None:
                    raise fail
        finally:
            db.close()
    return write


def test_writes_that_arrive_together_share_one_commit_and_each_is_durable(store, tmp_path):
    """As the gevent server runs them: each request a greenlet, `gather` one turn of the loop."""
    import gevent

    commits = counting_commits(store)
    store.gather = gevent.sleep
    writes = [gevent.spawn(put(store, key, value)) for key, value in (("first", "1"), ("second", "2"), ("third", "3"))]
    gevent.joinall(writes, raise_error=True)
    assert len(commits) == 1
    fresh = Store(tmp_path / "antrean.sqlite3").connect()
    assert [fresh.settings.get(key) for key in ("first", "second", "third")] == ["1", "2", "3"]
    put(store, "fourth", "4")()   # alone: its own commit
    assert len(commits) == 2 and fresh.settings.get("fourth") == "4"


def test_a_write_that_fails_in_a_batch_is_undone_alone(store):
    from shared.domain.errors import InvalidState

    commits = counting_commits(store)
    outcomes = joining(store, put(store, "refused", "x", fail=InvalidState("no")), put(store, "kept", "k"))
    put(store, "first", "1")()
    assert isinstance(outcomes[0], InvalidState) and outcomes[1] == "ok"
    other = store.connect()
    assert (other.settings.get("first"), other.settings.get("refused"), other.settings.get("kept")) == ("1", None, "k")
    assert len(commits) == 1


def test_a_failed_commit_fails_every_write_it_held_and_the_next_write_works(store):
    import sqlite3

    def full_disk(_action):
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise error

    store.run_blocking = full_disk
    outcomes = joining(store, put(store, "second", "2"))
    with pytest.raises(StoreFull):
        put(store, "first", "1")()
    assert len(outcomes) == 1 and isinstance(outcomes[0], StoreFull)   # told the same, not "ok"
    other = store.connect()
    assert other.settings.get("first") is None and other.settings.get("second") is None
    store.run_blocking, store.gather = None, None
    put(store, "after", "a")()
    assert other.settings.get("after") == "a"


def test_a_write_on_its_own_connection_commits_the_open_batch_first(store):
    """The relay's bookkeeping writes on a connection of its own: joining a batch's moment, it
    must not wait behind the writer's open transaction (it would until the busy deadline)."""
    store.write_wait = 0.5
    bookkeeping = store.connect(bookkeeping=True)

    def own_write():
        with store.write(bookkeeping):
            bookkeeping.settings.set("relay", "7", None, NOW)

    commits = counting_commits(store)
    outcomes = joining(store, own_write)
    put(store, "first", "1")()
    assert outcomes == ["ok"] and len(commits) == 2
    other = store.connect()
    assert (other.settings.get("first"), other.settings.get("relay")) == ("1", "7")


def test_a_write_in_progress_is_invisible_to_other_connections_until_its_commit(store):
    """Reads on other connections never see a batch's writes before they are on disk."""
    seen = []
    reader = store.connect()
    store.gather = lambda: seen.append(reader.settings.get("first"))
    put(store, "first", "1")()
    assert seen == [None] and reader.settings.get("first") == "1"


def test_on_a_read_only_mount_no_connection_is_pooled_or_reused(store, monkeypatch):
    """Handles opened before the mount turned read-only would still write: never reuse them."""
    import os

    earlier = store.connect(pooled=True)
    earlier.close()
    real = os.statvfs

    class ReadOnly:
        def __init__(self, result):
            self.f_flag = result.f_flag | os.ST_RDONLY

    monkeypatch.setattr(os, "statvfs", lambda path: ReadOnly(real(path)))
    during = store.connect(pooled=True)
    assert during is not earlier
    during.close()
    with pytest.raises(Exception):
        during.raw.execute("SELECT 1")   # closed, so the mount can be lifted again
    monkeypatch.setattr(os, "statvfs", real)
    assert store.connect(pooled=True) is not earlier   # the old handles were closed, not kept


def _migrate_at(path: str, start: float) -> str | None:
    import time

    from shared.store.database import Store

    while time.time() < start:
        pass
    try:
        Store(path).migrate()
    except Exception as error:  # reported to the test, which shows it
        return repr(error)
    return None


def test_processes_opening_a_new_office_at_once_all_migrate_it(tmp_path):
    """Several commands started together on a new office (`antrean kiosk add` ×4): switching the
    new file to WAL is refused at once to all but one of them, and they must wait, not fail."""
    import multiprocessing
    import time

    with multiprocessing.get_context("fork").Pool(6) as pool:
        for attempt in range(25):
            path = str(tmp_path / f"office-{attempt}.sqlite3")
            start = time.time() + 0.05
            assert [error for error in pool.starmap(_migrate_at, [(path, start)] * 6) if error] == []


def _open_temporary_files() -> list[str]:
    """The files this process holds open that SQLite made as temporary ones (unlinked at once)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "etilqs_" in target:
            found.append(target)
    return found


def test_a_large_shared_write_keeps_its_savepoint_journal_in_memory(store):
    """A shared write is a savepoint: the pages it changes are journaled until its commit. On
    a file, past 64 KiB that journal spilled into a temporary file made (and unlinked) for every
    batch, a few hundred system calls on the request path; kept in memory, no file is made."""
    db = store.connect()
    with store.write(db):
        db.raw.executemany("INSERT INTO settings (key, value, changed_at) VALUES (?, ?, ?)",
                           [(f"filler-{index}", "x" * 200, NOW.isoformat()) for index in range(2000)])
    store.gather = lambda: None   # the shared writer, as in the gevent server
    seen = []
    with store.write(db):
        db.raw.execute("UPDATE settings SET value = ? WHERE key LIKE 'filler-%'", ("y" * 200,))
        seen = _open_temporary_files()
    assert seen == []
    assert db.raw.execute("SELECT COUNT(*) FROM settings WHERE value = ?", ("y" * 200,)).fetchone()[0] == 2000

