"""Staff endpoints: login, counters and actions, with their access rules."""
import pytest

from tests.test_kiosk_api import assert_error, take


def test_login(client, demo):
    response = client.post("/api/login", json={"username": "petugas", "password": demo.passwords["petugas"]})
    assert response.status_code == 200
    assert response.get_json()["role"] == "officer" and response.get_json()["token"]


@pytest.mark.parametrize("body", [{"username": "petugas", "password": "wrong-password"},
                                  {"username": "nobody", "password": "whatever1"}])
def test_bad_credentials(client, body):
    assert_error(client.post("/api/login", json=body), 401, "bad_credentials")


def test_repeated_failures_are_throttled(client, demo):
    for _ in range(10):
        client.post("/api/login", json={"username": "petugas", "password": "guess-guess"})
    assert_error(client.post("/api/login", json={"username": "petugas", "password": "guess-guess"}), 429, "rate_limited")


def test_successful_logins_are_not_throttled(client, demo):
    for _ in range(12):
        ok = client.post("/api/login", json={"username": "petugas", "password": demo.passwords["petugas"]})
        assert ok.status_code == 200


def test_counters_are_public(client):
    counters = client.get("/api/counters").get_json()
    assert counters[0] == {"number": 1, "name": "Loket 1", "services": ["perizinan_berusaha"], "lanes": None,
                           "state": "open", "officer": None}
    assert counters[-1]["lanes"] == ["health_worker", "senior", "disability", "pregnant_children"]


@pytest.mark.parametrize("action", ["call-next", "recall", "start", "done", "no-show", "transfer"])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer forged.token.value"}])
def test_actions_need_a_staff_login(client, action, headers):
    assert_error(client.post(f"/api/counters/1/{action}", json={"service": "konsultasi"}, headers=headers),
                 401, "unauthorized")


def test_kiosk_token_cannot_call(client, kiosk_headers):
    assert_error(client.post("/api/counters/1/call-next", headers=kiosk_headers), 401, "unauthorized")


def test_call_flow(client, kiosk_headers, staff_headers):
    officer = staff_headers("officer")
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 204
    take(client, kiosk_headers), take(client, kiosk_headers)
    called = client.post("/api/counters/1/call-next", headers=officer)
    assert called.status_code == 200 and called.get_json()["number"] == "A-001"
    assert client.post("/api/counters/1/recall", headers=officer).get_json()["recalls"] == 1
    assert client.post("/api/counters/1/start", headers=officer).get_json()["status"] == "serving"
    assert_error(client.post("/api/counters/1/no-show", headers=officer), 409, "invalid_state")
    assert client.post("/api/counters/1/done", headers=officer).get_json()["status"] == "done"
    assert_error(client.post("/api/counters/1/done", headers=officer), 409, "invalid_state")
    nxt = client.post("/api/counters/1/call-next", headers=officer).get_json()
    moved = client.post("/api/counters/1/transfer", json={"service": "konsultasi"}, headers=officer).get_json()
    assert (moved["number"], moved["service"], moved["status"]) == (nxt["number"], "konsultasi", "waiting")
    waiting = client.get("/api/counters/6/waiting", headers=officer).get_json()
    assert [t["number"] for t in waiting["waiting"]] == ["A-002"]


def test_transfer_refusals(client, kiosk_headers, staff_headers):
    officer = staff_headers()
    take(client, kiosk_headers)
    client.post("/api/counters/1/call-next", headers=officer)
    assert_error(client.post("/api/counters/1/transfer", json={}, headers=officer), 400, "invalid_request")
    assert_error(client.post("/api/counters/1/transfer", json={"service": "nope"}, headers=officer), 404,
                 "unknown_service")


def test_idempotency_key_on_call_next(client, kiosk_headers, staff_headers):
    officer = staff_headers()
    take(client, kiosk_headers), take(client, kiosk_headers)
    headers = {**officer, "Idempotency-Key": "double-press"}
    first = client.post("/api/counters/1/call-next", headers=headers)
    second = client.post("/api/counters/1/call-next", headers=headers)
    assert first.get_json() == second.get_json()
    assert client.get("/api/counters/1/waiting", headers=officer).get_json()["waiting"][0]["number"] == "A-002"


def test_unknown_counter_and_action(client, staff_headers):
    officer = staff_headers()
    assert_error(client.post("/api/counters/99/call-next", headers=officer), 404, "unknown_counter")
    assert_error(client.post("/api/counters/1/explode", headers=officer), 404, "not_found")


def test_queue_snapshot_is_public(client, kiosk_headers, staff_headers):
    take(client, kiosk_headers, {"service": "izin_kesehatan", "lane": "health_worker"})
    snapshot = client.get("/api/queue").get_json()
    assert {"seq", "calls", "waiting", "occupancy"} <= set(snapshot)
    assert snapshot["waiting"]["izin_kesehatan"]["health_worker"] == 1
    client.post("/api/counters/3/call-next", headers=staff_headers())
    after = client.get("/api/queue").get_json()
    assert after["seq"] == snapshot["seq"] + 2   # a `called` and a `queue` were sent
    assert after["calls"][0]["number"] == "B-001" and after["calls"][0]["counter"] == 3


def test_counter_can_pause_close_and_reopen(client, kiosk_headers, staff_headers):
    officer = staff_headers()
    take(client, kiosk_headers)
    assert client.post("/api/counters/1/pause", headers=officer).get_json() == {"number": 1, "state": "paused",
                                                                                 "officer": "petugas"}
    assert client.get("/api/counters").get_json()[0]["state"] == "paused"
    assert_error(client.post("/api/counters/1/call-next", headers=officer), 409, "invalid_state")
    assert client.get("/api/queue").get_json()["counters"]["1"] == "paused"
    assert client.post("/api/counters/1/close", headers=officer).get_json()["state"] == "closed"
    assert client.post("/api/counters/1/open", headers=officer).get_json()["state"] == "open"
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 200


def test_call_specific_number_and_return_absent_visitor(client, kiosk_headers, staff_headers):
    officer = staff_headers()
    take(client, kiosk_headers), take(client, kiosk_headers)
    assert_error(client.post("/api/counters/1/call", json={"number": "A-002"}, headers=officer), 400,
                 "invalid_request")
    called = client.post("/api/counters/1/call", json={"number": "A-002", "reason": "pick-up only"}, headers=officer)
    assert called.status_code == 200
    assert (called.get_json()["number"], called.get_json()["reason"]["rule"]) == ("A-002", "out_of_order")
    assert client.post("/api/counters/1/no-show", headers=officer).get_json()["status"] == "no_show"
    back = client.post("/api/counters/2/return", json={"number": "A-002"}, headers=officer)
    assert back.status_code == 200 and back.get_json()["status"] == "waiting"
    assert_error(client.post("/api/counters/2/return", json={"number": "A-002"}, headers=officer), 409,
                 "invalid_state")


def test_recall_limit_over_the_api(client, kiosk_headers, staff_headers):
    officer = staff_headers()
    take(client, kiosk_headers)
    client.post("/api/counters/1/call-next", headers=officer)
    for _ in range(3):
        assert client.post("/api/counters/1/recall", headers=officer).status_code == 200
    assert_error(client.post("/api/counters/1/recall", headers=officer), 409, "recall_limit")


def test_call_next_reports_the_rule(client, kiosk_headers, staff_headers):
    take(client, kiosk_headers), take(client, kiosk_headers, {"service": "perizinan_berusaha", "lane": "disability"})
    called = client.post("/api/counters/2/call-next", headers=staff_headers()).get_json()
    assert called["lane"] == "disability" and called["reason"]["rule"] == "priority_lane"
