"""Hostile requests against the app in process: each gets a clear 4xx, never a 500 or a traceback.

The live-server side (slow clients, idle connections, malformed Socket.IO frames) is in
tests/server/test_abuse_live.py.
"""
from __future__ import annotations

import pytest

from tests.test_kiosk_api import assert_error

# Werkzeug refuses to build URLs for these hosts (an IDNA label over 63 characters), so Flask
# has no URL adapter for the request; every other odd Host is answered as usual.
UNUSABLE_HOSTS = ("x" * 64, "a." + "b" * 300 + ".c", "x" * 64 + ":5000")
ODD_HOSTS = ("bad host", "a:b:c", "[::1", "évil.example", "<script>", "")
PAGES = ("/", "/kiosk/", "/display/", "/counter/", "/counter/login", "/booking/", "/nope", "/static/../app.py")


@pytest.mark.parametrize("host", UNUSABLE_HOSTS)
def test_an_unusable_host_gets_a_short_400_on_every_page(client, host):
    for path in PAGES:
        response = client.get(path, headers={"Host": host})
        body = response.get_data(as_text=True)
        assert response.status_code == 400, (path, response.status_code, body[:300])
        assert "Traceback" not in body and len(body) < 200, (path, body[:300])
        assert response.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("host", UNUSABLE_HOSTS)
def test_an_unusable_host_gets_the_json_error_shape_on_the_api(client, kiosk_headers, host):
    assert_error(client.get("/api/services", headers={"Host": host}), 400, "invalid_request")
    assert_error(client.post("/api/tickets", json={"service": "perizinan_berusaha"},
                             headers={"Host": host, **kiosk_headers}), 400, "invalid_request")


@pytest.mark.parametrize("host", ODD_HOSTS)
def test_an_odd_but_usable_host_gets_the_page(client, host):
    for path in ("/", "/display/"):
        response = client.get(path, headers={"Host": host})
        assert response.status_code == 200, (path, response.status_code)
    assert client.get("/nope", headers={"Host": host}).status_code == 404


def test_admit_at_a_counter_that_does_not_exist_is_refused(client, kiosk_headers, staff_headers):
    officer = staff_headers("officer")
    issued = client.post("/api/tickets", json={"service": "perizinan_berusaha"}, headers=kiosk_headers)
    number = issued.get_json()["number"]
    for counter in (999, 0):
        assert_error(client.post(f"/api/counters/{counter}/admit", json={"number": number}, headers=officer),
                     404, "unknown_counter")
    # A real counter still admits (the number is waiting, so admitting changes nothing harmful).
    assert client.post("/api/counters/1/admit", json={"number": number}, headers=officer).status_code != 404


# -- path traversal ------------------------------------------------------------------------------

# What must never come back: the system's accounts, the app's own source, its database or secret.
SECRETS = (b"root:x:0:0", b"def create_app", b"SQLite format 3", b"[office]")
FILE_ROUTES = ("/vendor/", "/static/", "/static/kiosk/", "/static/display/", "/static/counter/", "/static/booking/",
               "/static/admin/", "/display/speech/id/A-001/", "/api/tickets/", "/api/bookings/", "/api/calendar/",
               "/kiosk/tickets/", "/t/")
ESCAPES = ("../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
           "%2e%2e%2f%2e%2e%2f%2e%2e%2fshared%2fweb%2fapp.py", "../../shared/web/app.py", "..\\..\\..\\shared\\web\\app.py",
           "..%5c..%5c..%5cshared%5cweb%5capp.py", "/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd",
           "app.py%00.js", "socket.io.min.js%00", "..%00/..%00/etc/passwd", "%252e%252e/%252e%252e/etc/passwd",
           "....//....//....//etc/passwd", "../antrean.sqlite3", "../../instance/antrean.sqlite3", "../office.toml")
SUFFIXES = ("", "/pdf", "/qr.svg", ".ics", ".wav")


def test_no_file_route_serves_anything_outside_its_folder(client, instance_dir):
    secret = (instance_dir / "secret_key").read_bytes() if (instance_dir / "secret_key").exists() else None
    for route in FILE_ROUTES:
        for escape in ESCAPES:
            for suffix in SUFFIXES:
                response = client.get(route + escape + suffix)
                # 401: a kiosk page asks for its kiosk first; never a 200 (a file) nor a 500.
                assert response.status_code in (400, 401, 404, 308, 405), (route + escape + suffix, response.status_code)
                body = response.get_data()
                assert not any(marker in body for marker in SECRETS), route + escape + suffix
                assert secret is None or secret not in body
                if response.status_code == 308:  # werkzeug's slash merging: follow it once, same rules
                    followed = client.get(response.headers["Location"])
                    assert followed.status_code in (400, 401, 404, 405), (route + escape, followed.status_code)
                    assert not any(marker in followed.get_data() for marker in SECRETS)


def test_the_file_routes_still_serve_their_own_files(client):
    """The control for the probes above: the same routes do serve what they are for."""
    assert client.get("/vendor/socket.io.min.js").status_code == 200
    assert client.get("/static/antrean.css").status_code == 200


# -- floods --------------------------------------------------------------------------------------

def test_a_flooding_kiosk_is_limited_with_retry_after_while_another_kiosk_issues(app, client, kiosk_headers):
    from datetime import datetime, timezone

    from shared.services.accounts import register_kiosk
    from shared.web import context

    with app.app_context():
        other_token = register_kiosk(context.db(), "Kiosk lantai 2", datetime.now(timezone.utc))
    ticket = {"service": "perizinan_berusaha"}
    answers = [client.post("/api/tickets", json=ticket, headers=kiosk_headers).status_code for _ in range(61)]
    assert answers[:60] == [201] * 60 and answers[60] == 429, answers
    refused = client.post("/api/tickets", json=ticket, headers=kiosk_headers)
    assert_error(refused, 429, "rate_limited")
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other = client.post("/api/tickets", json=ticket, headers={"Authorization": f"Bearer {other_token}"})
    assert other.status_code == 201, other.get_json()
    assert "Retry-After" not in other.headers


def test_a_flooding_phone_is_limited_while_another_phone_is_not(client):
    flooding = {"REMOTE_ADDR": "10.0.0.66"}
    body = {"service": "perizinan_berusaha", "lane": "general"}
    answers = [client.post("/api/remote-tickets", json=body, environ_base=flooding).status_code for _ in range(31)]
    assert 429 not in answers[:30] and answers[30] == 429, answers
    refused = client.post("/api/remote-tickets", json=body, environ_base=flooding)
    assert_error(refused, 429, "rate_limited")
    assert int(refused.headers["Retry-After"]) > 0
    other = client.post("/api/remote-tickets", json=body, environ_base={"REMOTE_ADDR": "10.0.0.67"})
    assert other.status_code != 429, other.get_json()


# -- oversized payloads --------------------------------------------------------------------------

def test_oversized_json_and_form_posts_are_refused_with_413(client, kiosk_headers):
    pad = "x" * 70_000
    assert_error(client.post("/api/tickets", json={"service": "perizinan_berusaha", "pad": pad}, headers=kiosk_headers),
                 413, "too_large")
    assert_error(client.post("/api/login", json={"username": pad, "password": pad}), 413, "too_large")
    form = client.post("/counter/login", data={"username": pad, "password": "x"})
    assert form.status_code == 413 and b"Traceback" not in form.data
    assert "text/html" in form.headers["Content-Type"]
    upload = client.post("/booking/new/perizinan_berusaha", data={"contact": pad},
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert upload.status_code == 413
