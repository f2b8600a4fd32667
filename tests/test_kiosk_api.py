"""Kiosk and visitor endpoints through the Flask test client, refusals included."""
import pytest

TICKET = {"service": "perizinan_berusaha", "lane": "general"}


def take(client, kiosk_headers, body=TICKET, **headers):
    return client.post("/api/tickets", json=body, headers={**kiosk_headers, **headers})


def assert_error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]["message"]


def test_services_are_public(client):
    services = client.get("/api/services").get_json()
    assert {"code", "name", "prefix", "lanes"} <= set(services[0])
    assert services[0]["lanes"][0] == "general"
    english = client.get("/api/services", headers={"Accept-Language": "en"}).get_json()
    assert english[1]["name"] == "Health permits" and services[1]["name"] == "Izin Kesehatan"


def test_issue_ticket(client, kiosk_headers):
    response = take(client, kiosk_headers)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"id", "number", "service", "lane", "status", "token", "status_url", "pdf_url", "ahead"}
    assert (body["number"], body["status"], body["ahead"]) == ("A-001", "waiting", 0)
    assert body["status_url"].endswith(f"/t/{body['token']}")
    assert take(client, kiosk_headers).get_json()["ahead"] == 1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-kiosk"}, {"Authorization": "Basic abc"}])
def test_unregistered_devices_cannot_issue(client, headers):
    assert_error(client.post("/api/tickets", json=TICKET, headers=headers), 401, "unauthorized")


def test_staff_token_is_not_a_kiosk_token(client, staff_headers):
    assert_error(client.post("/api/tickets", json=TICKET, headers=staff_headers()), 401, "unauthorized")


@pytest.mark.parametrize("payload", ["{not json", "[1, 2]", '"text"', '{"service": 5}', '{"lane": "general"}',
                                     "[" * 20000 + "]" * 20000])
def test_malformed_requests(client, kiosk_headers, payload):
    response = client.post("/api/tickets", data=payload, headers={**kiosk_headers, "Content-Type": "application/json"})
    assert_error(response, 400, "invalid_request")


def test_unknown_service_and_invalid_lane(client, kiosk_headers):
    assert_error(take(client, kiosk_headers, {"service": "nope", "lane": "general"}), 404, "unknown_service")
    assert_error(take(client, kiosk_headers, {"service": "perizinan_berusaha", "lane": "vip"}), 422, "invalid_lane")


def test_error_language_follows_accept_language(client, kiosk_headers):
    indonesian = assert_error(take(client, kiosk_headers, {"service": "nope"}), 404, "unknown_service")
    english = assert_error(take(client, kiosk_headers, {"service": "nope"}, **{"Accept-Language": "en"}), 404,
                           "unknown_service")
    assert english == "Unknown service: nope."
    assert indonesian != english and "nope" in indonesian


def test_html_in_input_is_not_reflected_raw(client, kiosk_headers):
    response = take(client, kiosk_headers, {"service": "<script>alert(1)</script>", "lane": "general"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")


def test_idempotency_key_returns_the_same_ticket(client, kiosk_headers):
    first = take(client, kiosk_headers, **{"Idempotency-Key": "press-1"}).get_json()
    again = take(client, kiosk_headers, **{"Idempotency-Key": "press-1"}).get_json()
    assert first["number"] == again["number"] == "A-001"
    assert take(client, kiosk_headers).get_json()["number"] == "A-002"


def test_kiosk_flood_is_rate_limited_per_kiosk(client, kiosk_headers, instance_dir):
    from shared.services.accounts import register_kiosk
    from shared.clock import utc_now
    from shared.store import Store

    statuses = [take(client, kiosk_headers).status_code for _ in range(61)]
    assert statuses[:60] == [201] * 60
    assert_error(take(client, kiosk_headers), 429, "rate_limited")
    db = Store(instance_dir / "antrean.sqlite3").connect()
    other = register_kiosk(db, "Kiosk 2", utc_now())
    assert take(client, {"Authorization": f"Bearer {other}"}).status_code == 201


def test_ticket_status_pdf_and_cancel(client, kiosk_headers):
    token = take(client, kiosk_headers).get_json()["token"]
    status = client.get(f"/api/tickets/{token}").get_json()
    assert status == {"number": "A-001", "service": "perizinan_berusaha", "lane": "general", "status": "waiting",
                      "ahead": 0, "estimate_min": [0, 4], "counter": None, "rated": False, "survey": None}
    pdf = client.get(f"/api/tickets/{token}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.post(f"/api/tickets/{token}/cancel").get_json() == {"status": "cancelled"}
    assert client.get(f"/api/tickets/{token}").get_json()["status"] == "cancelled"


@pytest.mark.parametrize("suffix", ["x", "/../1"])
def test_forged_tokens_are_unknown_tickets(client, kiosk_headers, suffix):
    token = take(client, kiosk_headers).get_json()["token"]
    assert client.get(f"/api/tickets/{token}{suffix}").status_code == 404
    assert_error(client.get(f"/api/tickets/{token}x"), 404, "unknown_ticket")
    assert_error(client.get("/api/tickets/1"), 404, "unknown_ticket")
    assert_error(client.post(f"/api/tickets/{token}x/cancel"), 404, "unknown_ticket")


def test_expired_token_is_an_unknown_ticket(app, client, kiosk_headers):
    from datetime import timedelta

    from shared.clock import utc_now

    token = take(client, kiosk_headers).get_json()["token"]
    app.extensions["antrean.office"].clock = lambda: utc_now() + timedelta(days=3)
    assert_error(client.get(f"/api/tickets/{token}"), 404, "unknown_ticket")


def test_unknown_route_and_method_are_json_errors(client):
    assert_error(client.get("/api/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/services"), 405, "method_not_allowed")
