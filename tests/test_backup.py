"""The daily backup: when a copy is due, its rotation, and a copy that fails or would fill the disk
(logged, and the server goes on). The commands are in test_backup_cli.py."""
from __future__ import annotations

import logging
import shutil
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest

from shared.domain import backups as rules
from shared.domain.config import ConfigError, DEMO_TEMPLATE, parse_config
from shared.services import backups, tickets
from tests.helpers.offices import clocked_office

START = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)   # 10:00 in Jakarta


def test_rotation_keeps_the_newest_daily_copies_and_nothing_else():
    names = [rules.daily_name(f"2026-03-{day:02d}") for day in (5, 1, 3, 2, 4)] + ["mine.sqlite3", "notes.txt"]
    assert rules.to_remove(names, 3) == ["antrean-2026-03-01.sqlite3", "antrean-2026-03-02.sqlite3"]
    assert rules.to_remove(names, 5) == []
    assert rules.to_remove(names, 0) == []   # off: nothing taken, nothing deleted


def test_a_copy_is_due_once_a_day_from_the_hour():
    settings = rules.BackupSettings(keep=7, hour=6)
    local = datetime(2026, 3, 2, 5, 59)
    assert not rules.due(local, "2026-03-02", [], settings)
    assert rules.due(local.replace(hour=6), "2026-03-02", ["antrean-2026-03-01.sqlite3"], settings)
    assert not rules.due(local.replace(hour=23), "2026-03-02", ["antrean-2026-03-02.sqlite3"], settings)
    assert not rules.due(local.replace(hour=23), "2026-03-02", [], rules.BackupSettings(keep=0))


@pytest.mark.parametrize("table, message", [
    ({"keep": -1}, "backup.keep"), ({"hour": 24}, "backup.hour"), ({"keep": True}, "backup.keep"),
    ({"hours": 3}, "backup.hours: unknown setting"),
])
def test_backup_settings_are_validated(table, message):
    import tomllib

    raw = tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))
    raw["backup"] = table
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


@pytest.fixture
def office(tmp_path):
    office = clocked_office(tmp_path / "antrean.sqlite3", START)
    db = office.store.connect()
    for _ in range(3):
        tickets.issue(office, db, service="perizinan_berusaha", lane="general")
    db.close()
    return office


def test_the_daily_copy_rotates_and_keeps_a_hand_made_copy(office, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "before-the-move.sqlite3").write_bytes(b"kept by hand")
    db = office.store.connect()
    taken = []
    for day in range(10):
        office.clock.set(START + timedelta(days=day))
        taken.append(backups.daily(office, db, folder))
        assert backups.daily(office, db, folder) is None   # one copy a day
    assert all(taken)
    assert sorted(item.name for item in folder.iterdir()) == sorted(
        ["before-the-move.sqlite3"] + [rules.daily_name(f"2026-03-{day:02d}") for day in range(5, 12)])
    newest = folder / rules.daily_name("2026-03-11")
    assert stat.S_IMODE(newest.stat().st_mode) == 0o600
    copy = sqlite3.connect(newest)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM tickets").fetchone() == (3,)
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)   # one self-contained file


def test_the_daily_copy_waits_for_its_hour_in_office_time(office, tmp_path):
    db = office.store.connect()
    office.clock.set(datetime(2026, 3, 2, 17, 30, tzinfo=timezone.utc))   # 00:30 on 3 March in Jakarta
    assert backups.daily(office, db, tmp_path / "backups") is None
    office.clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=timezone.utc))    # 01:00: due
    assert backups.daily(office, db, tmp_path / "backups").name == "antrean-2026-03-03.sqlite3"


def test_a_daily_copy_that_would_fill_the_disk_is_skipped_loudly(office, tmp_path, monkeypatch, caplog):
    db = office.store.connect()
    monkeypatch.setattr(backups.shutil, "disk_usage", lambda _path: shutil._ntuple_diskusage(10 << 30, 10 << 30, 50 << 20))
    with caplog.at_level(logging.ERROR):
        assert backups.daily(office, db, tmp_path / "backups") is None
    assert "daily backup skipped" in caplog.text and "50 MB free" in caplog.text
    assert list((tmp_path / "backups").iterdir()) == []


def test_a_failing_copy_is_logged_and_the_job_goes_on(office, tmp_path, caplog):
    db = office.store.connect()

    def broken(_target):
        raise OSError(28, "No space left on device")

    with caplog.at_level(logging.ERROR):
        assert backups.daily(office, db, tmp_path / "backups", broken) is None
    assert "daily backup failed" in caplog.text and "No space left" in caplog.text


def test_the_serving_process_takes_its_daily_copy_with_antrean_backup(instance_dir):
    """The job the server schedules: due, copied by a child `antrean backup`, checked, rotated."""
    from shared.clock import ManualClock
    from shared.domain.config import load_config
    from shared.office import Office
    from shared.store import Store
    from shared.web import scheduler

    store = Store(instance_dir / "antrean.sqlite3")
    office = Office(load_config(instance_dir / "office.toml"), store, ManualClock(START))
    job = next(job for job in scheduler.upkeep_jobs(instance_dir) if job.name == "daily backup")
    assert job.first_after_seconds == 60 and job.every_seconds == 600
    db = store.connect()
    taken = job.run(office, db)
    assert taken == instance_dir / "backups" / "antrean-2026-03-02.sqlite3"
    assert sqlite3.connect(taken).execute("SELECT count(*) FROM users").fetchone() == (3,)
    assert stat.S_IMODE((instance_dir / "backups").stat().st_mode) == 0o700
    assert job.run(office, db) is None   # taken today already


def test_what_a_crashed_copy_left_is_removed_by_the_next_daily_copy(office, tmp_path, caplog):
    folder = tmp_path / "backups"
    folder.mkdir()
    leftovers = [".antrean-2026-03-01.sqlite3.4242.partial", ".antrean-2026-03-01.sqlite3.4242.partial-journal"]
    for name in (*leftovers, "notes.partial", ".hidden-by-hand.sqlite3"):
        (folder / name).write_bytes(b"x")
    assert rules.leftover_partials(sorted(item.name for item in folder.iterdir())) == sorted(leftovers)
    db = office.store.connect()
    office.clock.set(START)
    with caplog.at_level(logging.WARNING):
        assert backups.daily(office, db, folder) is not None
    db.close()
    names = sorted(item.name for item in folder.iterdir())
    assert not set(leftovers) & set(names)
    assert {"notes.partial", ".hidden-by-hand.sqlite3", rules.daily_name("2026-03-02")} <= set(names)
    assert "did not finish" in caplog.text
