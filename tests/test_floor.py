"""The supervisor's floor through the Flask test client: `GET /api/floor`, counter states, the
running text, calling and moving tickets from the floor, and the `/floor` namespace."""
from datetime import datetime, timedelta, timezone

import pytest

from shared.clock import ManualClock
from shared.domain.announcements import MAX_LENGTH, clean_text
from shared.domain.errors import Unprocessable
from shared.web import create_app
from shared.web.extensions import socketio
from tests.test_kiosk_api import assert_error, take

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)   # 08:00 in Jakarta, a Monday


@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
def app(instance_dir, clock):
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": clock},
                      instance_path=instance_dir)


@pytest.fixture
def supervisor(staff_headers):
    return staff_headers("supervisor")


def received(client, namespace: str, name: str | None = None) -> list:
    """Packets a Socket.IO test client received since the last look (only `name` ones if given)."""
    packets = client.get_received(namespace)
    return [p["args"][0] for p in packets if p["name"] == name] if name else [p["name"] for p in packets]


def issue(client, kiosk_headers, count=1, **body):
    return [take(client, kiosk_headers, {"service": "perizinan_berusaha", "lane": "general", **body}).get_json()
            for _ in range(count)]


# -- the running text's rule --------------------------------------------------------------------

def test_running_text_is_one_trimmed_line_of_at_most_200_characters():
    assert clean_text("  Istirahat\nsiang\t12:00  ") == "Istirahat siang 12:00"
    assert clean_text("") == "" and clean_text(" \n ") == ""
    assert clean_text("<b>tutup</b> & buka") == "<b>tutup</b> & buka"   # kept as typed: shown as text
    assert clean_text("x" * MAX_LENGTH) == "x" * MAX_LENGTH
    assert clean_text("a\u2028b\x00c") == "a b c"
    with pytest.raises(Unprocessable):
        clean_text("x" * (MAX_LENGTH + 1))
    with pytest.raises(Unprocessable):
        clean_text(None)


# -- GET /api/floor -----------------------------------------------------------------------------

def test_floor_is_for_supervisors(client, staff_headers, supervisor):
    assert_error(client.get("/api/floor"), 401, "unauthorized")
    assert_error(client.get("/api/floor", headers=staff_headers("officer")), 403, "forbidden")
    assert client.get("/api/floor", headers=supervisor).status_code == 200
    assert client.get("/api/floor", headers=staff_headers("admin")).status_code == 200


def test_floor_shows_counters_lines_waits_occupancy_and_the_day(client, clock, kiosk_headers, staff_headers,
                                                                supervisor):
    officer = staff_headers("officer")
    first, second, third = issue(client, kiosk_headers, 3)
    clock.advance(timedelta(minutes=13))   # past the senior lane's 12-minute head start
    issue(client, kiosk_headers, lane="senior")
    clock.advance(timedelta(minutes=5))
    assert client.post("/api/counters/1/call-next", headers=officer).get_json()["number"] == first["number"]
    client.post("/api/counters/1/start", headers=officer)
    clock.advance(timedelta(minutes=3))
    client.post("/api/counters/6/close", headers=officer)
    floor = client.get("/api/floor", headers=supervisor).get_json()

    assert {"counters", "waiting", "longest_wait_min", "occupancy", "today"} <= set(floor)
    one = next(counter for counter in floor["counters"] if counter["number"] == 1)
    assert {key: one[key] for key in ("number", "state", "ticket", "since")} == {
        "number": 1, "state": "open", "ticket": first["number"], "since": "2026-03-02T08:18:00+07:00"}
    assert one["status"] == "serving" and one["minutes"] == 3
    assert one["officer"] == {"username": "petugas", "since": "2026-03-02T08:18:00+07:00"}
    six = next(counter for counter in floor["counters"] if counter["number"] == 6)
    assert six["state"] == "closed" and six["ticket"] is None and six["officer"] is None
    assert floor["waiting"]["perizinan_berusaha"] == {"general": 2, "health_worker": 0, "senior": 1,
                                                      "disability": 0, "pregnant_children": 0}
    assert floor["longest_wait_min"] == 21 and floor["waiting_total"] == 3
    assert [head["number"] for head in floor["heads"]] == [second["number"], "A-004"]
    assert floor["occupancy"] == {"inside": 4, "max": 40, "outside": 0}
    assert floor["today"] == {"tickets": 4, "served": 0, "no_show": 0}
    client.post("/api/counters/1/done", headers=officer)
    assert client.get("/api/floor", headers=supervisor).get_json()["today"]["served"] == 1
    assert third["status"] == "waiting"


def test_floor_lists_invited_visitors_and_lapsed_invitations(client, clock, kiosk_headers, staff_headers, supervisor):
    client.put("/api/capacity", json={"max_inside": 1}, headers=supervisor)
    inside, waiting_out, later = issue(client, kiosk_headers, 3)
    assert waiting_out["status"] == "outside"
    officer = staff_headers("officer")
    client.post("/api/counters/1/call-next", headers=officer)
    client.post("/api/counters/1/done", headers=officer)   # a place frees: the next outside is invited
    floor = client.get("/api/floor", headers=supervisor).get_json()
    assert [item["number"] for item in floor["invited"]] == [waiting_out["number"]] and floor["lapsed"] == []
    clock.advance(timedelta(minutes=11))
    with client.application.app_context():
        from shared.services import capacity
        from shared.web import context
        assert capacity.expire_invitations(context.office(), context.db()) == 1
    floor = client.get("/api/floor", headers=supervisor).get_json()
    assert [(item["number"], item["misses"]) for item in floor["lapsed"]] == [(waiting_out["number"], 1)]
    assert [item["number"] for item in floor["invited"]] == [later["number"]]
    assert inside["status"] == "waiting"


# -- PUT /api/counters/<n>/state ----------------------------------------------------------------

def test_supervisor_sets_a_counter_state_without_taking_the_counter(client, staff_headers, supervisor):
    officer = staff_headers("officer")
    client.post("/api/counters/2/open", headers=officer)   # petugas works counter 2
    paused = client.put("/api/counters/2/state", json={"state": "paused"}, headers=supervisor)
    assert paused.status_code == 200
    assert paused.get_json() == {"number": 2, "name": "Loket 2", "services": ["perizinan_berusaha", "non_perizinan"],
                                 "lanes": None, "state": "paused", "officer": "petugas"}
    assert client.get("/api/counters").get_json()[1]["state"] == "paused"
    assert client.put("/api/counters/2/state", json={"state": "open"}, headers=officer).get_json()["state"] == "open"


def test_an_officer_sets_only_a_counter_that_is_free_or_theirs(client, demo, staff_headers):
    officer = staff_headers("officer")
    taken = client.put("/api/counters/3/state", json={"state": "paused"}, headers=officer)
    assert taken.get_json()["officer"] == "petugas"   # a free counter: working it by doing so
    with client.application.app_context():
        from shared.services import accounts
        from shared.web import context
        accounts.add_staff(context.db(), "petugas2", "kata-sandi-loket-dua-panjang", "officer", context.now())
    token = client.post("/api/login", json={"username": "petugas2", "password": "kata-sandi-loket-dua-panjang"})
    other = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert_error(client.put("/api/counters/3/state", json={"state": "open"}, headers=other), 409, "counter_taken")
    assert_error(client.put("/api/counters/3/state", json={}, headers=other), 409, "counter_taken")


def test_counter_state_refusals(client, staff_headers, supervisor):
    assert_error(client.put("/api/counters/1/state", json={"state": "open"}), 401, "unauthorized")
    assert_error(client.put("/api/counters/1/state", json={"state": "asleep"}, headers=supervisor), 422,
                 "invalid_request")
    assert_error(client.put("/api/counters/1/state", json={"state": 3}, headers=supervisor), 400, "invalid_request")
    assert_error(client.put("/api/counters/99/state", json={"state": "open"}, headers=supervisor), 404,
                 "unknown_counter")


def test_a_state_change_reaches_displays_consoles_and_floors(app, client, staff_headers, supervisor):
    display = socketio.test_client(app, namespace="/display", flask_test_client=client)
    console = socketio.test_client(app, namespace="/counter", auth={"token": staff_headers()["Authorization"][7:]})
    floor = socketio.test_client(app, namespace="/floor", auth={"token": supervisor["Authorization"][7:]})
    for screen, namespace in ((display, "/display"), (console, "/counter"), (floor, "/floor")):
        screen.get_received(namespace)
    client.put("/api/counters/4/state", json={"state": "closed"}, headers=supervisor)
    assert received(display, "/display", "queue")[-1]["counters"]["4"] == "closed"
    assert received(console, "/counter") == ["queue"]
    [update] = received(floor, "/floor", "floor")
    assert next(c for c in update["counters"] if c["number"] == 4)["state"] == "closed"


# -- PUT /api/announcement ----------------------------------------------------------------------

def test_announcement_is_for_supervisors_and_checked(client, staff_headers, supervisor):
    assert_error(client.put("/api/announcement", json={"text": "x"}), 401, "unauthorized")
    assert_error(client.put("/api/announcement", json={"text": "x"}, headers=staff_headers()), 403, "forbidden")
    assert_error(client.put("/api/announcement", json={"text": "x" * 201}, headers=supervisor), 422,
                 "invalid_request")
    assert_error(client.put("/api/announcement", json={"text": 5}, headers=supervisor), 422, "invalid_request")
    assert_error(client.put("/api/announcement", json=["text"], headers=supervisor), 400, "invalid_request")
    english = client.put("/api/announcement", json={"text": "x" * 201},
                         headers={**supervisor, "Accept-Language": "en"}).get_json()["error"]["message"]
    assert "200" in english


def test_announcement_reaches_displays_and_survives_a_restart(app, client, instance_dir, clock, supervisor):
    display = socketio.test_client(app, namespace="/display", flask_test_client=client)
    [snapshot] = received(display, "/display", "snapshot")
    assert snapshot["announcement"] == ""
    text = "Pelayanan istirahat <b>12.00–13.00</b>"
    answer = client.put("/api/announcement", json={"text": f"  {text}\n"}, headers=supervisor)
    assert answer.status_code == 200 and answer.get_json() == {"text": text}
    [message] = received(display, "/display", "announcement")
    assert message == {"seq": snapshot["seq"] + 1, "text": text}
    assert client.get("/api/queue").get_json()["announcement"] == text
    assert client.get("/api/floor", headers=supervisor).get_json()["announcement"] == text
    client.put("/api/announcement", json={"text": text}, headers=supervisor)   # unchanged: nothing sent
    assert received(display, "/display") == []

    # A restarted server (a new app on the same instance) still shows it to a display that connects.
    restarted = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": clock},
                           instance_path=instance_dir)
    later = socketio.test_client(restarted, namespace="/display")
    assert received(later, "/display", "snapshot")[0]["announcement"] == text
    answer = restarted.test_client().put("/api/announcement", json={"text": ""}, headers=supervisor)
    assert answer.get_json() == {"text": ""}
    assert received(later, "/display", "announcement")[0]["text"] == ""


# -- calling and moving from the floor -----------------------------------------------------------

def test_supervisor_calls_a_ticket_to_a_counter_and_its_console_is_told(app, client, kiosk_headers, staff_headers,
                                                                        supervisor):
    officer = staff_headers("officer")
    first, second = issue(client, kiosk_headers, 2)
    client.post("/api/counters/2/open", headers=officer)   # petugas works counter 2
    display = socketio.test_client(app, namespace="/display", flask_test_client=client)
    console = socketio.test_client(app, namespace="/counter", auth={"token": officer["Authorization"][7:]})
    display.get_received("/display")
    console.get_received("/counter")
    called = client.post("/api/floor/call", json={"number": "a2", "counter": 2, "reason": "lansia, sudah lama"},
                         headers=supervisor)
    assert called.status_code == 200
    body = called.get_json()
    assert (body["number"], body["counter"], body["status"]) == (second["number"], 2, "called")
    assert body["reason"]["rule"] == "out_of_order"
    assert [p["number"] for p in received(display, "/display", "called")] == [second["number"]]
    [notice] = received(console, "/counter", "notice")
    assert {key: notice[key] for key in ("action", "number", "counters", "by")} == {
        "action": "called", "number": second["number"], "counters": [2], "by": "supervisor"}
    waiting = client.get("/api/counters/2/waiting", headers=officer).get_json()
    assert waiting["officer"] == "petugas", "the supervisor's call does not take the counter"
    assert waiting["current"]["number"] == second["number"]
    assert_error(client.post("/api/floor/call", json={"number": first["number"], "counter": 2, "reason": "lagi"},
                             headers=supervisor), 409, "counter_busy")
    with client.application.app_context():
        from shared.web import context
        history = context.db().tickets.history(second["id"])
    assert history[-1]["detail"] == "rule:out_of_order reason:supervisor supervisor: lansia, sudah lama"


def test_floor_call_refusals(client, kiosk_headers, staff_headers, supervisor):
    [ticket] = issue(client, kiosk_headers)
    body = {"number": ticket["number"], "counter": 1, "reason": "alasan"}
    assert_error(client.post("/api/floor/call", json=body, headers=staff_headers()), 403, "forbidden")
    assert_error(client.post("/api/floor/call", json=dict(body, counter="1"), headers=supervisor), 400,
                 "invalid_request")
    assert_error(client.post("/api/floor/call", json=dict(body, reason="x"), headers=supervisor), 400,
                 "invalid_request")
    assert_error(client.post("/api/floor/call", json=dict(body, number="Z-999"), headers=supervisor), 404,
                 "unknown_ticket")
    assert_error(client.post("/api/floor/call", json=dict(body, counter=42), headers=supervisor), 404,
                 "unknown_counter")
    client.put("/api/counters/1/state", json={"state": "paused"}, headers=supervisor)
    assert_error(client.post("/api/floor/call", json=body, headers=supervisor), 409, "invalid_state")
    client.put("/api/counters/1/state", json={"state": "open"}, headers=supervisor)
    assert client.post("/api/floor/call", json=body, headers=supervisor).status_code == 200
    assert_error(client.post("/api/floor/call", json=dict(body, counter=2), headers=supervisor), 409,
                 "invalid_state")   # no longer waiting


def test_supervisor_moves_a_ticket_keeping_its_place_and_everyone_is_told(app, client, kiosk_headers, staff_headers,
                                                                          supervisor):
    officer = staff_headers("officer")
    [ticket] = issue(client, kiosk_headers)
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": ticket["token"]}, namespace="/ticket")
    console = socketio.test_client(app, namespace="/counter", auth={"token": officer["Authorization"][7:]})
    phone.get_received("/ticket")
    console.get_received("/counter")
    moved = client.post("/api/floor/move", json={"number": ticket["number"], "service": "non_perizinan",
                                                 "lane": "senior", "reason": "salah pilih layanan"},
                        headers=supervisor)
    assert moved.status_code == 200
    assert (moved.get_json()["service"], moved.get_json()["lane"], moved.get_json()["status"]) == (
        "non_perizinan", "senior", "waiting")
    assert moved.get_json()["arrived_at"] == ticket_arrived(client, staff_headers, ticket)
    [update] = received(phone, "/ticket", "ticket")
    assert (update["service"], update["lane"], update["number"]) == ("non_perizinan", "senior", ticket["number"])
    notices = received(console, "/counter", "notice")
    assert [(n["action"], n["counters"]) for n in notices] == [("moved", [2, 5, 7])]
    with client.application.app_context():
        from shared.web import context
        detail = context.db().tickets.history(ticket["id"])[-1]["detail"]
    assert detail == ("moved perizinan_berusaha/general -> non_perizinan/senior by supervisor supervisor: "
                      "salah pilih layanan")


def ticket_arrived(client, staff_headers, ticket) -> str:
    """The arrival time the ticket was issued with (a move keeps it)."""
    waiting = client.get("/api/counters/5/waiting", headers=staff_headers()).get_json()["waiting"]
    return next(item["arrived_at"] for item in waiting if item["number"] == ticket["number"])


def test_floor_move_refusals(client, kiosk_headers, staff_headers, supervisor):
    [ticket] = issue(client, kiosk_headers)
    body = {"number": ticket["number"], "service": "non_perizinan", "lane": "general", "reason": "alasan"}
    assert_error(client.post("/api/floor/move", json=body, headers=staff_headers()), 403, "forbidden")
    assert_error(client.post("/api/floor/move", json=dict(body, service="nope"), headers=supervisor), 404,
                 "unknown_service")
    assert_error(client.post("/api/floor/move", json=dict(body, service="pengambilan_dokumen", lane="health_worker"),
                             headers=supervisor), 422, "invalid_lane")
    assert_error(client.post("/api/floor/move", json=dict(body, service="perizinan_berusaha"), headers=supervisor),
                 409, "invalid_state")   # already in that line
    assert_error(client.post("/api/floor/move", json=dict(body, reason=""), headers=supervisor), 400,
                 "invalid_request")
    client.post("/api/counters/1/call-next", headers=staff_headers())
    assert_error(client.post("/api/floor/move", json=body, headers=supervisor), 409, "invalid_state")


# -- the /floor namespace -----------------------------------------------------------------------

def test_floor_namespace_is_for_supervisors_and_follows_the_floor(app, client, demo, kiosk_headers, staff_headers,
                                                                   supervisor):
    assert not socketio.test_client(app, namespace="/floor", flask_test_client=app.test_client()).is_connected("/floor")
    officer_token = staff_headers()["Authorization"][7:]
    assert not socketio.test_client(app, namespace="/floor", auth={"token": officer_token}).is_connected("/floor")
    assert not socketio.test_client(app, namespace="/floor", auth={"token": demo.kiosk_token}).is_connected("/floor")
    floor = socketio.test_client(app, namespace="/floor", auth={"token": supervisor["Authorization"][7:]})
    assert floor.is_connected("/floor")
    [first] = received(floor, "/floor", "floor")
    assert first["waiting_total"] == 0
    issue(client, kiosk_headers)
    [update] = received(floor, "/floor", "floor")
    assert update["waiting_total"] == 1 and update["seq"] > first["seq"]
    floor.disconnect("/floor")
    issue(client, kiosk_headers)
    assert app.extensions["antrean.screens"]._floor_clients == set()


# -- the silent alarm -----------------------------------------------------------------------------

def test_the_silent_alarm_reaches_every_supervisor_and_no_visitor_screen(app, client, kiosk_headers, staff_headers,
                                                                          supervisor):
    officer = staff_headers("officer")
    [ticket] = issue(client, kiosk_headers)
    display = socketio.test_client(app, namespace="/display", flask_test_client=app.test_client())
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=app.test_client())
    phone.emit("watch", {"token": ticket["token"]}, namespace="/ticket")
    console = socketio.test_client(app, namespace="/counter", auth={"token": officer["Authorization"][7:]})
    floors = [socketio.test_client(app, namespace="/floor", auth={"token": token})
              for token in (supervisor["Authorization"][7:], staff_headers("admin")["Authorization"][7:])]
    for screen, namespace in ((display, "/display"), (phone, "/ticket"), (console, "/counter"),
                              *((floor, "/floor") for floor in floors)):
        screen.get_received(namespace)

    raised = client.post("/api/alarms", json={"counter": 3}, headers=officer)
    assert raised.status_code == 201
    alarm = raised.get_json()
    assert {key: alarm[key] for key in ("counter", "by", "acknowledged_by")} == {
        "counter": 3, "by": "petugas", "acknowledged_by": None}
    assert alarm["raised_at"] == "2026-03-02T08:00:00+07:00"
    for floor in floors:
        assert received(floor, "/floor") == ["alarm", "floor"]
    assert display.get_received("/display") == [] and phone.get_received("/ticket") == []
    assert console.get_received("/counter") == [], "other officers' consoles do not hear it either"
    [open_alarm] = client.get("/api/floor", headers=supervisor).get_json()["alarms"]
    assert {key: open_alarm[key] for key in ("id", "counter", "by", "minutes")} == {
        "id": alarm["id"], "counter": 3, "by": "petugas", "minutes": 0}

    assert_error(client.post(f"/api/alarms/{alarm['id']}/acknowledge", headers=officer), 403, "forbidden")
    answered = client.post(f"/api/alarms/{alarm['id']}/acknowledge", headers=supervisor).get_json()
    assert answered["acknowledged_by"] == "supervisor" and answered["acknowledged_at"]
    [told] = received(console, "/counter", "alarm_acknowledged")
    assert (told["counter"], told["by"]) == (3, "supervisor")
    assert received(floors[0], "/floor", "alarm_acknowledged")[0]["alarm_id"] == alarm["id"]
    assert display.get_received("/display") == [] and phone.get_received("/ticket") == []
    assert client.get("/api/floor", headers=supervisor).get_json()["alarms"] == []
    again = client.post(f"/api/alarms/{alarm['id']}/acknowledge", headers=staff_headers("admin")).get_json()
    assert again["acknowledged_by"] == "supervisor", "the first answer stands"
    assert received(floors[0], "/floor", "alarm_acknowledged") == []


def test_the_silent_alarm_is_logged_for_good(client, staff_headers, supervisor):
    alarm = client.post("/api/alarms", json={"counter": 2}, headers=staff_headers("officer")).get_json()
    with client.application.app_context():
        from shared.web import context
        logged = [item.event for item in context.db().events.after(0, 500, names=("alarm_raised",))]
        record = context.db().alarms.get(alarm["id"])
    assert [(event.alarm_id, event.counter, event.by) for event in logged] == [(alarm["id"], 2, "petugas")]
    assert record["by"] == "petugas" and record["counter"] == 2


def test_alarm_refusals(client, demo, staff_headers, supervisor):
    assert_error(client.post("/api/alarms", json={"counter": 1}), 401, "unauthorized")
    assert_error(client.post("/api/alarms", json={"counter": 1}, headers={"Authorization": f"Bearer {demo.kiosk_token}"}),
                 401, "unauthorized")
    officer = staff_headers("officer")
    assert_error(client.post("/api/alarms", json={"counter": 99}, headers=officer), 404, "unknown_counter")
    assert_error(client.post("/api/alarms", json={"counter": "1"}, headers=officer), 400, "invalid_request")
    assert_error(client.post("/api/alarms/999/acknowledge", headers=supervisor), 404, "unknown_alarm")


def test_an_officer_may_raise_the_alarm_at_a_counter_another_holds(client, staff_headers, supervisor):
    """An emergency is never refused for bookkeeping: a counter held by someone else, or closed."""
    client.put("/api/counters/4/state", json={"state": "closed"}, headers=supervisor)
    assert client.post("/api/alarms", json={"counter": 4}, headers=staff_headers("officer")).status_code == 201


# -- serving other counters' lines -----------------------------------------------------------------

def test_a_counter_serves_an_away_colleagues_line_and_gives_it_back(app, client, clock, kiosk_headers, staff_headers,
                                                                    supervisor):
    officer = staff_headers("officer")
    [health] = issue(client, kiosk_headers, service="izin_kesehatan")
    clock.advance(timedelta(minutes=5))
    [licence] = issue(client, kiosk_headers)
    client.put("/api/counters/3/state", json={"state": "closed"}, headers=supervisor)   # counter 3's officer left
    phone = socketio.test_client(app, namespace="/ticket", flask_test_client=client)
    phone.emit("watch", {"token": health["token"]}, namespace="/ticket")
    assert received(phone, "/ticket", "ticket")[-1]["estimate_min"] is None, "no open counter serves it"

    assert_error(client.put("/api/counters/1/lines", json={"counters": [3]}, headers=officer), 403, "forbidden")
    assigned = client.put("/api/counters/1/lines", json={"counters": [3, 3]}, headers=supervisor)
    assert assigned.status_code == 200 and assigned.get_json() == {"number": 1, "extra_lines": [3]}
    assert received(phone, "/ticket", "ticket")[-1]["estimate_min"] is not None, "counter 1 serves it now"
    floor = client.get("/api/floor", headers=supervisor).get_json()
    assert next(c for c in floor["counters"] if c["number"] == 1)["extra_lines"] == [3]
    waiting = client.get("/api/counters/1/waiting", headers=officer).get_json()["waiting"]
    assert [item["number"] for item in waiting] == [health["number"], licence["number"]]

    called = client.post("/api/counters/1/call-next", headers=officer).get_json()
    assert called["number"] == health["number"] and called["reason"]["line"] == 3
    called = client.post("/api/counters/1/call-next", headers=officer).get_json()
    assert called["number"] == licence["number"] and called["reason"]["line"] is None

    [later] = issue(client, kiosk_headers, service="izin_kesehatan")
    assert client.put("/api/counters/1/lines", json={"counters": []}, headers=supervisor).get_json()["extra_lines"] == []
    client.post("/api/counters/1/done", headers=officer)
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 204, "counter 3's line is its own again"
    assert_error(client.post("/api/counters/1/call", json={"number": later["number"], "reason": "boleh?"},
                             headers=officer), 409, "invalid_state")
    client.put("/api/counters/1/lines", json={"counters": [3]}, headers=supervisor)
    assert client.post("/api/counters/1/call", json={"number": later["number"], "reason": "lansia"},
                       headers=officer).get_json()["number"] == later["number"]


def test_line_assignment_refusals(client, supervisor):
    assert_error(client.put("/api/counters/1/lines", json={"counters": [1]}, headers=supervisor), 409, "invalid_state")
    assert_error(client.put("/api/counters/1/lines", json={"counters": [42]}, headers=supervisor), 404,
                 "unknown_counter")
    assert_error(client.put("/api/counters/42/lines", json={"counters": [1]}, headers=supervisor), 404,
                 "unknown_counter")
    assert_error(client.put("/api/counters/1/lines", json={"counters": "3"}, headers=supervisor), 400,
                 "invalid_request")
    assert_error(client.put("/api/counters/1/lines", json={"counters": [True]}, headers=supervisor), 400,
                 "invalid_request")
    assert_error(client.put("/api/counters/1/lines", json={}, headers=supervisor), 400, "invalid_request")
