"""The served office copies its WAL into the database file in the background.

Requests never run SQLite's checkpoint (it would stall the gevent worker for a request's
commit); the scheduler does, every half second. If it did not, the database file itself
would never see a ticket while the server runs and the WAL would grow without end.
"""
from __future__ import annotations

import time

import pytest
import requests

from tests.helpers.live import WAIT, build_office, issue, rows_in_the_file_alone

pytestmark = pytest.mark.server

TICKETS = 30


@pytest.mark.parametrize("async_mode", ["gevent", "threading"])
def test_issued_tickets_reach_the_database_file_while_the_server_runs(tmp_path, servers, async_mode):
    office = build_office(tmp_path / "office", counters=1, kiosks=1)
    server = servers(office.instance, async_mode=async_mode)
    with requests.Session() as kiosk:
        issued = [issue(kiosk, server.base_url, office.kiosk_tokens[0], "umum") for _ in range(TICKETS)]
    assert [response.status_code for response in issued] == [201] * TICKETS

    deadline = time.monotonic() + WAIT
    in_file = rows_in_the_file_alone(office.instance / "antrean.sqlite3", tmp_path, "tickets")
    while in_file < TICKETS and time.monotonic() < deadline:
        time.sleep(0.1)
        in_file = rows_in_the_file_alone(office.instance / "antrean.sqlite3", tmp_path, "tickets")
    assert in_file == TICKETS
    assert server.alive()
