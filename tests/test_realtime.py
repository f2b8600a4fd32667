"""Socket.IO namespaces through Flask-SocketIO's test client: who hears what, and who is refused."""
import pytest

from shared.web.extensions import socketio
from tests.test_kiosk_api import take


def events(socket_client, name, namespace="/ticket"):
    """The payloads of the `name` events received since the last look."""
    return [packet["args"][0] for packet in socket_client.get_received(namespace) if packet["name"] == name]


@pytest.fixture
def display(app, client):
    return socketio.test_client(app, namespace="/display", flask_test_client=client)


def test_display_gets_a_snapshot_on_connect(display, client, kiosk_headers):
    [snapshot] = events(display, "snapshot", "/display")
    assert {"seq", "calls", "waiting", "occupancy"} <= set(snapshot)
    take(client, kiosk_headers)
    [update] = events(display, "queue", "/display")
    assert update["seq"] == snapshot["seq"] + 1
    assert client.get("/api/queue").get_json()["seq"] == update["seq"]


def test_display_hears_calls_with_announcement_and_rising_seq(app, client, display, kiosk_headers, staff_headers):
    display.get_received("/display")
    take(client, kiosk_headers)
    client.post("/api/counters/2/call-next", headers=staff_headers())
    received = display.get_received("/display")
    names = [packet["name"] for packet in received]
    assert names == ["queue", "called", "queue"]
    called = received[1]["args"][0]
    assert called["number"] == "A-001" and called["counter"] == 2 and called["recall"] is False
    assert called["announce"]["id"] == "Nomor antrean A nol nol satu, silakan menuju loket dua"
    seqs = [packet["args"][0]["seq"] for packet in received]
    assert seqs == [seqs[0], seqs[0] + 1, seqs[0] + 2], "one more per message sent: a gap means a missed one"


def test_phone_follows_its_ticket(app, client, kiosk_headers, staff_headers):
    first = take(client, kiosk_headers).get_json()
    mine = take(client, kiosk_headers).get_json()
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    [initial] = [p["args"][0] for p in phone.get_received("/ticket") if p["name"] == "ticket"]
    assert (initial["status"], initial["ahead"]) == ("waiting", 1)
    officer = staff_headers()
    client.post("/api/counters/1/call-next", headers=officer)
    [update] = [p["args"][0] for p in phone.get_received("/ticket") if p["name"] == "ticket"]
    assert (update["status"], update["ahead"]) == ("waiting", 0)
    client.post("/api/counters/1/call-next", headers=officer)
    [called] = [p["args"][0] for p in phone.get_received("/ticket") if p["name"] == "ticket"]
    assert (called["status"], called["counter"]) == ("called", 1)
    assert first["number"] != mine["number"]


def test_messages_are_sent_as_json_without_searching_them_for_binary_data(app, client, display, kiosk_headers,
                                                                          staff_headers, monkeypatch):
    """Every payload is JSON: walking each one for `bytes` cost the worker ~4 ms per call with
    ~300 phones (shared/web/packets.py). The phone and the displays still hear the call."""
    from socketio import packet

    searched, search = [], packet.Packet.data_is_binary

    def spied(cls, data):
        if data is not None:   # the test client decodes what it receives with data=None
            searched.append(data)
        return search(data)

    take(client, kiosk_headers)
    mine = take(client, kiosk_headers).get_json()
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    [initial] = events(phone, "ticket")
    display.get_received("/display")
    # From here on only the server makes packets with data (the test client makes its own to send).
    monkeypatch.setattr(packet.Packet, "data_is_binary", classmethod(spied))
    client.post("/api/counters/1/call-next", headers=staff_headers())
    [update] = events(phone, "ticket")
    assert (initial["ahead"], update["ahead"]) == (1, 0)
    assert [p["name"] for p in display.get_received("/display")] == ["called", "queue"]
    assert searched == []


def test_a_finished_visits_phone_is_left_out_of_later_calls_yet_hears_what_concerns_it(
        app, client, kiosk_headers, staff_headers, monkeypatch):
    """A ticket called or finished stands in no line: later calls in its service do not read it
    again for its phone (with phones left open all day that work would grow with every visitor
    served), while its own rating and a change for everyone still reach it."""
    from shared.store.tickets import Tickets

    officer = staff_headers()
    mine = take(client, kiosk_headers).get_json()
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    client.post("/api/counters/1/call-next", headers=officer)
    client.post("/api/counters/1/done", headers=officer)
    assert [(view["status"], view["rated"]) for view in events(phone, "ticket")][-1] == ("done", False)
    office = app.extensions["antrean.office"]
    mine_id = office.store.connect().tickets.by_number(office.today(), mine["number"]).id
    read, real = [], Tickets.by_ids

    def recorded(self, ticket_ids):
        read.extend(ticket_ids)
        return real(self, ticket_ids)

    monkeypatch.setattr(Tickets, "by_ids", recorded)
    for _ in range(3):
        take(client, kiosk_headers)
        client.post("/api/counters/1/call-next", headers=officer)
    assert mine_id not in read and events(phone, "ticket") == []
    assert client.post(f"/api/tickets/{mine['token']}/feedback", json={"score": 4}).status_code == 201
    assert [(view["status"], view["rated"]) for view in events(phone, "ticket")] == [("done", True)]
    read.clear()
    client.post("/api/counters/2/pause", headers=officer)   # every estimate may move: all are read
    assert mine_id in read


def test_a_call_reaches_the_displays_then_the_phones_then_the_displays_counts(app, client, display, kiosk_headers,
                                                                             staff_headers, monkeypatch):
    """With hundreds of phones watching, the last phone told waits for every message sent before
    it: the displays' closing `queue` (their counts) goes after the phones' news, the `called`
    before it."""
    take(client, kiosk_headers)
    mine = take(client, kiosk_headers).get_json()
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    phone.get_received("/ticket")
    screens = app.extensions["antrean.screens"]
    sent, real = [], screens.socketio

    class Recording:
        def emit(self, event, *args, namespace=None, **kwargs):
            sent.append((event, namespace))
            return real.emit(event, *args, namespace=namespace, **kwargs)

    monkeypatch.setattr(screens, "socketio", Recording())
    client.post("/api/counters/1/call-next", headers=staff_headers())
    assert [item for item in sent if item[1] in ("/display", "/ticket")] == [
        ("called", "/display"), ("ticket", "/ticket"), ("queue", "/display")]
    [update] = events(phone, "ticket")
    assert update["ahead"] == 0


def test_phone_with_forged_token_gets_an_error_and_no_room(app, client, kiosk_headers, staff_headers):
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": "forged"}, namespace="/ticket")
    phone.emit("watch", "not even a dict", namespace="/ticket")
    received = phone.get_received("/ticket")
    assert [p["name"] for p in received] == ["error", "error"]
    assert received[0]["args"][0]["error"]["code"] == "unknown_ticket"
    take(client, kiosk_headers)
    client.post("/api/counters/1/call-next", headers=staff_headers())
    assert phone.get_received("/ticket") == []


def test_phone_only_hears_its_own_ticket(app, client, kiosk_headers, staff_headers):
    mine = take(client, kiosk_headers, {"service": "konsultasi", "lane": "general"}).get_json()
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    phone.get_received("/ticket")
    take(client, kiosk_headers)   # another service's queue: nothing changes for this phone
    client.post("/api/counters/1/call-next", headers=staff_headers())
    assert phone.get_received("/ticket") == []


def test_staff_namespace_refuses_strangers(app, client):
    stranger = socketio.test_client(app, namespace="/counter", flask_test_client=client)
    assert not stranger.is_connected("/counter")
    forged = socketio.test_client(app, namespace="/counter", auth={"token": "forged"})
    assert not forged.is_connected("/counter")


def test_staff_namespace_accepts_token_and_session(app, client, demo, staff_headers, kiosk_headers):
    token = staff_headers()["Authorization"].split()[1]
    by_token = socketio.test_client(app, namespace="/counter", auth={"token": token})
    assert by_token.is_connected("/counter")
    browser = app.test_client()
    page = browser.get("/counter/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    browser.post("/counter/login", data={"username": "petugas", "password": demo.passwords["petugas"],
                                         "csrf_token": csrf})
    by_session = socketio.test_client(app, namespace="/counter", flask_test_client=browser)
    assert by_session.is_connected("/counter")
    take(client, kiosk_headers)
    assert any(p["name"] == "queue" for p in by_session.get_received("/counter"))


def test_phone_estimate_follows_counters_opening_and_closing(app, client, kiosk_headers, staff_headers):
    """Only counter 6 calls general Konsultasi tickets: closing it leaves no estimate, reopening brings it back."""
    mine = take(client, kiosk_headers, {"service": "konsultasi", "lane": "general"}).get_json()
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": mine["token"]}, namespace="/ticket")
    first = events(phone, "ticket")[-1]
    assert first["estimate_min"] is not None
    officer = staff_headers()
    assert client.post("/api/counters/6/close", headers=officer).status_code == 200
    assert events(phone, "ticket")[-1]["estimate_min"] is None
    assert client.post("/api/counters/6/open", headers=officer).status_code == 200
    assert events(phone, "ticket")[-1]["estimate_min"] == first["estimate_min"]
