"""The backup commands: `antrean backup` writes a checked private copy; `antrean restore` puts one
back, refusing a damaged, foreign or newer file and leaving the current database untouched."""
from __future__ import annotations

import hashlib
import sqlite3
import stat
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from shared.cli import main
from shared.store import Store

START = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def run(instance, *args):
    return CliRunner().invoke(main, ["--instance", str(instance), *args])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_antrean_backup_writes_a_checked_private_copy(instance_dir, tmp_path):
    result = run(instance_dir, "backup", str(tmp_path / "copy.sqlite3"))
    assert result.exit_code == 0, result.output
    assert "integrity_check ok" in result.output
    copy = tmp_path / "copy.sqlite3"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert sqlite3.connect(copy).execute("SELECT count(*) FROM users").fetchone()[0] == 3
    assert [item.name for item in tmp_path.iterdir() if item.name.startswith(".")] == []   # no partial file left
    refused = run(instance_dir, "backup", str(tmp_path / "missing" / "copy.sqlite3"))
    assert refused.exit_code == 1 and "does not exist" in refused.output


def _backup(instance_dir, tmp_path):
    store = Store(instance_dir / "antrean.sqlite3")
    store.migrate()
    target = tmp_path / "monday.sqlite3"
    assert run(instance_dir, "backup", str(target)).exit_code == 0
    return store, target


def test_restore_puts_the_backup_back_and_keeps_the_current_database_aside(instance_dir, tmp_path):
    store, target = _backup(instance_dir, tmp_path)
    db = store.connect()
    with store.write(db):
        db.accounts.add_user("after_backup", "-", "officer", START)
    db.close()
    result = run(instance_dir, "restore", str(target))
    assert result.exit_code == 0, result.output
    aside = [item for item in instance_dir.iterdir() if ".before-restore-" in item.name]
    assert len(aside) == 1 and stat.S_IMODE(aside[0].stat().st_mode) == 0o600
    names = lambda path: {row[0] for row in sqlite3.connect(path).execute("SELECT username FROM users")}
    assert "after_backup" not in names(instance_dir / "antrean.sqlite3")
    assert "after_backup" in names(aside[0])
    assert stat.S_IMODE((instance_dir / "antrean.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance_dir / "serving.lock").stat().st_mode) == 0o600


def _corrupt(path):
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size:root * page_size] = b"\x0d" + b"\xff" * (page_size - 1)
    path.write_bytes(bytes(data))


def _foreign(path):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE photos (name TEXT)")
    connection.commit()
    connection.close()


def _newer(path):
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 999")
    connection.commit()
    connection.close()


@pytest.mark.parametrize("spoil, message", [
    (lambda path: path.write_text("hello"), "is not an SQLite database"),
    (_corrupt, "monday.sqlite3 is not a readable database: database disk image is malformed"),
    (lambda path: (path.unlink(), _foreign(path)), "not an Antrean one"),
    (_newer, "comes from a newer Antrean (schema version 999"),
])
def test_restore_refuses_a_bad_file_and_leaves_the_database_alone(instance_dir, tmp_path, spoil, message):
    store, target = _backup(instance_dir, tmp_path)
    spoil(target)
    before = digest(instance_dir / "antrean.sqlite3")
    result = run(instance_dir, "restore", str(target))
    assert result.exit_code == 1
    assert message in result.output and "the current database is unchanged" in result.output
    assert digest(instance_dir / "antrean.sqlite3") == before
    assert sorted(item.name for item in instance_dir.iterdir() if "restor" in item.name) == []


def test_restore_needs_an_office_folder(tmp_path, instance_dir):
    _store, target = _backup(instance_dir, tmp_path)
    result = run(tmp_path / "empty", "restore", str(target))
    assert result.exit_code == 1 and "no office" in result.output
    assert not (tmp_path / "empty").exists()   # no demo office made on the way


def test_serve_refuses_to_start_during_a_restore(instance_dir):
    from shared.instance import InstancePaths, exclusive_lock

    lock = exclusive_lock(InstancePaths(instance_dir))   # what a running restore holds
    try:
        result = run(instance_dir, "serve", "--port", "1")
    finally:
        lock.close()
    assert result.exit_code == 1 and "a restore of this office's database is in progress" in result.output


def test_a_backup_from_an_older_version_is_restored_and_brought_up_to_date(instance_dir, tmp_path):
    from shared.store import schema

    older = tmp_path / "last-year.sqlite3"
    connection = sqlite3.connect(older)
    for script in schema.MIGRATIONS[:-1]:   # the schema as the previous version left it
        for statement in schema.split_statements(script):
            connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) - 1}")
    connection.commit()
    connection.close()
    assert run(instance_dir, "restore", str(older)).exit_code == 0
    assert run(instance_dir, "purge").exit_code == 0   # any command (and `serve`) migrates at start
    restored = sqlite3.connect(instance_dir / "antrean.sqlite3")
    assert restored.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)
    assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
