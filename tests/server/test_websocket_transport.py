"""The websocket transport under gevent (shared/web/websocket.py) on a real server: the
handshake, compression declined, fragments, pings, goodbyes, and frames it must refuse."""
from __future__ import annotations

import json
import socket
import struct
import time

import pytest
import requests
import socketio
import websocket
from websocket import ABNF

from tests.helpers.live import WAIT, build_office, demo_instance, issue, launch
from tests.helpers.sockets import raw_socket, ws_url

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server = launch(demo_instance(tmp_path_factory.mktemp("websocket") / "instance"))
    yield server
    server.stop()


def assert_kiosk_issues(server) -> None:
    with requests.Session() as kiosk:
        answer = issue(kiosk, server.base_url, server.logins.kiosk_token, "perizinan_berusaha")
    assert answer.status_code == 201, answer.text


def next_frame(ws, *, skip_pings: bool = True):
    """The next frame the server sends (engine.io pings answered and skipped)."""
    while True:
        opcode, frame = ws.recv_data_frame(True)
        if skip_pings and opcode == ABNF.OPCODE_TEXT and frame.data == b"2":
            ws.send("3")
            continue
        return opcode, frame


def close_code(frame) -> int:
    return struct.unpack("!H", frame.data[:2])[0]


def test_a_browsers_offer_of_compression_is_declined_and_the_socket_works(served):
    """Every browser offers permessage-deflate; accepted, it would hold a zlib stream per socket."""
    ws = websocket.create_connection(
        ws_url(served), timeout=WAIT,
        header=["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"])
    try:
        assert ws.getstatus() == 101
        assert "sec-websocket-extensions" not in {name.lower() for name in ws.getheaders()}
        assert ws.recv().startswith("0{")
        ws.send("40/display,")
        # The namespace's welcome and the display's first snapshot, in either order.
        first, second = ws.recv(), ws.recv()
        assert sorted(message[:11] for message in (first, second)) == ["40/display,", "42/display,"]
        assert '"snapshot"' in (first + second)
    finally:
        ws.close()


def test_a_message_sent_in_fragments_arrives_whole(served):
    ws = websocket.create_connection(ws_url(served), timeout=WAIT)
    try:
        assert ws.recv().startswith("0{")
        ws.send_frame(ABNF.create_frame("40/dis", ABNF.OPCODE_TEXT, fin=0))
        ws.send_frame(ABNF.create_frame("pl", ABNF.OPCODE_CONT, fin=0))
        ws.send_frame(ABNF.create_frame("ay,", ABNF.OPCODE_CONT, fin=1))
        assert {ws.recv()[:11], ws.recv()[:11]} == {"40/display,", "42/display,"}
    finally:
        ws.close()


def test_a_websocket_ping_is_answered_with_its_payload(served):
    ws = raw_socket(served)
    try:
        ws.ping("apakah hidup")
        while True:
            opcode, frame = next_frame(ws)
            if opcode == ABNF.OPCODE_PONG:
                break
        assert frame.data == "apakah hidup".encode()
    finally:
        ws.close()


def test_a_message_over_64_kb_in_fragments_is_cut_before_it_ends(served):
    """The limit holds while fragments arrive, not only once a message is whole: a client
    cannot make the worker hold an endless message."""
    ws = raw_socket(served)
    chunk = "x" * 10_000
    ws.send_frame(ABNF.create_frame('42/ticket,["watch", {"token": "' + chunk, ABNF.OPCODE_TEXT, fin=0))
    code = None
    try:
        for _ in range(20):     # 200 KB, never finished
            ws.send_frame(ABNF.create_frame(chunk, ABNF.OPCODE_CONT, fin=0))
    except (OSError, websocket.WebSocketConnectionClosedException):
        pass
    try:
        while True:
            opcode, frame = next_frame(ws)
            if opcode == ABNF.OPCODE_CLOSE:
                code = close_code(frame)
                break
    except (OSError, websocket.WebSocketConnectionClosedException):
        pass  # the reset may overtake the goodbye
    assert code in (None, 1009)
    with pytest.raises((OSError, websocket.WebSocketConnectionClosedException)):
        for _ in range(5):
            ws.send_frame(ABNF.create_frame(chunk, ABNF.OPCODE_CONT, fin=0))
            next_frame(ws)
    assert_kiosk_issues(served)


def test_an_unmasked_frame_is_refused_as_a_protocol_error(served):
    """RFC 6455 §5.1: a client masks every frame; a server closes on one that is not (1002)."""
    ws = raw_socket(served)
    ws.sock.sendall(b"\x81\x05hello")   # a text frame, no mask bit
    opcode, frame = next_frame(ws)
    assert opcode == ABNF.OPCODE_CLOSE and close_code(frame) == 1002
    with pytest.raises((OSError, websocket.WebSocketConnectionClosedException)):
        next_frame(ws)
    assert_kiosk_issues(served)


def test_a_text_frame_that_is_not_utf8_is_refused_with_1007(served):
    ws = raw_socket(served)
    ws.send_frame(ABNF.create_frame(b"42/ticket,\xff\xfe", ABNF.OPCODE_TEXT))
    opcode, frame = next_frame(ws)
    assert opcode == ABNF.OPCODE_CLOSE and close_code(frame) == 1007
    assert_kiosk_issues(served)


def test_the_server_says_goodbye_when_engine_io_closes(served):
    """An engine.io close (here the client's "1") ends the websocket from the server's side: a
    close frame, then the connection ends, so neither side's greenlet lingers."""
    ws = raw_socket(served)
    ws.send("1")
    codes = []
    with pytest.raises((OSError, websocket.WebSocketConnectionClosedException)):
        for _ in range(10):
            opcode, frame = next_frame(ws)
            if opcode == ABNF.OPCODE_CLOSE:
                codes.append(close_code(frame))
    assert codes == [1000]


@pytest.mark.parametrize("headers", [
    {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"},   # no key
    {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "8",
     "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="},
    {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
     "Sec-WebSocket-Key": "short"},
])
def test_a_broken_handshake_is_refused_with_400(served, headers):
    answer = requests.get(f"{served.base_url}/socket.io/?EIO=4&transport=websocket", headers=headers,
                          timeout=WAIT)
    assert answer.status_code == 400
    assert_kiosk_issues(served)


def test_a_client_that_drops_its_connection_mid_frame_costs_nothing(served):
    """Half a frame, then the TCP connection is gone: the server lets the socket go."""
    for _ in range(20):
        ws = raw_socket(served)
        ws.sock.sendall(b"\x81\xfe\x10\x00abcd" + b"x" * 100)   # announces 4 KB, sends 100 bytes
        ws.sock.shutdown(socket.SHUT_RDWR)
        ws.sock.close()
    assert_kiosk_issues(served)
    ws = raw_socket(served)
    ws.ping("masih di sini")
    opcode, frame = next_frame(ws)
    assert opcode == ABNF.OPCODE_PONG
    ws.close()


def test_a_client_that_starts_on_polling_upgrades_to_this_websocket(served):
    """engine.io's upgrade (probe ping, pong, upgrade packet) runs through `wait` and `send`."""
    client = socketio.Client(reconnection=False)
    snapshots, updates = [], []
    client.on("snapshot", snapshots.append, namespace="/display")
    client.on("queue", updates.append, namespace="/display")
    try:
        client.connect(served.base_url, namespaces=["/display"], transports=["polling", "websocket"],
                       wait_timeout=WAIT)
        deadline = time.monotonic() + WAIT
        while client.transport() != "websocket" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.transport() == "websocket"
        assert snapshots and "waiting" in snapshots[0]
        assert_kiosk_issues(served)
        while not updates and time.monotonic() < deadline:   # the kiosk's ticket, pushed
            time.sleep(0.05)
        assert updates and updates[-1]["seq"] > snapshots[0]["seq"]
    finally:
        client.disconnect()


def display_messages(ws, until) -> list[tuple[str, int, int]]:
    """Display events (name, seq, tickets waiting) off a hand-made display socket, up to the first
    whose waiting count is `until`."""
    seen = []
    while not seen or seen[-1][2] != until:
        message = ws.recv()
        if message == "2":
            ws.send("3")
        elif message.startswith("42/display,"):
            name, body = json.loads(message[len("42/display,"):])[:2]
            seen.append((name, body["seq"], sum(body["waiting"]["umum"].values())))
    return seen


def test_a_display_that_stops_reading_holds_up_nobody_and_later_gets_everything_in_order(tmp_path):
    """Messages are written at once when a socket can take them; a socket that cannot (its reader
    stalled, the kernel's buffers full) gets the rest through engine.io's writer greenlet.

    300 counters make each display snapshot ~4 KB; 1,000 tickets send ~4 MB to each display,
    past what the kernel buffers on loopback (measured: the at-once write found a full buffer
    there and handed the rest on). The kiosk is never held up, the reading display hears every
    snapshot, and the stalled one, once it reads again, gets the same messages, whole and in order.
    """
    office = build_office(tmp_path / "instance", counters=300, kiosks=1)
    server = launch(office.instance)
    stalled = websocket.create_connection(ws_url(server), timeout=WAIT,
                                          sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 2048),))
    reading = websocket.create_connection(ws_url(server), timeout=WAIT)
    try:
        for ws in (stalled, reading):
            assert ws.recv().startswith("0{")
            ws.send("40/display,")
        assert [name for name, _seq, _waiting in display_messages(reading, 0)] == ["snapshot"]
        slowest = 0.0
        with requests.Session() as kiosk:
            for _ in range(1000):
                started = time.monotonic()
                answer = issue(kiosk, server.base_url, office.kiosk_tokens[0], "umum")
                slowest = max(slowest, time.monotonic() - started)
                assert answer.status_code == 201, answer.text
        heard = display_messages(reading, 1000)
        assert len(heard) > 100 and {name for name, _seq, _waiting in heard} == {"queue"}
        assert [seq for _name, seq, _waiting in heard] == sorted({seq for _name, seq, _waiting in heard})
        assert slowest < WAIT / 2   # nobody waited for the stalled display
        later = display_messages(stalled, 1000)
        assert later[0][0] == "snapshot" and later[1:] == heard
    finally:
        stalled.close()
        reading.close()
        server.stop()
