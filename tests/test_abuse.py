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
