"""Hostile clients against a real server (gunicorn + gevent on loopback): malformed Socket.IO
frames, bad `watch`es, slow and idle connections, foreign origins and oversized messages.

Each is refused or cut without a traceback in the log, and a kiosk keeps getting its tickets.
One server serves the module; the counts are small so the suite stays fast.
"""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests
import socketio
import websocket

from tests.helpers.live import WAIT, assert_error_shape, bearer, demo_instance, issue, launch, login
from tests.helpers.sockets import Recorder, raw_socket, ws_url

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"
TRICKLERS = 30
IDLE_CONNECTIONS = 500
FOREIGN = "http://evil.example"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One live demo office; the body deadline is shortened so the slow-client test stays short."""
    server = launch(demo_instance(tmp_path_factory.mktemp("abuse") / "instance"),
                    env={"ANTREAN_REQUEST_DEADLINE_S": "2"})
    yield server
    server.stop()


def frames_until_quiet(ws, quiet: float = 0.5) -> list[str]:
    """What the server sends until it says nothing for `quiet` seconds (pings answered)."""
    received = []
    ws.settimeout(quiet)
    while True:
        try:
            message = ws.recv()
        except websocket.WebSocketTimeoutException:
            return received
        if message == "2":
            ws.send("3")
            continue
        received.append(message)


def error_codes(messages: list[str], namespace: str = "/ticket") -> list[str]:
    codes = []
    for message in messages:
        if message.startswith(f"42{namespace},"):
            name, payload = json.loads(message[len(f"42{namespace},"):])[:2]
            if name == "error":
                assert set(payload) == {"error"} and set(payload["error"]) == {"code", "message"}, payload
                assert payload["error"]["message"].strip()
                codes.append(payload["error"]["code"])
    return codes


def server_log(server) -> str:
    return server.log.read_text(errors="replace")


def assert_kiosk_issues(server) -> None:
    with requests.Session() as kiosk:
        answer = issue(kiosk, server.base_url, server.logins.kiosk_token, SERVICE)
    assert answer.status_code == 201, answer.text


# -- Socket.IO ---------------------------------------------------------------------------------

@pytest.mark.parametrize("watch, code", [
    ('["watch"]', "invalid_request"),
    ('["watch", 5]', "invalid_request"),
    ('["watch", "token"]', "invalid_request"),
    ('["watch", {}]', "invalid_request"),
    ('["watch", {"token": 7}]', "invalid_request"),
    ('["watch", {"token": "forged.token"}]', "unknown_ticket"),
    ('["watch", {"token": "%s"}]' % ("x" * 5000), "too_large"),
    ('["watch", {"a": 1}, 2, 3]', "invalid_request"),
])
def test_a_bad_watch_gets_an_error_event(served, watch, code):
    ws = raw_socket(served)
    try:
        ws.send(f"42/ticket,{watch}")
        assert error_codes(frames_until_quiet(ws)) == [code]
    finally:
        ws.close()


def test_malformed_frames_are_dropped_without_a_traceback(served):
    before = server_log(served)
    for frame in ("42/ticket,{}", "42/ticket,[", "4z", "42/ticket,[1,2]", "43/ticket,", "42/nowhere,[\"x\"]",
                  '42/display,["snapshot"]', "45-/ticket,[\"x\"]", "99", "6", ""):
        ws = raw_socket(served)
        try:
            ws.send(frame)
            frames_until_quiet(ws, quiet=0.3)
        except (websocket.WebSocketException, ConnectionError):
            pass  # the server may hang up on garbage; it must not log a traceback for it
        finally:
            ws.close()
    # The connection still works for a well-behaved phone.
    ws = raw_socket(served)
    try:
        ws.send('42/ticket,["watch", {"token": "forged"}]')
        assert error_codes(frames_until_quiet(ws)) == ["unknown_ticket"]
    finally:
        ws.close()
    new = server_log(served)[len(before):]
    assert "Traceback" not in new, new[-3000:]
    assert new.count("malformed Socket.IO frame") <= 11


def test_a_socket_message_over_64_kb_closes_the_connection(served):
    ws = raw_socket(served)
    ws.send('42/ticket,["watch", {"token": "%s"}]' % ("x" * 70_000))
    with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
        frames_until_quiet(ws, quiet=WAIT)
    assert_kiosk_issues(served)


def test_a_foreign_origin_is_refused_on_every_namespace(served):
    """Same-origin only (Flask-SocketIO's default): a page on another site cannot drive a
    console's session cookie, nor read a display; the office's own screens and phones connect."""
    polling = served.base_url + "/socket.io/?EIO=4&transport=polling"
    assert requests.get(polling, headers={"Origin": FOREIGN}, timeout=WAIT).status_code == 400
    assert requests.get(polling, headers={"Origin": served.base_url}, timeout=WAIT).status_code == 200
    assert requests.get(polling, timeout=WAIT).status_code == 200  # no Origin: kiosks, scripts
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url(served), timeout=WAIT, origin=FOREIGN)
    # The websocket client sends its own Origin: the server's address, as a display's browser does.
    display = Recorder("/display", ("snapshot",)).connect(served.base_url)
    try:
        display.wait_for(lambda events: display.of("snapshot"), what="the display's snapshot")
    finally:
        display.close()


@pytest.mark.parametrize("namespace, who", [("/floor", "petugas"), ("/floor", "kiosk"), ("/counter", "kiosk"),
                                            ("/floor", None), ("/counter", None)])
def test_staff_namespaces_refuse_the_wrong_role_and_strangers(served, namespace, who):
    if who == "kiosk":
        auth = {"token": served.logins.kiosk_token}
    elif who:
        auth = {"token": login(served.base_url, who, served.logins.passwords[who])}
    else:
        auth = None
    client = socketio.Client(reconnection=False, request_timeout=WAIT)
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            client.connect(served.base_url, namespaces=[namespace], transports=["websocket"], auth=auth,
                           wait_timeout=WAIT)
    finally:
        client.disconnect()


def test_a_foreign_origin_is_refused_even_with_a_supervisors_token(served):
    """A page on another site holding a stolen token still cannot open a staff socket."""
    token = login(served.base_url, "supervisor", served.logins.passwords["supervisor"])
    # The origin is checked on the handshake, before any namespace or token is looked at.
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(ws_url(served), timeout=WAIT, origin=FOREIGN)
    # The control: from the office's own origin the same token opens the floor and hears it.
    ws = raw_socket(served, None)
    try:
        ws.send("40/floor," + json.dumps({"token": token}))
        assert any(frame.startswith('42/floor,["floor",') for frame in frames_until_quiet(ws))
    finally:
        ws.close()


# -- slow and idle clients -----------------------------------------------------------------------

def _drip(server, answers: list, hold_s: float, opening: bytes, drop: bytes) -> None:
    """Send `opening`, then `drop` every 0.2 s; note how the connection ended."""
    with socket.create_connection(("127.0.0.1", int(server.base_url.rsplit(":", 1)[1])), timeout=WAIT) as conn:
        conn.sendall(opening)
        conn.settimeout(0.2)
        started = time.monotonic()
        while time.monotonic() - started < hold_s:
            try:
                conn.sendall(drop)
                reply = conn.recv(200)
            except socket.timeout:
                continue
            except OSError:
                answers.append("reset")
                return
            answers.append(reply.split(b"\r\n", 1)[0].decode() if reply else "closed")
            return
        answers.append("held")


def _trickle(server, answers: list, hold_s: float) -> None:
    """A kiosk's headers, then its body a byte at a time."""
    _drip(server, answers, hold_s, f"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          f"Authorization: Bearer {server.logins.kiosk_token}\r\nContent-Length: 1000\r\n\r\n{{".encode(), b" ")


def _trickle_headers(server, answers: list, hold_s: float) -> None:
    """A request line, then one header line at a time."""
    _drip(server, answers, hold_s, b"GET /api/services HTTP/1.1\r\n", b"X-Slow: 1\r\n")


def test_clients_trickling_headers_or_a_body_are_cut_while_a_kiosk_issues(served):
    answers: list[str] = []
    tricklers = [threading.Thread(target=_trickle if index % 2 else _trickle_headers, args=(served, answers, 4 * WAIT))
                 for index in range(TRICKLERS)]
    for thread in tricklers:
        thread.start()
    assert_kiosk_issues(served)
    for thread in tricklers:
        thread.join(timeout=5 * WAIT)
    assert len(answers) == TRICKLERS
    assert "held" not in answers, answers
    assert set(answers) <= {"HTTP/1.1 408 REQUEST TIMEOUT", "closed", "reset"}, answers
    assert "Traceback" not in server_log(served)
    assert_kiosk_issues(served)


@pytest.fixture(scope="module")
def served_threads(tmp_path_factory):
    """The same office served by `--async-mode threading` (64 threads)."""
    server = launch(demo_instance(tmp_path_factory.mktemp("abuse-threads") / "instance"), async_mode="threading",
                    env={"ANTREAN_REQUEST_DEADLINE_S": "2"})
    yield server
    server.stop()


def test_threads_are_not_held_by_more_slow_clients_than_threads(served_threads):
    """70 slow clients used to hold every one of the 64 threads for as long as they liked."""
    answers: list[str] = []
    tricklers = ([threading.Thread(target=_trickle_headers, args=(served_threads, answers, 4 * WAIT))
                  for _ in range(40)]
                 + [threading.Thread(target=_trickle, args=(served_threads, answers, 4 * WAIT)) for _ in range(40)])
    for thread in tricklers:
        thread.start()
    display = Recorder("/display", ("snapshot", "queue")).connect(served_threads.base_url)
    try:
        display.wait_for(lambda events: display.of("snapshot"), what="the display's snapshot")
        assert_kiosk_issues(served_threads)
        for thread in tricklers:
            thread.join(timeout=5 * WAIT)
        assert len(answers) == len(tricklers) and "held" not in answers, answers
        assert set(answers) <= {"HTTP/1.1 408 REQUEST TIMEOUT", "closed", "reset"}, answers
        # The display's websocket outlived the request deadline and still hears the queue.
        assert display.client.connected
        heard = len(display.of("queue"))
        assert_kiosk_issues(served_threads)
        display.wait_for(lambda events: len(display.of("queue")) > heard, what="a queue update after the deadline")
    finally:
        display.close()
    assert "Traceback" not in server_log(served_threads)


def test_a_kiosk_gets_its_ticket_past_500_idle_connections(served):
    port = int(served.base_url.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=WAIT))
        assert_kiosk_issues(served)
        assert requests.get(served.url("/api/queue"), timeout=WAIT).status_code == 200
    finally:
        for conn in idle:
            conn.close()


def test_a_json_body_over_64_kb_is_refused_with_413(served):
    body = json.dumps({"service": SERVICE, "lane": "general", "pad": "x" * 70_000})
    answer = requests.post(served.url("/api/tickets"), data=body, timeout=WAIT,
                           headers={"Content-Type": "application/json", **bearer(served.logins.kiosk_token)})
    assert_error_shape(answer, 413, "too_large")


# -- what a real client can put in a frame: any `auth`, numbers of hundreds of digits -------------

HUNDREDS_OF_DIGITS = "1" + "0" * 150


@pytest.mark.parametrize("namespace, auth, answer", [
    ("/display", '"x"', '42/display,["snapshot",'),
    ("/display", "[1, [2, {}]]", '42/display,["snapshot",'),
    ("/display", '{"since": %s}' % HUNDREDS_OF_DIGITS, '42/display,["snapshot",'),
    ("/display", '{"since": 18446744073709551616}', '42/display,["snapshot",'),
    ("/display", HUNDREDS_OF_DIGITS, "44/display,"),      # digits after the namespace are a packet id
    ("/ticket", HUNDREDS_OF_DIGITS, "44/ticket,"),
    ("/counter", '"x"', "44/counter,"),
    ("/counter", '{"token": %s}' % HUNDREDS_OF_DIGITS, "44/counter,"),
    ("/floor", '[{"token": "x"}]', "44/floor,"),
    ("/floor", HUNDREDS_OF_DIGITS, "44/floor,"),
])
def test_a_connect_with_any_auth_is_answered(served, namespace, auth, answer):
    """A CONNECT whose auth is not an object, or holds a number no decoder reads exactly, is
    answered: connected with a snapshot, or refused (`44`); never left without an answer."""
    before = server_log(served)
    ws = raw_socket(served, None)
    try:
        ws.send(f"40{namespace},{auth}")
        frames = frames_until_quiet(ws)
        assert any(message.startswith(answer) for message in frames), frames
        if answer.startswith("44"):
            refusal = json.loads(frames[0][len(f"44{namespace},"):])
            assert refusal["message"].strip()
    finally:
        ws.close()
    assert "Traceback" not in server_log(served)[len(before):]


@pytest.mark.parametrize("event", ['["watch", 1e999]', '["watch", {"token": %s}]' % HUNDREDS_OF_DIGITS,
                                   '["watch", %s]' % HUNDREDS_OF_DIGITS, '["watch", ', "{}", "[]", "[5]"])
def test_an_event_no_handler_can_take_gets_an_error_event(served, event):
    before = server_log(served)
    ws = raw_socket(served)
    try:
        ws.send(f"42/ticket,{event}")
        assert error_codes(frames_until_quiet(ws)) == ["invalid_request"]
        # The connection is still there and answers the next watch.
        ws.send('42/ticket,["watch", {"token": "forged"}]')
        assert error_codes(frames_until_quiet(ws)) == ["unknown_ticket"]
    finally:
        ws.close()
    new = server_log(served)[len(before):]
    assert "Traceback" not in new and new.count("\n") <= 3, new[-2000:]


def test_hostile_frames_cost_a_display_nothing(served):
    """A display connected throughout hears the calls made after a burst of hostile frames."""
    display = Recorder("/display", ("snapshot", "queue")).connect(served.base_url)
    try:
        display.wait_for(lambda events: display.of("snapshot"), what="the display's snapshot")
        for text in (f"40/display,{HUNDREDS_OF_DIGITS}", '40/counter,"x"', f'42/ticket,["watch", {HUNDREDS_OF_DIGITS}]',
                     "42/ticket,[", "42/ticket,{}", "47/ticket,[]"):
            ws = raw_socket(served)
            try:
                ws.send(text)
                frames_until_quiet(ws, quiet=0.3)
            finally:
                ws.close()
        heard = len(display.of("queue"))
        assert_kiosk_issues(served)
        display.wait_for(lambda events: len(display.of("queue")) > heard, what="a queue update")
        assert display.client.connected
    finally:
        display.close()


def test_a_binary_packet_without_attachments_leaves_the_connection_working(served):
    """`46/ticket,` announces a binary packet with no attachment: the server used to wait for one
    and took every later frame of the connection for it, so the phone could never watch again."""
    ws = raw_socket(served)
    try:
        ws.send("46/ticket,")
        assert error_codes(frames_until_quiet(ws)) == ["invalid_request"]
        ws.send('42/ticket,["watch", {"token": "forged"}]')
        assert error_codes(frames_until_quiet(ws)) == ["unknown_ticket"]
    finally:
        ws.close()
