"""The server's disk fills up, or turns read-only, while it runs: a clear error on every
screen, reads go on, and nothing is lost once it can write again.

A real full disk (the kernel's ENOSPC on a small tmpfs only the server sees) and a real
read-only file system (a read-only bind mount over the instance folder): see
`tests.helpers.disk`. Both are undone under the same running server. Where user namespaces
are not allowed, the test is skipped and says so.
"""
from __future__ import annotations

import pytest
import requests

from tests.helpers.disk import SmallDisk, namespaces_allowed
from tests.helpers.live import WAIT, assert_error_shape, bearer, demo_instance, issue, login
from tests.helpers.screens import (console_browser, console_form, kiosk_browser, kiosk_form, press_console,
                                   press_kiosk, visible_text)

pytestmark = [pytest.mark.server,
              pytest.mark.skipif(not namespaces_allowed(), reason="user namespaces are not allowed here")]

SERVICE = "perizinan_berusaha"   # prefix A, called at counter 1
FULL_ID = "Penyimpanan server penuh, sehingga data baru tidak dapat disimpan. Mohon beri tahu petugas."
READ_ONLY_ID = "Server tidak dapat menyimpan perubahan saat ini (basis data hanya-baca). Mohon beri tahu petugas."
# Staff are told what to do rather than to tell the staff.
FULL_STAFF_ID = ("Penyimpanan server penuh, sehingga data baru tidak dapat disimpan. Beri tahu admin kantor: ruang di "
                 "server harus dikosongkan (cadangan lama, berkas lain).")
READ_ONLY_STAFF_ID = ("Server tidak dapat menyimpan perubahan saat ini (basis data hanya-baca). Beri tahu admin kantor: "
                      "disk server atau izin aksesnya perlu diperiksa.")
# fault: (break it, mend it, the API's code, the Indonesian sentence, a word of the English one,
#         the console's sentence for staff)
FAULTS = {
    "full": (SmallDisk.fill, SmallDisk.free, "storage_full", FULL_ID, "disk is full", FULL_STAFF_ID),
    "read-only": (SmallDisk.read_only, SmallDisk.writable, "read_only", READ_ONLY_ID, "read-only",
                  READ_ONLY_STAFF_ID),
}


@pytest.fixture
def small_disk(tmp_path):
    disk = SmallDisk(demo_instance(tmp_path / "office"), tmp_path / "disk")
    yield disk
    disk.stop()


@pytest.mark.parametrize("fault", FAULTS)
def test_a_disk_that_cannot_be_written_gives_a_clear_error_and_loses_nothing_after(small_disk, fault):
    breaks, mends, code, sentence, english_words, staff_sentence = FAULTS[fault]
    server = small_disk.server
    base, kiosk_token = server.base_url, server.logins.kiosk_token
    with requests.Session() as api:
        assert [issue(api, base, kiosk_token, SERVICE).json()["number"] for _ in range(2)] == ["A-001", "A-002"]
    # Screens are set up before the fault: a sign-in is itself a write (the audit trail).
    kiosk = kiosk_browser(base, kiosk_token)
    console = console_browser(base, "petugas", server.logins.passwords["petugas"])
    officer = bearer(login(base, "petugas", server.logins.passwords["petugas"]))
    kiosk_fields, console_fields = kiosk_form(kiosk, base, SERVICE), console_form(console, base, 1)
    breaks(small_disk)

    with requests.Session() as api:
        assert_error_shape(issue(api, base, kiosk_token, SERVICE), 503, code)
        english = issue(api, base, kiosk_token, SERVICE, **{"Accept-Language": "en"})
        assert english_words in english.json()["error"]["message"]
        assert_error_shape(api.post(f"{base}/api/counters/1/call-next", headers=officer, timeout=WAIT),
                           503, code)
        assert api.get(f"{base}/api/queue", timeout=WAIT).json()["waiting"][SERVICE]["general"] == 2
    on_kiosk = press_kiosk(kiosk, base, kiosk_fields)
    assert on_kiosk.status_code == 503 and sentence in visible_text(on_kiosk.text), visible_text(on_kiosk.text)[:400]
    on_console = press_console(console, base, 1, console_fields)
    assert on_console.status_code == 200 and staff_sentence in visible_text(on_console.text)
    assert "Mohon beri tahu petugas" not in visible_text(on_console.text)
    assert requests.get(f"{base}/display/", timeout=WAIT).status_code == 200   # the wall still shows the queue

    mends(small_disk)   # room or write permission again; the same server, never restarted
    taken = press_kiosk(kiosk, base, kiosk_fields)
    assert taken.status_code == 200 and "/kiosk/tickets/" in taken.url and "A-003" in visible_text(taken.text)
    assert "A-001" in visible_text(press_console(console, base, 1, console_fields).text)
    with requests.Session() as api:
        assert issue(api, base, kiosk_token, SERVICE).json()["number"] == "A-004"
    assert small_disk.sql("PRAGMA integrity_check") == [("ok",)]
    rows = small_disk.sql("SELECT number, status FROM tickets WHERE number LIKE 'A-%' ORDER BY sequence")
    assert rows == [("A-001", "called"), ("A-002", "waiting"), ("A-003", "waiting"), ("A-004", "waiting")]
    assert "intact" in small_disk.cli("audit", "verify")
