"""Lane checks over the JSON API (`confirm-lane`, `move-to-general`) and what the screens hear of them."""
import pytest

from shared.web.extensions import socketio
from tests.test_kiosk_api import assert_error


def call_senior(client, kiosk_headers, officer, counter=7) -> dict:
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "senior"}, headers=kiosk_headers)
    called = client.post(f"/api/counters/{counter}/call-next", headers=officer).get_json()
    assert called["lane"] == "senior"
    return called


def test_confirm_then_read_it_back_with_the_waiting_list(client, kiosk_headers, staff_headers):
    officer = staff_headers("officer")
    called = call_senior(client, kiosk_headers, officer)
    confirmed = client.post("/api/counters/7/confirm-lane", headers=officer)
    assert confirmed.status_code == 200
    assert {key: confirmed.get_json()[key] for key in ("number", "lane", "status")} == {
        "number": called["number"], "lane": "senior", "status": "serving"}
    current = client.get("/api/counters/7/waiting", headers=officer).get_json()["current"]
    assert current["lane_check"]["decision"] == "confirmed" and current["lane_check"]["by"] == "petugas"
    assert current["lane_check"]["reason"] is None


def test_move_to_general_needs_a_listed_reason(client, kiosk_headers, staff_headers):
    officer = staff_headers("officer")
    call_senior(client, kiosk_headers, officer)
    assert_error(client.post("/api/counters/7/move-to-general", json={}, headers=officer), 400, "invalid_request")
    assert_error(client.post("/api/counters/7/move-to-general", json={"reason": "batuk"}, headers=officer),
                 422, "invalid_request")
    moved = client.post("/api/counters/7/move-to-general", json={"reason": "visitor_asked"}, headers=officer)
    assert moved.status_code == 200 and moved.get_json()["lane"] == "general"
    check = client.get("/api/counters/7/waiting", headers=officer).get_json()["current"]["lane_check"]
    assert (check["decision"], check["from_lane"], check["reason"]) == ("moved", "senior", "visitor_asked")
    assert_error(client.post("/api/counters/7/confirm-lane", headers=officer), 409, "invalid_state")


@pytest.mark.parametrize("action", ["confirm-lane", "move-to-general"])
def test_lane_checks_need_a_staff_login_and_a_visitor(client, staff_headers, action):
    assert_error(client.post(f"/api/counters/7/{action}", json={"reason": "not_eligible"}), 401, "unauthorized")
    assert_error(client.post(f"/api/counters/7/{action}", json={"reason": "not_eligible"},
                             headers=staff_headers("officer")), 409, "invalid_state")


def test_a_lane_move_reaches_the_phone_the_displays_and_the_consoles(app, client, kiosk_headers, staff_headers):
    officer = staff_headers("officer")
    mine = client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "senior"},
                       headers=kiosk_headers).get_json()
    client.post("/api/counters/7/call-next", headers=officer)
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    display = socketio.test_client(app, namespace="/display", flask_test_client=client)
    console = socketio.test_client(app, namespace="/counter", flask_test_client=client,
                                   auth={"token": officer["Authorization"].split()[1]})
    phone.get_received("/ticket"), display.get_received("/display"), console.get_received("/counter")

    client.post("/api/counters/7/move-to-general", json={"reason": "not_eligible"}, headers=officer)
    [update] = [p["args"][0] for p in phone.get_received("/ticket") if p["name"] == "ticket"]
    assert (update["lane"], update["status"]) == ("general", "serving")
    [queue] = [p["args"][0] for p in display.get_received("/display") if p["name"] == "queue"]
    assert queue["calls"][0]["lane"] == "general"
    assert [p["name"] for p in console.get_received("/counter")] == ["queue"]
