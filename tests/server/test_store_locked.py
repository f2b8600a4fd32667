"""Another process holds the database's write lock: the server stays responsive and says "busy".

A backup, the command line or a second server may hold SQLite's write lock for a while. The
server must wait for it without blocking its single gevent loop: pages, the API's reads and
the displays keep answering, and a write that cannot get the lock in time answers
`503 busy` with `Retry-After`, having written nothing.
"""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import requests

from tests.helpers.live import WAIT, assert_error_shape, bearer, demo_instance, issue, login

pytestmark = pytest.mark.server

SERVICE = "perizinan_berusaha"


def test_reads_and_displays_answer_while_writes_wait_then_get_busy(tmp_path, servers, recorders):
    server = servers(demo_instance(tmp_path / "instance"))
    display = recorders("/display", ("snapshot", "called", "queue")).connect(server.base_url)
    display.wait_for(lambda events: any(name == "snapshot" for name, _ in events), what="snapshot")
    officer = bearer(login(server.base_url, "petugas", server.logins.passwords["petugas"]))

    holder = sqlite3.connect(server.instance / "antrean.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")   # as `antrean backup` or a second server would
    answers: dict[str, requests.Response] = {}

    def write(name: str, call) -> None:
        with requests.Session() as session:
            answers[name] = call(session)

    writers = [
        threading.Thread(target=write, args=(f"kiosk-{index}", lambda session: issue(
            session, server.base_url, server.logins.kiosk_token, SERVICE)))
        for index in range(3)
    ] + [threading.Thread(target=write, args=("officer", lambda session: session.post(
        server.url("/api/counters/1/call-next"), headers=officer, timeout=WAIT)))]
    try:
        for writer in writers:
            writer.start()
        time.sleep(0.5)   # the writes are now waiting for the lock
        # Everything that only reads keeps answering within a second.
        for path in ("/api/services", "/api/queue", "/api/counters", "/display/", "/kiosk/register"):
            assert requests.get(server.url(path), timeout=1.0).status_code == 200, path
        late = recorders("/display", ("snapshot",)).connect(server.base_url)
        late.wait_for(lambda events: events, timeout=1.0, what="a snapshot while the lock is held")
        for writer in writers:
            writer.join(WAIT)
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert set(answers) == {"kiosk-0", "kiosk-1", "kiosk-2", "officer"}
    for name, answer in answers.items():
        assert_error_shape(answer, 503, "busy")
        assert answer.headers.get("Retry-After") == "2", name
    # Nothing half-written, and the displays are still connected and served.
    assert requests.get(server.url("/api/queue"), timeout=WAIT).json()["waiting"][SERVICE]["general"] == 0
    with requests.Session() as kiosk:
        assert issue(kiosk, server.base_url, server.logins.kiosk_token, SERVICE).json()["number"] == "A-001"
    display.wait_for(lambda events: any(name == "queue" for name, _ in events), what="the next change")
