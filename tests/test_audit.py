"""The hash-chained audit trail: what it records, and that verify catches tampering."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from shared.cli import main
from shared.domain import audit as rule
from shared.domain.model import StaffUser
from shared.services import audit, calling, capacity, counters, tickets
from tests.helpers.offices import clocked_office

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=timezone.utc)   # 08:30 in Jakarta, a Monday
OFFICER = StaffUser(1, "petugas", "officer")
SUPERVISOR = StaffUser(2, "kepala", "supervisor")


@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.db", NOW, staff=(("petugas", "officer"), ("kepala", "supervisor")))


@pytest.fixture
def db(office):
    connection = office.store.connect()
    yield connection
    connection.close()


def busy_morning(office, db):
    """Three tickets, one served, one absent, a cap change and a counter paused."""
    for _ in range(3):
        tickets.issue(office, db, service="perizinan_berusaha", lane="general", kiosk_id=None)
        office.clock.advance(timedelta(minutes=1))
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.start(office, db, 1, staff=OFFICER)
    office.clock.advance(timedelta(minutes=4))
    calling.call_next(office, db, 1, staff=OFFICER)
    calling.call_next(office, db, 1, staff=OFFICER)
    capacity.set_max_inside(office, db, 40, staff=SUPERVISOR)
    counters.set_state(office, db, 1, "paused", staff=OFFICER)


def rows(db):
    return db.raw.execute("SELECT id, action, actor_kind, actor_id, ticket_id, counter, detail FROM audit "
                          "ORDER BY id").fetchall()


def test_every_ticket_change_and_staff_action_is_chained(office, db):
    busy_morning(office, db)
    actions = [row[1] for row in rows(db)]
    assert actions.count("ticket.issued") == 3
    assert actions.count("ticket.called") == 3
    assert "ticket.serving" in actions and "ticket.done" in actions and "ticket.no_show" in actions
    assert "capacity.set" in actions and "counter.state" in actions
    # one audit row per ticket_events row
    assert db.raw.execute("SELECT COUNT(*) FROM ticket_events").fetchone()[0] == \
        db.raw.execute("SELECT COUNT(*) FROM audit WHERE ticket_event IS NOT NULL").fetchone()[0]
    cap = next(row for row in rows(db) if row[1] == "capacity.set")
    assert cap[2:4] == ("staff", SUPERVISOR.id) and '"max_inside":40' in cap[6]
    issued = next(row for row in rows(db) if row[1] == "ticket.issued")
    assert issued[2] == "visitor"     # no kiosk token: a visitor at an open screen
    verdict = audit.verify(db)
    assert verdict.intact and verdict.rows == len(rows(db)) and len(verdict.head_hash) == 64


def test_a_rolled_back_write_leaves_no_audit_row(office, db):
    before = len(rows(db))
    with pytest.raises(Exception):
        calling.recall(office, db, 1, staff=OFFICER)   # nobody called at counter 1
    assert len(rows(db)) == before


def tamper(db, sql, *params):
    db.raw.execute(sql, params)


@pytest.mark.parametrize("how, sql, broken_at", [
    ("edited detail", "UPDATE audit SET detail = replace(detail, '40', '400') WHERE action = 'capacity.set'", "cap"),
    ("edited actor", "UPDATE audit SET actor_id = 1 WHERE action = 'capacity.set'", "cap"),
    ("edited time", "UPDATE audit SET at = '2026-03-01T00:00:00.000000+00:00' WHERE id = 4", 4),
    ("deleted row", "DELETE FROM audit WHERE id = 5", 6),
])
def test_verify_names_the_first_broken_row(office, db, how, sql, broken_at):
    busy_morning(office, db)
    cap_id = next(row[0] for row in rows(db) if row[1] == "capacity.set")
    tamper(db, sql)
    verdict = audit.verify(db)
    assert not verdict.intact
    assert verdict.broken.row_id == (cap_id if broken_at == "cap" else broken_at), how
    assert verdict.rows == verdict.broken.row_id - 1 if how != "deleted row" else verdict.rows == 4


def test_verify_catches_reordered_rows_even_with_hashes_moved_along(office, db):
    busy_morning(office, db)
    first, second = db.raw.execute("SELECT id, at, action, detail, prev_hash, hash FROM audit "
                                   "WHERE id IN (3, 4) ORDER BY id").fetchall()
    # Swap the two rows' whole content (ids stay in order): the links no longer hold.
    for target, source in ((first, second), (second, first)):
        tamper(db, "UPDATE audit SET at = ?, action = ?, detail = ?, prev_hash = ?, hash = ? WHERE id = ?",
               *source[1:], target[0])
    verdict = audit.verify(db)
    assert not verdict.intact and verdict.broken.row_id == 3


def test_verify_catches_an_edited_ticket_event_the_reports_read(office, db):
    busy_morning(office, db)
    event_id, audit_id = db.raw.execute("SELECT ticket_event, id FROM audit WHERE action = 'ticket.no_show'").fetchone()
    tamper(db, "UPDATE ticket_events SET to_status = 'done' WHERE id = ?", event_id)   # a faked "served"
    verdict = audit.verify(db)
    assert not verdict.intact and verdict.broken.row_id == audit_id
    assert "ticket_events" in verdict.broken.explain()


def test_verify_catches_deleted_newest_ticket_audit_rows(office, db):
    busy_morning(office, db)
    tamper(db, "DELETE FROM audit WHERE id >= (SELECT MAX(id) FROM audit WHERE ticket_event IS NOT NULL)")
    verdict = audit.verify(db)
    assert not verdict.intact and "no audit row" in verdict.broken.explain()


def test_verify_catches_a_removed_starting_point(office, db):
    busy_morning(office, db)
    tamper(db, "DELETE FROM settings WHERE key = 'audit_from_ticket_event'")
    assert not audit.verify(db).intact


def test_hash_rule_is_canonical():
    content = (1, "2026-03-02T01:30:00.000000+00:00", "staff", 2, "capacity.set", None, None, None, '{"a":1}')
    assert rule.chain_hash(rule.GENESIS, content) == rule.chain_hash(rule.GENESIS, tuple(content))
    assert rule.chain_hash(rule.GENESIS, content) != rule.chain_hash("1" * 64, content)
    assert rule.canonical_detail({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    assert rule.canonical_detail({}) is None
    with pytest.raises(ValueError):
        rule.Actor("somebody")


def test_cli_verify_exit_codes(tmp_path, demo_template):
    instance = tmp_path / "office"
    runner = CliRunner()
    assert runner.invoke(main, ["--instance", str(instance), "--demo", "kiosk", "add", "K1"]).exit_code == 0
    intact = runner.invoke(main, ["--instance", str(instance), "audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "intact" in intact.output
    import sqlite3
    from shared.instance import DATABASE_NAME
    raw = sqlite3.connect(instance / DATABASE_NAME)
    with raw:
        raw.execute("UPDATE audit SET action = 'kiosk.renamed' WHERE id = 1")
    raw.close()
    broken = runner.invoke(main, ["--instance", str(instance), "audit", "verify"])
    assert broken.exit_code == 1
    assert "BROKEN at row 1" in broken.output


def test_verify_against_a_noted_head_catches_deleted_newest_staff_rows(office, db):
    busy_morning(office, db)
    noted = db.audit.head()
    assert audit.verify(db, against=noted).intact
    # Staff actions have no ticket_events row to betray them: only the noted head does.
    tamper(db, "DELETE FROM audit WHERE action IN ('capacity.set', 'counter.state')")
    assert audit.verify(db).intact
    verdict = audit.verify(db, against=noted)
    assert not verdict.intact and verdict.broken.row_id == noted[0]


def test_the_purge_is_recorded_with_counts_only(office, db):
    from shared.services import privacy
    privacy.purge(office, db)                      # the daily job, nothing to remove: no row
    assert not [row for row in rows(db) if row[1] == "privacy.purged"]
    privacy.purge(office, db, by=rule.CLI)         # asked for at the command line: always recorded
    purged = [row for row in rows(db) if row[1] == "privacy.purged"]
    assert len(purged) == 1 and purged[0][2] == "cli" and '"booking_contacts":0' in purged[0][6]
    assert audit.verify(db).intact


def cli(instance, *args):
    return CliRunner().invoke(main, ["--instance", str(instance), *args])


def test_backup_carries_the_head_and_verify_against_it(tmp_path):
    instance = tmp_path / "office"
    assert cli(instance, "--demo", "kiosk", "add", "K1").exit_code == 0
    copy = tmp_path / "copy.sqlite3"
    taken = cli(instance, "backup", str(copy))
    assert taken.exit_code == 0, taken.output
    assert "Audit trail head in the backup: row" in taken.output
    assert cli(instance, "audit", "verify", "--against", str(copy)).exit_code == 0
    import sqlite3
    from shared.instance import DATABASE_NAME
    live = sqlite3.connect(instance / DATABASE_NAME)
    actions = [row[0] for row in live.execute("SELECT action FROM audit ORDER BY id")]
    assert actions[-1] == "backup.taken"      # recorded after the copy, so not in it
    head_row = int(taken.output.split("row ")[1].split(",")[0])
    with live:
        live.execute("DELETE FROM audit WHERE id >= ?", (head_row,))
    live.close()
    assert cli(instance, "audit", "verify").exit_code == 0          # the chain alone cannot tell
    against = cli(instance, "audit", "verify", "--against", str(copy))
    assert against.exit_code == 1 and f"BROKEN at row {head_row}" in against.output


def test_restore_is_recorded_in_the_restored_trail(tmp_path):
    instance = tmp_path / "office"
    assert cli(instance, "--demo", "kiosk", "add", "K1").exit_code == 0
    copy = tmp_path / "copy.sqlite3"
    assert cli(instance, "backup", str(copy)).exit_code == 0
    restored = cli(instance, "restore", str(copy))
    assert restored.exit_code == 0, restored.output
    import sqlite3
    from shared.instance import DATABASE_NAME
    live = sqlite3.connect(instance / DATABASE_NAME)
    last = live.execute("SELECT action, actor_kind, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    live.close()
    assert last == ("backup.restored", "cli", '{"file":"copy.sqlite3"}')
    assert cli(instance, "audit", "verify").exit_code == 0


def test_verify_against_a_file_that_is_no_database_says_so(tmp_path):
    instance = tmp_path / "office"
    assert cli(instance, "--demo", "kiosk", "add", "K1").exit_code == 0
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    result = cli(instance, "audit", "verify", "--against", str(junk))
    assert result.exit_code == 1 and "cannot be read as a database" in result.output
