"""`antrean purge`: the privacy purge from the command line, with counts and no personal data."""
from __future__ import annotations

from datetime import datetime, timezone

from click.testing import CliRunner

from shared.cli import main
from shared.store import Store
from tests.test_privacy import CONTACT, _book, _contacts


def test_antrean_purge_prints_what_it_removed(instance_dir):
    store = Store(instance_dir / "antrean.sqlite3")
    store.migrate()
    db = store.connect()
    with store.write(db):
        _book(db, "2020-01-06", "VERYOLD", CONTACT, datetime(2020, 1, 1, tzinfo=timezone.utc))
    result = CliRunner().invoke(main, ["--instance", str(instance_dir), "purge"])
    assert result.exit_code == 0, result.output
    assert "booking contacts: 1" in result.output
    assert CONTACT not in result.output
    assert _contacts(db)["VERYOLD"] == (None, None)
    again = CliRunner().invoke(main, ["--instance", str(instance_dir), "purge"])
    assert again.exit_code == 0 and "booking contacts: 0" in again.output
