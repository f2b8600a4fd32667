"""The server errors the fuzzer (tests/test_fuzz.py) found, each kept as a plain example."""
from __future__ import annotations

import json
import logging

import pytest

from shared.domain.hours import parse_day
from shared.web.extensions import socketio
from shared.web.socket_errors import FrameJSON


@pytest.fixture
def supervisor(client, staff_headers):
    return staff_headers("supervisor")


@pytest.mark.parametrize("query", ["after=²", "limit=²", "after=١٢", "after=99999999999999999999999"])
def test_audit_paging_refuses_digits_int_cannot_read_and_ids_past_64_bits(client, supervisor, query):
    # "²" passes str.isdigit() and then int() raised; a 23-digit id overflowed SQLite's integer.
    answer = client.get(f"/api/audit?{query}", headers=supervisor)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("path", ["/api/audit", "/api/audit.csv", "/api/reports/summary",
                                  "/api/reports/tickets.csv", "/api/reports/report.pdf"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_range_at_the_calendars_ends_is_refused_not_overflowed(client, supervisor, path, day):
    answer = client.get(path, query_string={"from": day, "to": day}, headers=supervisor)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_slots_and_bookings_on_a_date_at_the_calendars_ends_are_refused(client, day):
    slots = client.get("/api/slots", query_string={"service": "konsultasi", "date": day})
    assert slots.status_code == 422
    booked = client.post("/api/bookings", json={"service": "konsultasi", "date": day, "start": "08:00"})
    assert booked.status_code == 422, booked.get_json()
    assert booked.get_json()["error"]["code"] == "invalid_request"


def test_a_business_date_is_one_an_office_can_have():
    assert parse_day("2026-12-04").isoformat() == "2026-12-04"
    assert parse_day("0001-01-01") is None
    assert parse_day("9999-12-31") is None
    assert parse_day("2026-02-30") is None
    assert parse_day(20261204) is None


@pytest.mark.parametrize("path", ["/api/alarms/9223372036854775808/acknowledge", "/api/kiosks/99999999999999999999/link",
                                  "/api/counters/9223372036854775808/call-next"])
def test_an_id_in_a_path_past_64_bits_is_an_unknown_path(client, staff_headers, path):
    # It reached SQLite, which cannot hold it: OverflowError, 500.
    answer = client.post(path, headers=staff_headers("admin"))
    assert answer.status_code == 404
    assert answer.get_json()["error"]["code"] == "not_found"


def test_a_sign_in_nested_thousands_deep_is_a_400(client):
    # The sign-in limiter reads the username from the body before the view, and its JSON reader
    # hit Python's recursion limit: 500.
    answer = client.post("/api/login", data=b"[" * 5000 + b"]" * 5000, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize("method, path, field", [
    ("PUT", "/api/announcement", "text"), ("POST", "/api/kiosks", "name"), ("PUT", "/api/kiosks/1", "name"),
    ("POST", "/api/login", "username"), ("POST", "/api/login", "password"), ("POST", "/api/password", "current"),
    ("POST", "/api/floor/call", "reason"), ("POST", "/api/floor/move", "reason")])
def test_half_a_surrogate_pair_in_a_json_body_is_a_400(client, staff_headers, method, path, field):
    # JSON lets a client escape half a UTF-16 pair ("\ud800"); Python reads it as a lone
    # surrogate, which SQLite and the password hasher cannot encode: 500 (seed 1234 found the
    # running text, a sweep over every body field the rest).
    answer = client.open(path, method=method, data=json.dumps({field: "a\ud800b"}), content_type="application/json",
                         headers=staff_headers("admin"))
    assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
    assert answer.get_json()["error"]["code"] == "invalid_request"


def test_a_whole_surrogate_pair_is_still_text(client, staff_headers):
    answer = client.put("/api/announcement", data=json.dumps({"text": "Selamat datang \U0001F600"}),
                        content_type="application/json", headers=staff_headers("supervisor"))
    assert answer.status_code == 200
    assert answer.get_json()["text"] == "Selamat datang \U0001F600"


# -- Socket.IO: what the fuzzer found once it sent numbers past 100 digits and any `auth` ---------

@pytest.fixture
def socket_warnings(caplog):
    """The log records of one socket test: warnings allowed, nothing at ERROR."""
    caplog.set_level(logging.WARNING)
    yield caplog
    assert [record.getMessage()[:200] for record in caplog.records if record.levelno >= logging.ERROR] == []


def frame(client, text: str) -> None:
    """A raw websocket frame from this test client's connection, as a hand-written client sends
    it: engine.io's message type `4`, then the Socket.IO packet the server decodes."""
    assert text.startswith("4")
    client.socketio.server._handle_eio_message(client.eio_sid, text[1:])


@pytest.mark.parametrize("since", [2**63, 2**64, 10**40, 10**150])
def test_a_display_resuming_from_a_seq_past_64_bits_gets_its_snapshot(app, socket_warnings, since):
    # The seq reached SQLite, which cannot hold it: OverflowError in the connect handler, logged
    # as a server fault, and the display heard `error` instead of its snapshot.
    display = socketio.test_client(app, namespace="/display", auth={"since": since})
    assert [packet["name"] for packet in display.get_received("/display")] == ["snapshot"]


@pytest.mark.parametrize("namespace", ["/display", "/ticket", "/counter", "/floor", "/"])
def test_a_connect_whose_auth_is_a_101_digit_number_is_refused_with_one_log_line(app, supervisor, socket_warnings,
                                                                                namespace):
    # `40/display,1000…`: Socket.IO reads the digits as a packet id and refuses an id that long;
    # the error left the dispatcher, so the client never heard back (and the test client raised).
    client = socketio.test_client(app, namespace="/nowhere")
    frame(client, f"40{namespace},1{'0' * 120}")
    assert not client.is_connected(namespace)
    assert client.socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace) is None
    assert [record.getMessage()[:40] for record in socket_warnings.records] == [
        "malformed Socket.IO frame answered: Valu"]
    # The same connection still connects when it asks properly.
    token = supervisor["Authorization"].removeprefix("Bearer ")
    frame(client, f'40{namespace},{{"token": "{token}"}}')
    assert client.socketio.server.manager.sid_from_eio_sid(client.eio_sid, namespace) is not None


@pytest.mark.parametrize("text", ['["watch", {"token": 1' + "0" * 150 + "}]", '["watch", ', '["watch", [' + "[" * 3000,
                                  '{"watch": 1}', "[]", '"watch"', "[5]", "7"])
def test_an_event_that_cannot_be_decoded_gets_an_error_event(app, socket_warnings, text):
    phone = socketio.test_client(app, namespace="/ticket")
    frame(phone, f"42/ticket,{text}")
    [answer] = phone.get_received("/ticket")
    assert answer["name"] == "error"
    assert answer["args"][0]["error"]["code"] == "invalid_request"
    assert phone.is_connected("/ticket")


def test_a_number_of_hundreds_of_digits_is_a_wrong_value_not_a_malformed_frame(app, socket_warnings):
    # python-engineio's decoder refused the whole frame; the number now reaches the handler, which
    # answers as it answers any token that is not a string, without a line in the log.
    phone = socketio.test_client(app, namespace="/ticket")
    phone.emit("watch", {"token": 10**400}, namespace="/ticket")
    [answer] = phone.get_received("/ticket")
    assert answer["args"][0]["error"]["code"] == "invalid_request"
    assert socket_warnings.records == []
    assert FrameJSON.loads('[1' + '0' * 400 + ', 12]') == [float("inf"), 12]


@pytest.mark.parametrize("text", ["46/ticket,", "45/ticket,[]", "451-/display,[\"x\"]", "46/ticket0", "47/ticket,[]"])
def test_a_binary_packet_without_attachments_does_not_take_the_next_frames(app, socket_warnings, text):
    # A binary packet announcing no attachment was kept waiting for one, so the connection's next
    # frame (here a proper watch) was taken for its attachment and refused, and so on for good;
    # one outside a joined namespace, or of a type a client may not send, raised from dispatch.
    phone = socketio.test_client(app, namespace="/ticket")
    frame(phone, text)
    assert [packet["name"] for packet in phone.get_received("/ticket")] in ([], ["error"])
    phone.emit("watch", {"token": "forged"}, namespace="/ticket")
    [answer] = phone.get_received("/ticket")
    assert answer["args"][0]["error"]["code"] == "unknown_ticket"
    assert len(socket_warnings.records) == 1
