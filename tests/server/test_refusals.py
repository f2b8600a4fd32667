"""What the real server refuses: staff sockets without auth, kiosk calls without a token, floods."""
from __future__ import annotations

import pytest
import requests
import socketio

from tests.helpers.live import WAIT, add_kiosk, assert_error_shape, bearer, demo_instance, issue, launch, login

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One live demo office for this module (a server start per test would cost seconds).

    None of these tests changes what the others see: only the flood test issues tickets, so
    only it counts against the demo kiosk's rate limit.
    """
    server = launch(demo_instance(tmp_path_factory.mktemp("refusals") / "instance"))
    yield server
    server.stop()


@pytest.mark.parametrize("auth", [None, {"token": "not-a-real-token"}, {"token": 42}, "token"])
def test_counter_namespace_refuses_connect_without_valid_staff_auth(served, auth):
    client = socketio.Client(reconnection=False, request_timeout=WAIT)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(served.base_url, namespaces=["/counter"], transports=["websocket"],
                           auth=auth, wait_timeout=WAIT)
        assert "/counter" not in client.namespaces
    finally:
        client.disconnect()


def test_counter_namespace_accepts_a_staff_token(served):
    """The control for the refusals above: the namespace exists and a real token gets in."""
    token = login(served.base_url, "petugas", served.logins.passwords["petugas"])
    client = socketio.Client(reconnection=False, request_timeout=WAIT)
    try:
        client.connect(served.base_url, namespaces=["/counter"], transports=["websocket"],
                       auth={"token": token}, wait_timeout=WAIT)
        assert "/counter" in client.namespaces
    finally:
        client.disconnect()


def test_issuing_without_or_with_a_wrong_kiosk_token_is_401_in_the_error_shape(served):
    url = f"{served.base_url}/api/tickets"
    body = {"service": SERVICE, "lane": "general"}
    assert_error_shape(requests.post(url, json=body, timeout=WAIT), 401, "unauthorized")
    assert_error_shape(requests.post(url, json=body, headers=bearer("forged"), timeout=WAIT), 401, "unauthorized")
    english = requests.post(url, json=body, headers={"Accept-Language": "en"}, timeout=WAIT)
    assert_error_shape(english, 401, "unauthorized")
    indonesian = requests.post(url, json=body, headers={"Accept-Language": "id"}, timeout=WAIT)
    assert english.json()["error"]["message"] != indonesian.json()["error"]["message"]


def test_flooding_kiosk_is_rate_limited_while_another_kiosk_still_issues(served):
    """Demo office: `rate_limit = "60 per minute"` per kiosk; the 61st within the minute is 429."""
    base = served.base_url
    with requests.Session() as flooding:
        answers = [issue(flooding, base, served.logins.kiosk_token, SERVICE) for _ in range(60)]
        assert [answer.status_code for answer in answers] == [201] * 60, [
            (index, answer.status_code) for index, answer in enumerate(answers) if answer.status_code != 201][:3]
        refused = issue(flooding, base, served.logins.kiosk_token, SERVICE)
        assert_error_shape(refused, 429, "rate_limited")
        other_token = add_kiosk(served.instance, "Kiosk lantai 2")  # registered while serving
        with requests.Session() as other:
            allowed = issue(other, base, other_token, SERVICE)
        assert allowed.status_code == 201, allowed.text
        assert allowed.json()["number"] == "A-061"  # the refused request used no number
        assert_error_shape(issue(flooding, base, served.logins.kiosk_token, SERVICE), 429, "rate_limited")
