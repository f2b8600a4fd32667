"""A ticket the kiosk printed survives the server being killed outright (SIGKILL, no shutdown)."""
from __future__ import annotations

import pytest
import requests

from tests.helpers.live import WAIT, bearer, demo_instance, issue, login

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"  # demo office, prefix A


def test_issued_and_called_tickets_survive_sigkill_and_numbering_continues(live_server, servers):
    base = live_server.base_url
    kiosk_token = live_server.logins.kiosk_token
    with requests.Session() as kiosk:
        first = issue(kiosk, base, kiosk_token, SERVICE)
        assert first.status_code == 201, first.text
        second = issue(kiosk, base, kiosk_token, SERVICE)
        assert second.status_code == 201, second.text
    officer = bearer(login(base, "petugas", live_server.logins.passwords["petugas"]))
    press = {**officer, "Idempotency-Key": "sebelum-crash"}
    called = requests.post(f"{base}/api/counters/1/call-next", headers=press, timeout=WAIT)
    assert called.status_code == 200 and called.json()["number"] == "A-001"
    seq_before = requests.get(f"{base}/api/queue", timeout=WAIT).json()["seq"]

    live_server.kill_hard()  # the gunicorn master and its gevent worker, both SIGKILL
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/api/services", timeout=2)

    restarted = servers(live_server.instance)
    for answer, status, counter in ((first, "called", 1), (second, "waiting", None)):
        ticket = requests.get(restarted.url(f"/api/tickets/{answer.json()['token']}"), timeout=WAIT)
        assert ticket.status_code == 200, ticket.text
        body = ticket.json()
        assert (body["number"], body["status"], body["counter"]) == (answer.json()["number"], status, counter)
    # Displays re-base on the `snapshot` they get when they reconnect; `seq` must not go back.
    assert requests.get(restarted.url("/api/queue"), timeout=WAIT).json()["seq"] >= seq_before
    # The stored answer of an idempotent press survived too: the officer's retry calls no one new
    # (the staff token is still valid: the secret key is kept in the instance).
    retried = requests.post(restarted.url("/api/counters/1/call-next"), headers=press, timeout=WAIT)
    assert retried.status_code == 200 and retried.json() == called.json()
    with requests.Session() as kiosk:
        after = issue(kiosk, restarted.base_url, kiosk_token, SERVICE)
    assert after.status_code == 201, after.text
    assert after.json()["number"] == "A-003"
    assert after.json()["ahead"] == 1  # A-002 is still waiting ahead of it


def test_a_call_committed_but_never_sent_reaches_the_display_after_a_restart(tmp_path, servers, recorders):
    """The server dies between the commit of a call and its emit: the event log still has it.

    The first server runs with its relay held (`ANTREAN_RELAY_PAUSED=1`), as if it died right
    after each commit; it is then killed outright. The display that reconnects to the
    restarted server with the last `seq` it had still hears the call, and announces it.
    """
    instance = demo_instance(tmp_path / "instance")
    first = servers(instance, env={"ANTREAN_RELAY_PAUSED": "1"})
    display = recorders("/display", ("snapshot", "called", "queue")).connect(first.base_url)
    [snapshot] = display.wait_for(lambda events: [data for name, data in events if name == "snapshot"],
                                  what="the first snapshot")
    with requests.Session() as kiosk:
        assert issue(kiosk, first.base_url, first.logins.kiosk_token, SERVICE).status_code == 201
    officer = bearer(login(first.base_url, "petugas", first.logins.passwords["petugas"]))
    called = requests.post(first.url("/api/counters/1/call-next"), headers=officer, timeout=WAIT)
    assert called.status_code == 200 and called.json()["number"] == "A-001"
    assert display.of("called") == []   # committed, never sent
    first.kill_hard()
    display.close()

    restarted = servers(instance)
    again = recorders("/display", ("snapshot", "called", "queue"))
    again.connect(restarted.base_url, auth={"since": snapshot["seq"]})
    replayed = again.wait_for(lambda events: [data for name, data in events if name == "called"],
                              what="the missed call")
    # Replayed to this display (`"replay": true`) if the relay had already resumed when it
    # connected, or sent live by the resuming relay if not: either way, exactly once.
    assert [(call["number"], call["counter"]) for call in replayed] == [("A-001", 1)]
    assert replayed[0]["seq"] > snapshot["seq"]
    assert replayed[0]["announce"]["id"] == "Nomor antrean A nol nol satu, silakan menuju loket satu"
