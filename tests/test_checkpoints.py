"""Checkpoints: a serving store copies its WAL into the database file from its scheduler,
never inside a request's commit; every other store keeps SQLite's automatic checkpoint."""
import sqlite3
from datetime import datetime, timezone

from shared.store import Store
from tests.helpers.live import rows_in_the_file_alone

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)


def _commit_many_pages(store, commits: int):
    """`commits` commits of ~100 pages each (every filler row rewritten): past SQLite's 1,000-page
    automatic checkpoint after about ten. The connection is returned open, as a server holds its
    own: closing the last one would checkpoint the whole WAL on the way out."""
    db = store.connect()
    with store.write(db):
        db.raw.executemany("INSERT INTO settings (key, value, changed_at) VALUES (?, ?, ?)",
                           [(f"filler-{index}", "x" * 200, NOW.isoformat()) for index in range(2000)])
    for round_ in range(commits):
        with store.write(db):
            db.raw.execute("UPDATE settings SET value = ? WHERE key LIKE 'filler-%'", (str(round_) * 200,))
    return db


def test_a_serving_store_leaves_checkpoints_out_of_its_commits(tmp_path):
    """A commit that took the WAL past 1,000 pages used to copy it into the database file and
    flush that too, inside the request. A store checkpointing in the background never does; its
    `checkpoints.run` copies everything committed, and does nothing when nothing was committed since."""
    store = Store(tmp_path / "antrean.sqlite3", checkpoint_in_background=True)
    store.migrate()
    store.checkpoints.run()
    db = _commit_many_pages(store, 15)
    assert rows_in_the_file_alone(store.path, tmp_path, "settings") < 2000   # all still only in the WAL

    copied = store.checkpoints.run()
    assert copied and copied > 1000
    assert rows_in_the_file_alone(store.path, tmp_path, "settings") >= 2000
    assert store.checkpoints.run() is None   # nothing committed since
    db.close()


def test_an_ordinary_store_still_checkpoints_in_its_commits(tmp_path):
    """The command line and tests keep SQLite's automatic checkpoint: nobody else would run one."""
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    db = _commit_many_pages(store, 15)
    assert rows_in_the_file_alone(store.path, tmp_path, "settings") >= 2000
    db.close()


def test_a_failed_checkpoint_is_logged_once_and_tried_again(tmp_path, caplog):
    store = Store(tmp_path / "antrean.sqlite3", checkpoint_in_background=True)
    store.migrate()
    db = _commit_many_pages(store, 1)

    def failing(_work):
        raise sqlite3.OperationalError("disk I/O error")

    store.checkpoints.off_loop = failing
    with caplog.at_level("WARNING", logger="shared.store.checkpoints"):
        assert store.checkpoints.run() is None
        assert store.checkpoints.run() is None
    assert [record.getMessage() for record in caplog.records].count(
        "WAL checkpoint failed (OperationalError: disk I/O error); trying again") == 1
    store.checkpoints.off_loop = None
    assert store.checkpoints.run()   # the commits were not forgotten
    assert rows_in_the_file_alone(store.path, tmp_path, "settings") >= 2000
    db.close()


def test_a_checkpoint_waits_for_an_idle_worker_before_copying(tmp_path):
    """The gevent server lets a checkpoint start only when the loop has nothing else to do, so
    its page copies take no core from a burst of presses; with nothing committed, it waits for
    nothing at all."""
    store = Store(tmp_path / "antrean.sqlite3", checkpoint_in_background=True)
    store.migrate()
    store.checkpoints.run()
    steps = []
    store.checkpoints.when_idle = lambda: steps.append("idle")

    def off_loop(work):
        steps.append("copy")
        return work()

    store.checkpoints.off_loop = off_loop
    db = _commit_many_pages(store, 1)
    assert store.checkpoints.run()
    assert steps == ["idle", "copy"]
    assert store.checkpoints.run() is None
    assert steps == ["idle", "copy"]
    db.close()


def test_a_second_store_sharing_the_checkpoints_counts_its_commits_there(tmp_path):
    """The notifier writes through a store of its own on the office's file: with the office's
    checkpoints shared, its commits leave the file alone too and the next checkpoint copies them."""
    office_store = Store(tmp_path / "antrean.sqlite3", checkpoint_in_background=True)
    office_store.migrate()
    office_store.checkpoints.run()
    assert office_store.checkpoints.run() is None
    notifier_store = Store(office_store.path, checkpoints=office_store.checkpoints)
    db = _commit_many_pages(notifier_store, 15)
    assert rows_in_the_file_alone(office_store.path, tmp_path, "settings") < 2000
    assert office_store.checkpoints.run() > 1000
    assert rows_in_the_file_alone(office_store.path, tmp_path, "settings") >= 2000
    db.close()
