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
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests

from tests.helpers.crashes import office_today
from tests.helpers.live import WAIT, assert_error_shape, bearer, demo_instance, issue, login, read_only_db
from tests.helpers.screens import (console_browser, console_form, csrf_of, kiosk_browser, kiosk_form,
                                   press_console, press_kiosk, visible_text)

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


def test_kiosk_console_and_booking_say_busy_in_indonesian_then_work_once_the_lock_is_gone(tmp_path, servers):
    """The screens people use (kiosk, console, booking) read a friendly Indonesian "busy";
    nothing is half-written; the same forms work as soon as the other process lets go."""
    server = servers(demo_instance(tmp_path / "instance"))
    base = server.base_url
    with requests.Session() as setup:   # someone waiting, so the console's press has a visitor to call
        assert issue(setup, base, server.logins.kiosk_token, SERVICE).status_code == 201
    kiosk = kiosk_browser(base, server.logins.kiosk_token)
    console = console_browser(base, "petugas", server.logins.passwords["petugas"])
    kiosk_fields, console_fields = kiosk_form(kiosk, base, "konsultasi"), console_form(console, base, 1)
    day = tomorrow = (date.fromisoformat(office_today()) + timedelta(days=1)).isoformat()
    for day in (office_today(), tomorrow):   # late in the evening today has no slot left to book
        slots = requests.get(server.url("/api/slots"), params={"service": "konsultasi", "date": day},
                             timeout=WAIT).json()
        if slots:
            break
    slot = slots[-1]
    booking = {"service": "konsultasi", "date": day, "start": slot["start"], "lane": "general"}
    visitor = requests.Session()   # the booking pages' confirm step, on a phone
    confirm = visitor.get(server.url("/booking/new/konsultasi"), timeout=WAIT,
                          params={"step": "confirm", "date": booking["date"], "start": slot["start"], "lane": "general",
                                  "contact": ""})
    confirm_fields = {"date": booking["date"], "start": slot["start"], "lane": "general", "contact": "",
                      "csrf_token": csrf_of(confirm.text)}
    presses = {
        "kiosk": lambda: press_kiosk(kiosk, base, kiosk_fields),
        "console": lambda: press_console(console, base, 1, console_fields),
        "booking": lambda: requests.post(server.url("/api/bookings"), json=booking, timeout=3 * WAIT),
        "booking page": lambda: visitor.post(server.url("/booking/new/konsultasi"), data=confirm_fields,
                                             timeout=3 * WAIT),
    }
    before = written(server.instance)
    holder = sqlite3.connect(server.instance / "antrean.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(len(presses)) as pool:
            answers = {name: job.result() for name, job in
                       [(name, pool.submit(press)) for name, press in presses.items()]}
        assert written(server.instance) == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert_error_shape(answers["booking"], 503, "busy")
    assert answers["booking"].headers.get("Retry-After") == "2"
    assert answers["kiosk"].status_code == 503 and answers["kiosk"].headers.get("Retry-After") == "2"
    # The console's button comes back to the console, with the reason above its buttons.
    assert answers["console"].status_code == 200 and answers["console"].url.endswith("/counter/1")
    assert answers["booking page"].status_code == 503
    for name in ("kiosk", "console", "booking page"):
        text = visible_text(answers[name].text)
        assert "Sistem sedang sibuk. Silakan coba lagi sebentar lagi." in text, (name, text[:500])
        assert "Traceback" not in answers[name].text

    assert press_kiosk(kiosk, base, kiosk_fields).url.split("?")[0].rsplit("/", 2)[-2] == "tickets"
    assert "A-001" in visible_text(press_console(console, base, 1, console_fields).text)
    assert requests.post(server.url("/api/bookings"), json=booking, timeout=WAIT).status_code == 201
    booked = visitor.post(server.url("/booking/new/konsultasi"), data=confirm_fields, timeout=WAIT)
    assert booked.status_code == 200 and "/booking/" in booked.url and "/new/" not in booked.url
    tickets, bookings, _events, _audit = written(server.instance)
    assert (tickets, bookings) == (before[0] + 1, before[1] + 2)


def written(instance) -> tuple[int, ...]:
    """Rows of what a write leaves behind: tickets, bookings, ticket events, audit rows."""
    with read_only_db(instance) as db:
        return tuple(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("tickets", "bookings", "ticket_events", "audit"))
