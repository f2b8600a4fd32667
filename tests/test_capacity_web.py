"""Capacity, hours, quotas and screening through the web layer: API, kiosk pages, display data."""
import tomllib

import pytest
import tomli_w

from shared.domain.config import DEMO_TEMPLATE
from shared.web import create_app
from tests.test_kiosk_api import assert_error
from tests.test_pages import csrf_of, register_kiosk

TICKET = {"service": "konsultasi", "lane": "general"}


def office_toml(**sections) -> str:
    """The demo office with some sections added or replaced."""
    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    raw.update(sections)
    return tomli_w.dumps(raw)


@pytest.fixture
def make_app(instance_dir):
    def build(**sections):
        (instance_dir / "office.toml").write_text(office_toml(**sections))
        return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)
    return build


def test_capacity_needs_a_supervisor(client, staff_headers):
    assert_error(client.put("/api/capacity", json={"max_inside": 10}, headers=staff_headers("officer")), 403,
                 "forbidden")
    assert_error(client.put("/api/capacity", json={"max_inside": 10}), 401, "unauthorized")
    supervisor = staff_headers("supervisor")
    assert client.put("/api/capacity", json={"max_inside": 10}, headers=supervisor).get_json() == {"inside": 0, "max": 10}
    assert client.put("/api/capacity", json={"max_inside": 5}, headers=staff_headers("admin")).status_code == 200
    assert_error(client.put("/api/capacity", json={"max_inside": "lots"}, headers=supervisor), 422, "invalid_request")
    assert client.get("/api/capacity").get_json() == {"inside": 0, "max": 5}


def test_cap_of_two_sends_the_third_visitor_outside_and_done_invites_them(client, kiosk_headers, staff_headers):
    client.put("/api/capacity", json={"max_inside": 2}, headers=staff_headers("supervisor"))
    issued = [client.post("/api/tickets", json=TICKET, headers=kiosk_headers).get_json() for _ in range(3)]
    assert [t["status"] for t in issued] == ["waiting", "waiting", "outside"]
    officer = staff_headers()
    client.post("/api/counters/6/call-next", headers=officer)
    client.post("/api/counters/6/done", headers=officer)
    third = client.get(f"/api/tickets/{issued[2]['token']}").get_json()
    assert third["status"] == "invited"
    snapshot = client.get("/api/queue").get_json()
    assert snapshot["occupancy"]["max"] == 2 and snapshot["invited"] == [issued[2]["number"]]
    entered = client.post(f"/api/tickets/{issued[2]['token']}/enter", headers=kiosk_headers)
    assert entered.status_code == 200 and entered.get_json()["status"] == "waiting"


def test_enter_needs_a_kiosk_or_staff(client, kiosk_headers):
    token = client.post("/api/tickets", json=TICKET, headers=kiosk_headers).get_json()["token"]
    assert_error(client.post(f"/api/tickets/{token}/enter"), 401, "unauthorized")


def test_staff_lets_a_visitor_in_by_number(client, kiosk_headers, staff_headers):
    client.put("/api/capacity", json={"max_inside": 1}, headers=staff_headers("supervisor"))
    client.post("/api/tickets", json=TICKET, headers=kiosk_headers)
    second = client.post("/api/tickets", json=TICKET, headers=kiosk_headers).get_json()
    officer = staff_headers()
    assert_error(client.post("/api/counters/6/admit", json={"number": second["number"]}, headers=officer), 409,
                 "not_invited")
    client.put("/api/capacity", json={"max_inside": 0}, headers=staff_headers("supervisor"))
    assert client.get(f"/api/tickets/{second['token']}").get_json()["status"] == "invited"
    admitted = client.post("/api/counters/6/admit", json={"number": second["number"]}, headers=officer)
    assert admitted.get_json()["status"] == "waiting"


def test_closed_hours_refuse_with_next_opening(make_app, demo):
    app = make_app(hours={"monday": ["00:00-00:01"]})
    client = app.test_client()
    response = client.post("/api/tickets", json=TICKET, headers={"Authorization": f"Bearer {demo.kiosk_token}",
                                                                 "Accept-Language": "en"})
    error = response.get_json()["error"]
    assert response.status_code == 409 and error["code"] == "closed"
    assert error["next_open"].endswith("T00:00:00+07:00") and "opens again" in error["message"]
    register_kiosk(client, demo)
    home = client.get("/kiosk/").get_data(as_text=True)
    assert 'id="closed-notice"' in home and "Layanan tatap muka sedang tutup" in home
    assert "oss.go.id" in home and "<svg" in home


def test_quota_full_shows_the_alternatives_on_the_kiosk(make_app, demo):
    raw = tomllib.loads(DEMO_TEMPLATE.read_text())
    services = raw["services"]
    services[4]["daily_quota"] = 1
    app = make_app(services=services)
    client = app.test_client()
    register_kiosk(client, demo)
    lanes = client.get("/kiosk/services/konsultasi").get_data(as_text=True)
    form = {"service": "konsultasi", "lane": "general", "csrf_token": csrf_of(lanes)}
    assert client.post("/kiosk/tickets", data=form).status_code == 302
    refused = client.post("/kiosk/tickets", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Kuota nomor antrean hari ini" in page and "oss.go.id" in page
    response = client.post("/api/tickets", json=TICKET, headers={"Authorization": f"Bearer {demo.kiosk_token}"})
    assert response.get_json()["error"]["code"] == "quota_full"
    assert response.get_json()["error"]["alternatives"][0]["url"] == "https://oss.go.id"
    indonesian = response.get_json()["error"]["alternatives"][0]
    english = client.post("/api/tickets", json=TICKET, headers={"Authorization": f"Bearer {demo.kiosk_token}",
                                                                "Accept-Language": "en"}).get_json()["error"]
    assert english["alternatives"][0]["url"] == "https://oss.go.id"
    assert english["alternatives"][0]["note"] != indonesian["note"]   # the office's note_en, not the Indonesian
    assert english["alternatives"][0]["name"] == raw["alternatives"][0].get("name_en", raw["alternatives"][0]["name"])


def test_health_screening_advises_and_issues_no_ticket(make_app, demo):
    app = make_app(screening={"questions": [{"id": "Apakah Anda demam?", "en": "Do you have a fever?"}]})
    client = app.test_client()
    register_kiosk(client, demo)
    home = client.get("/kiosk/").get_data(as_text=True)
    assert "/kiosk/services/konsultasi/check" in home
    check = client.get("/kiosk/services/konsultasi/check").get_data(as_text=True)
    assert "Apakah Anda demam?" in check
    advice = client.post("/kiosk/services/konsultasi/check", data={"q0": "yes", "csrf_token": csrf_of(check)})
    assert "Mohon tunda kunjungan Anda" in advice.get_data(as_text=True)
    assert client.get("/api/queue").get_json()["waiting"]["konsultasi"]["general"] == 0
    with app.app_context():
        from shared.web import context
        assert context.db().screening.advice_count(context.office().today()) == 1
    passed = client.post("/kiosk/services/konsultasi/check", data={"q0": "no", "csrf_token": csrf_of(check)})
    assert passed.status_code == 302 and "/kiosk/services/konsultasi" in passed.headers["Location"]
    incomplete = client.post("/kiosk/services/konsultasi/check", data={"csrf_token": csrf_of(check)})
    assert incomplete.status_code == 400


def test_scan_at_the_door(client, demo, kiosk_headers, staff_headers):
    client.put("/api/capacity", json={"max_inside": 1}, headers=staff_headers("supervisor"))
    client.post("/api/tickets", json=TICKET, headers=kiosk_headers)
    second = client.post("/api/tickets", json=TICKET, headers=kiosk_headers).get_json()
    register_kiosk(client, demo)
    home = client.get("/kiosk/").get_data(as_text=True)
    refused = client.post("/kiosk/enter", data={"code": second["status_url"], "csrf_token": csrf_of(home)})
    assert refused.status_code == 409 and "penuh" in refused.get_data(as_text=True)
    client.put("/api/capacity", json={"max_inside": 2}, headers=staff_headers("supervisor"))
    entered = client.post("/kiosk/enter", data={"code": second["status_url"], "csrf_token": csrf_of(home)})
    assert entered.status_code == 200 and "Silakan masuk" in entered.get_data(as_text=True)
    forged = client.post("/kiosk/enter", data={"code": "http://x/t/forged", "csrf_token": csrf_of(home)})
    assert forged.status_code == 404


def test_outside_ticket_page_and_pdf_tell_the_visitor_to_wait_outside(client, demo, staff_headers):
    client.put("/api/capacity", json={"max_inside": 1}, headers=staff_headers("supervisor"))
    register_kiosk(client, demo)
    lanes = client.get("/kiosk/services/konsultasi").get_data(as_text=True)
    form = {"service": "konsultasi", "lane": "general", "csrf_token": csrf_of(lanes)}
    client.post("/kiosk/tickets", data=form)
    shown = client.post("/kiosk/tickets", data=form)
    page = client.get(shown.headers["Location"]).get_data(as_text=True)
    assert 'id="outside-notice"' in page
    token = shown.headers["Location"].rsplit("/", 1)[1]
    status = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Silakan menunggu di luar" in status and 'id="status-estimate"' in status
