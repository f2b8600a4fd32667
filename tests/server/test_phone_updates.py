"""A visitor's phone on /ticket follows its place live: ahead 2 → 1 → 0 → called to a counter."""
from __future__ import annotations

import pytest
import requests

from tests.helpers.live import WAIT, bearer, issue, login

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"  # demo office, prefix A, called at counter 1


def test_phone_watching_third_ticket_sees_each_step(live_server, recorders):
    base = live_server.base_url
    with requests.Session() as kiosk:
        issued = [issue(kiosk, base, live_server.logins.kiosk_token, SERVICE).json() for _ in range(3)]
    watched = issued[2]
    assert watched["number"] == "A-003" and watched["ahead"] == 2

    phone = recorders("/ticket", ("ticket", "error")).connect(base)
    phone.client.emit("watch", {"token": watched["token"]}, namespace="/ticket")
    officer = bearer(login(base, "petugas", live_server.logins.passwords["petugas"]))

    def update(count: int) -> dict:
        """The `count`-th `ticket` event (waits for it, bounded); an `error` event fails at once."""
        phone.wait_for(lambda events: sum(name == "ticket" for name, _ in events) >= count
                       or any(name == "error" for name, _ in events), what=f"`ticket` update #{count}")
        assert not phone.of("error"), phone.of("error")
        return phone.of("ticket")[count - 1]

    first = update(1)
    assert (first["number"], first["status"], first["ahead"], first["counter"]) == ("A-003", "waiting", 2, None)
    expected = [("waiting", 1, None), ("waiting", 0, None), ("called", 0, 1)]
    for step, (status, ahead, counter) in enumerate(expected, start=2):
        response = requests.post(f"{base}/api/counters/1/call-next", headers=officer, timeout=WAIT)
        assert response.status_code == 200, response.text
        payload = update(step)
        assert (payload["status"], payload["ahead"], payload["counter"]) == (status, ahead, counter), payload
        assert payload["number"] == "A-003"
    assert len(phone.of("ticket")) == 4  # no duplicate or stray updates
    final = requests.get(f"{base}/api/tickets/{watched['token']}", timeout=WAIT).json()
    assert (final["status"], final["counter"]) == ("called", 1)
