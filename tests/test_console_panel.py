"""The console page as served: lane checks, invited visitors, shortcuts on the buttons, typed numbers."""
from counter.views import MOVE_REASONS
from shared.domain import lane_checks
from tests.test_pages import csrf_of, login


def post(client, page: str, path: str, **fields) -> str:
    """Submit one console form (with the page's CSRF token) and read the page it leads to."""
    return client.post(path, data={"csrf_token": csrf_of(page), **fields}, follow_redirects=True).get_data(as_text=True)


def test_every_move_reason_has_a_label_and_nothing_else_does():
    assert tuple(MOVE_REASONS) == lane_checks.MOVE_REASONS


def test_the_console_confirms_and_moves_with_one_form_each(client, demo, kiosk_headers):
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "disability"}, headers=kiosk_headers)
    login(client, demo)
    page = post(client, client.get("/counter/7").get_data(as_text=True), "/counter/7/call-next")
    assert 'id="lane-confirm"' in page and 'name="reason"' in page
    assert '<option value="not_eligible">Tidak memenuhi syarat jalur ini</option>' in page
    page = post(client, page, "/counter/7/confirm-lane")
    assert "Nomor A-001: jalur Penyandang Disabilitas dikonfirmasi." in page
    assert 'id="lane-confirmed"' in page and "Jalur dikonfirmasi oleh petugas pukul" in page
    assert 'id="lane-confirm"' not in page
    page = post(client, page, "/counter/7/move-to-general", reason="not_eligible")
    assert "Nomor A-001 dipindahkan ke jalur umum." in page
    assert ("Dipindahkan dari Penyandang Disabilitas ke jalur umum oleh petugas: Tidak memenuhi syarat jalur ini."
            in page)
    assert 'id="lane-general"' not in page   # a general-lane visitor has nothing left to check


def test_a_general_visitor_shows_no_lane_check(client, demo, kiosk_headers):
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "general"}, headers=kiosk_headers)
    login(client, demo)
    page = post(client, client.get("/counter/1").get_data(as_text=True), "/counter/1/call-next")
    assert 'id="current-number">A-001<' in page and 'id="lane-check"' not in page


def test_shortcuts_are_shown_on_their_buttons(client, demo):
    login(client, demo)
    page = client.get("/counter/1").get_data(as_text=True)
    for action, key in (("call-next", "N"), ("action-recall", "R"), ("action-start", "S"), ("action-done", "D"),
                        ("action-no-show", "X")):
        button = page.split(f'id="{action}"', 1)[1].split("</button>", 1)[0]
        assert f'aria-keyshortcuts="{key}"' in button and f'<kbd aria-hidden="true">{key}</kbd>' in button


def test_typed_numbers_on_the_console_forms(client, demo, kiosk_headers):
    for _ in range(3):
        client.post("/api/tickets", json={"service": "konsultasi"}, headers=kiosk_headers)
    login(client, demo)
    page = post(client, client.get("/counter/6").get_data(as_text=True), "/counter/6/call",
                number="e3", reason="hanya mengambil berkas")
    assert 'id="current-number">E-003<' in page
    page = post(client, page, "/counter/6/no-show")
    page = post(client, page, "/counter/6/return", number="E 003")
    assert "Nomor E-003 kembali masuk antrean." in page and "E-003" in page.split('id="waiting-list"', 1)[1]


def test_invited_visitors_are_listed_with_one_button_each(client, demo, kiosk_headers, staff_headers):
    officer = staff_headers("officer")
    client.put("/api/capacity", json={"max_inside": 1}, headers=staff_headers("supervisor"))
    for _ in range(2):
        client.post("/api/tickets", json={"service": "non_perizinan"}, headers=kiosk_headers)
    client.post("/api/counters/2/call-next", headers=officer)
    client.post("/api/counters/2/done", headers=officer)     # C-002 is invited in
    login(client, demo)
    page = client.get("/counter/5").get_data(as_text=True)
    assert 'id="invited-count">1<' in page and 'value="C-002"' in page
    assert 'aria-label="Izinkan masuk & panggil C-002"' in page
    page = post(client, page, "/counter/5/admit-call", number="C-002")
    assert 'id="current-number">C-002<' in page and 'id="invited"' not in page
    assert "diizinkan masuk di loket (masuk tanpa memindai tiket)" in page
