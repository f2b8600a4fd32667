"""The server's disk fills up while it runs: a clear error on every screen, nothing lost after.

A real full disk, unprivileged: the server runs in its own user and mount namespace
(`unshare --user --map-root-user --mount`) with its instance folder on a small tmpfs that
only it sees. The test reaches the files through `/proc/<pid>/root/…`, fills the tmpfs with
a filler file until the kernel answers ENOSPC, and deletes it to give the room back; the
server is never restarted. (Chmod would not do: the suite may run as root, and the server
keeps its database open. SQLite's `max_page_count` would be a simulation inside SQLite; this
is the kernel refusing the write, as on a real disk.) Where user namespaces are not allowed,
the test is skipped and says so.
"""
from __future__ import annotations

import errno
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from tests.helpers.live import (CLI_TIMEOUT_S, PYTHON, REPO, WAIT, assert_error_shape, bearer, demo_instance,
                                free_port, issue, login, serve_command, start)
from tests.helpers.screens import (console_browser, console_form, kiosk_browser, kiosk_form, press_console,
                                   press_kiosk, visible_text)

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"   # prefix A, called at counter 1
DISK_SIZE = "32m"
FULL_ID = "Penyimpanan server penuh, sehingga data baru tidak dapat disimpan. Mohon beri tahu petugas."
# Mount a tmpfs on $1 (seen by this process and its children only), copy the office $0 onto
# it, and become the server.
ON_A_SMALL_DISK = 'mount -t tmpfs -o size="$2",mode=0700 tmpfs "$1" && cp -a "$0"/. "$1"/ && shift 2 && exec "$@"'


def namespaces_allowed() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


def inside(server, *argv: str) -> str:
    """Run a command in the server's namespaces, where its tmpfs is mounted; its stdout.

    SQLite cannot open the database through `/proc/<pid>/root/…`: it resolves that magic link
    to `/` and would open (and create) a file of the same name outside.
    """
    result = subprocess.run(["nsenter", "--target", str(server.process.pid), "--user", "--mount",
                             "--preserve-credentials", *argv], cwd=REPO, capture_output=True, text=True,
                            timeout=CLI_TIMEOUT_S)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def sql(server, database: Path, statement: str) -> list:
    """Rows of one statement, run by Python's sqlite3 inside the server's namespaces."""
    script = "import json, sqlite3, sys; print(json.dumps(sqlite3.connect(sys.argv[1], timeout=10)" \
             ".execute(sys.argv[2]).fetchall()))"
    return [tuple(row) for row in json.loads(inside(server, PYTHON, "-c", script, str(database), statement))]


def fill(folder: Path) -> Path:
    """Write a filler file until the disk refuses another byte; its path."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as sink:
        for chunk in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    sink.write(b"\0" * chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
    return filler


@pytest.mark.skipif(not namespaces_allowed(), reason="user namespaces are not allowed here (unshare --user)")
def test_a_full_disk_gives_a_clear_error_and_loses_nothing_once_there_is_room(tmp_path):
    seed, disk = demo_instance(tmp_path / "office"), tmp_path / "disk"
    disk.mkdir()
    port = free_port()
    command = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", ON_A_SMALL_DISK,
               str(seed), str(disk), DISK_SIZE, *serve_command(disk, port)]
    server = start(command, seed, port)
    try:
        check_full_disk(server, disk, Path(f"/proc/{server.process.pid}/root") / disk.relative_to("/"))
    finally:
        server.stop()


def check_full_disk(server, instance: Path, seen_from_here: Path) -> None:
    """`instance` is the folder as the server sees it; `seen_from_here` the same through /proc."""
    base, kiosk_token = server.base_url, server.logins.kiosk_token
    with requests.Session() as api:
        assert [issue(api, base, kiosk_token, SERVICE).json()["number"] for _ in range(2)] == ["A-001", "A-002"]
    # Screens are set up before the disk fills: a sign-in is itself a write (the audit trail).
    kiosk = kiosk_browser(base, kiosk_token)
    console = console_browser(base, "petugas", server.logins.passwords["petugas"])
    officer = bearer(login(base, "petugas", server.logins.passwords["petugas"]))
    kiosk_fields, console_fields = kiosk_form(kiosk, base, SERVICE), console_form(console, base, 1)
    database = instance / "antrean.sqlite3"
    # An empty write-ahead log: the next write must grow a file, which the full disk refuses.
    sql(server, database, "PRAGMA wal_checkpoint(TRUNCATE)")
    filler = fill(seen_from_here)

    with requests.Session() as api:
        assert_error_shape(issue(api, base, kiosk_token, SERVICE), 503, "storage_full")
        english = issue(api, base, kiosk_token, SERVICE, **{"Accept-Language": "en"})
        assert "disk is full" in english.json()["error"]["message"]
        assert_error_shape(api.post(f"{base}/api/counters/1/call-next", headers=officer, timeout=WAIT),
                           503, "storage_full")
        assert api.get(f"{base}/api/queue", timeout=WAIT).json()["waiting"][SERVICE]["general"] == 2
    on_kiosk = press_kiosk(kiosk, base, kiosk_fields)
    assert on_kiosk.status_code == 503 and FULL_ID in visible_text(on_kiosk.text), visible_text(on_kiosk.text)[:400]
    on_console = press_console(console, base, 1, console_fields)
    assert on_console.status_code == 200 and FULL_ID in visible_text(on_console.text)

    filler.unlink()   # room again; the same server, never restarted
    taken = press_kiosk(kiosk, base, kiosk_fields)
    assert taken.status_code == 200 and "/kiosk/tickets/" in taken.url and "A-003" in visible_text(taken.text)
    assert "A-001" in visible_text(press_console(console, base, 1, console_fields).text)
    with requests.Session() as api:
        assert issue(api, base, kiosk_token, SERVICE).json()["number"] == "A-004"
    assert sql(server, database, "PRAGMA integrity_check") == [("ok",)]
    rows = sql(server, database, "SELECT number, status FROM tickets WHERE number LIKE 'A-%' ORDER BY sequence")
    assert rows == [("A-001", "called"), ("A-002", "waiting"), ("A-003", "waiting"), ("A-004", "waiting")]
    assert "intact" in inside(server, PYTHON, "-m", "shared.cli", "--instance", str(instance), "audit", "verify")
