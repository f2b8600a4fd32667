"""A backup taken from a real server while kiosks issue tickets, and a restore around a server.

One server over loopback, four kiosk threads posting `POST /api/tickets` without pause while
`antrean backup` runs three times as a separate process. Each copy must be intact, its ticket
numbers unique and gap-free up to its last one, every number in it one a kiosk was given, and
its audit chain must verify once restored. `antrean restore` is refused while that server runs,
allowed once it has crashed (killed, its lock file left behind), and the restored office numbers on from the backup's last ticket.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
import requests

from tests.helpers.live import CliError, build_office, cli, issue, read_only_db

KIOSKS = 4


def _sequences(path: Path) -> dict[tuple[str, str], list[int]]:
    copy = sqlite3.connect(path)
    try:
        found: dict[tuple[str, str], list[int]] = {}
        for day, service, sequence in copy.execute(
                "SELECT business_date, number_service, sequence FROM tickets ORDER BY 1, 2, 3"):
            found.setdefault((day, service), []).append(sequence)
        return found
    finally:
        copy.close()


def _untouched(instance: Path) -> tuple:
    """What a restore changes, read while the server runs: the file the database is (a restore
    renames a new one into place), the files a restore leaves beside it (the old database kept
    aside, its own temporary copy), and every ticket.

    Not the database's bytes: the server's background checkpoint copies its log into the file
    after it commits (the relay saves its place up to a second after the last request), so
    those bytes move on their own while the office is open.
    """
    database = instance / "antrean.sqlite3"
    identity = (database.stat().st_dev, database.stat().st_ino)
    left_by_a_restore = sorted(path.name for path in instance.iterdir()
                               if ".before-restore-" in path.name or path.name.endswith(".restoring"))
    connection = read_only_db(instance)
    try:
        tickets = connection.execute("SELECT number, status FROM tickets ORDER BY id").fetchall()
    finally:
        connection.close()
    return identity, left_by_a_restore, tickets


@pytest.fixture(scope="module")
def busy_backups(tmp_path_factory):
    """The office, the server (stopped at the end), the numbers kiosks were given, three copies."""
    from tests.helpers.live import launch

    root = tmp_path_factory.mktemp("backup-live")
    office = build_office(root / "instance", kiosks=KIOSKS)
    server = launch(office.instance)
    issued: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def kiosk(token: str) -> None:
        session = requests.Session()
        while not stop.is_set():
            response = issue(session, server.base_url, token, "umum")
            if response.status_code == 201:
                issued.append(response.json()["number"])
            else:
                failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=kiosk, args=(token,)) for token in office.kiosk_tokens]
    for thread in threads:
        thread.start()
    copies = []
    try:
        for index in range(3):
            target = root / f"copy-{index}.sqlite3"
            output = cli(office.instance, "backup", str(target))
            assert "integrity_check ok" in output
            copies.append(target)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    yield server, office, issued, failures, copies
    server.stop()


def test_backups_taken_while_kiosks_issue_tickets_are_whole(busy_backups):
    server, _office, issued, failures, copies = busy_backups
    assert failures == [], failures[:3]
    assert len(issued) > 20, "the kiosks issued too few tickets for the test to mean anything"
    counts = []
    for copy in copies:
        connection = sqlite3.connect(copy)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        numbers = {row[0] for row in connection.execute("SELECT number FROM tickets")}
        connection.close()
        assert numbers <= set(issued)        # no ticket in the copy that no kiosk was given
        for line, sequences in _sequences(copy).items():
            assert sequences == list(range(1, len(sequences) + 1)), f"gap or repeat in {line}"
        counts.append(len(numbers))
    assert counts == sorted(counts)             # later copies hold at least as much
    assert counts[-1] < len(issued)             # taken while tickets were still being issued
    assert server.alive()


def test_a_restored_copy_verifies_its_audit_chain(busy_backups, tmp_path):
    _server, office, _issued, _failures, copies = busy_backups
    elsewhere = tmp_path / "new-hardware"
    elsewhere.mkdir()
    for name in ("office.toml", "secret_key"):
        shutil.copy2(office.instance / name, elsewhere / name)
    cli(elsewhere, "restore", str(copies[-1]))
    verdict = re.search(r"Audit trail intact: (\d+) rows", cli(elsewhere, "audit", "verify"))
    assert verdict, "antrean audit verify did not find the chain intact"
    tickets = sqlite3.connect(copies[-1]).execute("SELECT count(*) FROM tickets").fetchone()[0]
    assert int(verdict.group(1)) >= tickets   # every ticket issued has its row in the chain


def test_restore_is_refused_while_serving_and_allowed_after_a_crash(busy_backups):
    server, office, issued, _failures, copies = busy_backups
    database = office.instance / "antrean.sqlite3"
    before = _untouched(office.instance)
    with pytest.raises(CliError, match="the server is running on this instance"):
        cli(office.instance, "restore", str(copies[0]))
    assert _untouched(office.instance) == before
    server.kill_hard()   # SIGKILL, master and worker: the lock file stays, the lock does not
    assert (office.instance / "serving.lock").exists()
    output = cli(office.instance, "restore", str(copies[0]))
    assert "The previous database is kept as" in output
    in_copy = _sequences(copies[0])
    last = max(sequence for sequences in in_copy.values() for sequence in sequences)
    from tests.helpers.live import launch

    again = launch(office.instance)
    try:
        response = issue(requests.Session(), again.base_url, office.kiosk_tokens[0], "umum")
        assert response.status_code == 201, response.text
        assert response.json()["number"] == f"A-{last + 1:03d}"   # numbering goes on from the backup
    finally:
        again.stop()
