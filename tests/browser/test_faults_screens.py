"""The kiosk and the console when the server's disk is full, seen in the browser: a plain
Indonesian sentence, no traceback, no blank page; the same screens work once there is room.

The server runs on a small disk of its own (`tests.helpers.disk`), filled and freed while it
keeps running.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import api_ticket, assert_no_page_problems, open_console, register_kiosk, shoot, sign_in
from tests.helpers.disk import SmallDisk, namespaces_allowed
from tests.helpers.live import demo_instance

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not namespaces_allowed(), reason="user namespaces are not allowed here")]

FULL_ID = "Penyimpanan server penuh, sehingga data baru tidak dapat disimpan. Mohon beri tahu petugas."
FULL_STAFF_ID = ("Penyimpanan server penuh, sehingga data baru tidak dapat disimpan. Beri tahu admin kantor: ruang di "
                 "server harus dikosongkan (cadangan lama, berkas lain).")
KIOSK = {"width": 1080, "height": 1920}
CONSOLE = {"width": 1366, "height": 768}


def keep(page, name: str) -> None:
    """A screenshot at the real viewport in tests/artifacts (a run never rewrites docs/screens/)."""
    shoot(page, name, full_page=False)


def test_kiosk_and_console_say_the_disk_is_full_then_carry_on(tmp_path, contexts, page_problems):
    disk = SmallDisk(demo_instance(tmp_path / "office"), tmp_path / "disk")
    try:
        server = disk.server
        assert api_ticket(server)["number"] == "A-001"
        kiosk = register_kiosk(contexts.new(viewport=KIOSK), server)
        kiosk.goto(f"{server.base_url}/kiosk/services/perizinan_berusaha")
        console = sign_in(contexts.new(viewport=CONSOLE), server)
        open_console(console, server, 1)
        disk.fill()

        with kiosk.expect_navigation():
            kiosk.locator("#lane-general").click()
        assert kiosk.get_by_text(FULL_ID).is_visible()
        assert "Traceback" not in kiosk.content()
        keep(kiosk, "kiosk-1080x1920-disk-full")
        with console.expect_navigation():
            console.locator("#call-next").click()
        assert console.get_by_text(FULL_STAFF_ID).is_visible()
        assert console.locator("#call-next").is_visible()   # the officer can press again
        keep(console, "console-1366x768-disk-full")

        disk.free()
        kiosk.get_by_role("link", name="Kembali ke awal").click()
        kiosk.goto(f"{server.base_url}/kiosk/services/perizinan_berusaha")
        with kiosk.expect_navigation():
            kiosk.locator("#lane-general").click()
        assert "/kiosk/tickets/" in kiosk.url and kiosk.get_by_text("A-002").first.is_visible()
        with console.expect_navigation():
            console.locator("#call-next").click()
        assert console.get_by_text("A-001").first.is_visible()
        assert not console.get_by_text(FULL_STAFF_ID).count()
    finally:
        disk.stop()
    # The browser reports the refused form's 503 as a failed load; nothing else may show up.
    assert_no_page_problems(page_problems, ignore="status of 503")
