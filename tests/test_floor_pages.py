"""The supervisor's floor page and its forms, and the console's silent alarm, through the Flask
test client: who may open them, what each form does and says, and CSRF."""
import re

import pytest

from shared.web.extensions import socketio
from tests.test_kiosk_api import take
from tests.test_pages import csrf_of, login

FLOOR = "/counter/floor"


@pytest.fixture
def boss(app, demo):
    """A supervisor's browser, signed in; `.csrf` is its form token."""
    browser = app.test_client()
    login(browser, demo, "supervisor")
    browser.csrf = csrf_of(browser.get(FLOOR).get_data(as_text=True))
    return browser


def flashes(browser) -> list[str]:
    """The messages the floor shows after a form came back to it."""
    page = browser.get(FLOOR).get_data(as_text=True)
    shown = re.search(r'<div class="flashes" role="status">(.*?)</div>', page, re.S)
    return re.findall(r'<p class="flash flash--\w+">([^<]*)</p>', shown.group(1)) if shown else []


def post(browser, path: str, **fields):
    response = browser.post(path, data={"csrf_token": browser.csrf, **fields})
    assert response.status_code == 302 and response.headers["Location"].endswith(FLOOR), response.status_code
    return flashes(browser)


def test_a_supervisor_lands_on_the_floor_and_an_officer_on_the_counters(app, demo):
    for username, landing in (("supervisor", FLOOR), ("admin", FLOOR), ("petugas", "/counter/")):
        browser = app.test_client()
        page = browser.get("/counter/login").get_data(as_text=True)
        signed_in = browser.post("/counter/login", data={"username": username, "password": demo.passwords[username],
                                                         "csrf_token": csrf_of(page)})
        assert signed_in.headers["Location"].endswith(landing), username


def test_the_floor_is_for_supervisors_only(app, client, demo):
    assert client.get(FLOOR).headers["Location"].endswith("/counter/login")
    officer = app.test_client()
    login(officer, demo, "petugas")
    assert officer.get(FLOOR).status_code == 403
    assert officer.get(FLOOR + "/panel").status_code == 403
    assert officer.post(FLOOR + "/announcement", data={"text": "x", "csrf_token": csrf_of(
        officer.get("/counter/").get_data(as_text=True))}).status_code == 403
    assert 'href="/counter/floor"' not in officer.get("/counter/").get_data(as_text=True)


def test_the_floor_shows_counters_lines_and_figures_in_indonesian(boss, client, kiosk_headers, staff_headers):
    take(client, kiosk_headers)
    take(client, kiosk_headers, {"service": "izin_kesehatan", "lane": "general"})
    client.post("/api/counters/1/call-next", headers=staff_headers())
    page = boss.get(FLOOR).get_data(as_text=True)
    assert '<html lang="id">' in page and "Lantai layanan" in page
    assert 'id="counter-card-1"' in page and "A-001" in page and "petugas sejak" in page
    assert re.search(r'id="tile-waiting">1<', page)
    assert "Izin Kesehatan" in page and "B-001" in page   # the head of its line
    panel = boss.get(FLOOR + "/panel").get_data(as_text=True)
    assert "<html" not in panel and 'id="counter-cards"' in panel
    assert "Service floor" in boss.get(FLOOR + "?lang=en").get_data(as_text=True)
    assert 'href="/counter/floor"' in boss.get("/counter/").get_data(as_text=True)


def test_floor_forms_steer_the_floor(boss, client, kiosk_headers, staff_headers):
    first = take(client, kiosk_headers).get_json()
    second = take(client, kiosk_headers).get_json()
    assert post(boss, FLOOR + "/counters/2/state", state="paused") == ["Loket 2 sedang istirahat."]
    assert client.get("/api/counters").get_json()[1]["state"] == "paused"
    assert post(boss, FLOOR + "/counters/2/state", state="asleep") == ["Status loket tidak dikenal: asleep."]
    assert post(boss, FLOOR + "/lines", counter="1", add="3") == ["Loket 1 kini juga melayani antrean Loket 3."]
    assert 'aria-label="Berhenti melayani antrean Loket 3"' in boss.get(FLOOR).get_data(as_text=True)
    assert post(boss, FLOOR + "/lines", counter="1", remove="3") == ["Loket 1 tidak lagi melayani antrean Loket 3."]
    assert post(boss, FLOOR + "/lines", counter="1", add="1") == ["Loket sudah melayani antreannya sendiri."]
    assert post(boss, FLOOR + "/capacity", max_inside="25") == ["Kini paling banyak 25 orang di dalam."]
    assert post(boss, FLOOR + "/capacity", max_inside="0") == ["Tidak ada batas jumlah orang di dalam."]
    assert post(boss, FLOOR + "/capacity", max_inside="banyak") == ["Kolom &#39;max_inside&#39; tidak diisi atau tidak valid."]
    assert post(boss, FLOOR + "/announcement", text="Istirahat <siang>") == ["Layar kini menampilkan teks berjalan."]
    assert client.get("/api/queue").get_json()["announcement"] == "Istirahat <siang>"
    assert "Istirahat &lt;siang&gt;</textarea>" in boss.get(FLOOR).get_data(as_text=True)
    assert post(boss, FLOOR + "/announcement", text="") == ["Teks berjalan dihapus."]
    assert post(boss, FLOOR + "/call", number=second["number"], counter="1", reason="lansia lelah") == [
        "A-002 dipanggil ke Loket 1."]
    assert post(boss, FLOOR + "/call", number=first["number"], counter="1", reason="lagi") == [
        "Loket 1 masih melayani A-002; panggil setelah loket kosong."]
    assert post(boss, FLOOR + "/move", number=first["number"], service="non_perizinan", lane="senior",
                reason="salah layanan") == ["A-001 dipindahkan ke Non-Perizinan · Lansia (60+)."]
    assert post(boss, FLOOR + "/move", number="Z9", service="non_perizinan", lane="senior",
                reason="salah layanan") == ["Tiket tidak ditemukan."]
    assert client.get("/api/counters/1/waiting", headers=staff_headers()).get_json()["officer"] is None


def test_the_floor_answers_an_alarm(app, boss, client, staff_headers):
    alarm = client.post("/api/alarms", json={"counter": 5}, headers=staff_headers()).get_json()
    page = boss.get(FLOOR).get_data(as_text=True)
    assert f'data-alarm="{alarm["id"]}"' in page and "Alarm senyap" in page and "Loket 5 · petugas" in page
    assert post(boss, f"{FLOOR}/alarms/{alarm['id']}/acknowledge") == ["Alarm di Loket 5 sudah ditanggapi."]
    assert f'data-alarm="{alarm["id"]}"' not in boss.get(FLOOR).get_data(as_text=True)
    assert post(boss, f"{FLOOR}/alarms/424242/acknowledge") == ["Alarm tidak ditemukan."]


def test_floor_forms_need_their_csrf_token(boss):
    for path, fields in ((FLOOR + "/counters/1/state", {"state": "paused"}), (FLOOR + "/announcement", {"text": "x"}),
                         (FLOOR + "/capacity", {"max_inside": "3"}), (FLOOR + "/lines", {"counter": "1", "add": "2"}),
                         (FLOOR + "/call", {}), (FLOOR + "/move", {}), (FLOOR + "/alarms/1/acknowledge", {})):
        assert boss.post(path, data=fields).status_code == 400, path


def test_the_console_sends_the_silent_alarm_without_leaving_the_page(app, demo):
    console = app.test_client()
    login(console, demo, "petugas")
    page = console.get("/counter/4").get_data(as_text=True)
    assert 'id="alarm-button"' in page and "Ctrl+Alt+A" in page and "Panggil supervisor" in page
    floor = socketio.test_client(app, namespace="/floor", flask_test_client=app.test_client())
    assert not floor.is_connected("/floor")
    boss = app.test_client()
    login(boss, demo, "supervisor")
    floor = socketio.test_client(app, namespace="/floor", flask_test_client=boss)
    floor.get_received("/floor")
    csrf = csrf_of(page)
    sent = console.post("/counter/4/alarm", data={"csrf_token": csrf}, headers={"Accept": "application/json"})
    assert sent.status_code == 201 and sent.get_json()["counter"] == 4
    assert [p["name"] for p in floor.get_received("/floor")] == ["alarm", "floor"]
    plain = console.post("/counter/4/alarm", data={"csrf_token": csrf})   # without the page's script
    assert plain.status_code == 302 and plain.headers["Location"].endswith("/counter/4")
    assert console.post("/counter/4/alarm", data={}, headers={"Accept": "application/json"}).status_code == 400
    assert console.post("/counter/99/alarm", data={"csrf_token": csrf},
                        headers={"Accept": "application/json"}).status_code == 404
