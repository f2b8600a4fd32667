"""The privacy purge: personal data past `[privacy] retention_days` goes, the statistics stay.

Seeded: bookings on several dates (some with a contact, one still ahead), notification
deliveries (pending and sent), tickets and the event log; then the office's clock moves past
the retention period and the purge runs, as the daily job and `antrean purge` run it.
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

import pytest
from shared.domain.config import DEMO_TEMPLATE as DEMO_TEMPLATE_PATH, ConfigError, load_config, parse_config
from shared.domain.events import QueueChanged
from shared.domain.notifications import Notification
from shared.domain.privacy import EVENT_KEEP, PrivacySettings, cutoffs
from shared.services import privacy, tickets
from shared.services.unit import write
from shared.web import scheduler
from tests.helpers.offices import clocked_office

START = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)   # 10:00 in Jakarta, a Monday
CONTACT = "0812-5550-1234"


def _book(db, day: str, code: str, contact: str | None, now: datetime) -> None:
    starts = datetime.fromisoformat(f"{day}T02:00:00+00:00")
    db.bookings.insert(code=code, service="perizinan_berusaha", lane="general", business_date=day, start="09:00",
                       end="09:15", starts_at=starts, contact=contact, contact_key=contact and f"key-{code}", now=now)


def _seed(office, db) -> None:
    """Bookings dated 1 March (made in February), 10 March, and one far ahead (5 June);
    two deliveries; four tickets; the events they logged."""
    with office.store.write(db):
        _book(db, "2026-03-01", "OLD1", CONTACT, START - timedelta(days=20))
        _book(db, "2026-03-01", "OLD2", None, START - timedelta(days=20))
        _book(db, "2026-03-10", "MID1", "budi@example.id", START)
        _book(db, "2026-06-05", "FAR1", "0813-1111-2222", START)   # booked now, dated far ahead
        expires = START + timedelta(days=1)
        db.deliveries.add(Notification("k-pending", "booking_reminder", {"contact": CONTACT}, expires), START)
        db.deliveries.add(Notification("k-sent", "booking_confirmed", {"contact": CONTACT}, expires), START)
        db.deliveries.sent(db.deliveries.find("k-sent"), START)
    issued = [tickets.issue(office, db, service="perizinan_berusaha", lane="general") for _ in range(4)]
    with office.store.write(db):   # two ratings with a comment, one without (made in February)
        for ticket, score, comment in zip(issued, (4, 2, 3), ("Petugas ramah, Bu Sari 0812-1", "Lama", None)):
            db.feedback.add(ticket_id=ticket.id, business_date="2026-02-20", service=ticket.service, counter=1,
                            channel="phone", score=score, elements=None, comment=comment,
                            now=START - timedelta(days=10))


def _statistics(db) -> dict:
    """What reports count: bookings per day and state, tickets per day and state, slot places."""
    return {
        "bookings": db.raw.execute("SELECT business_date, status, count(*) FROM bookings GROUP BY 1, 2").fetchall(),
        "tickets": db.raw.execute("SELECT business_date, status, count(*) FROM tickets GROUP BY 1, 2").fetchall(),
        "ticket_events": db.raw.execute("SELECT count(*) FROM ticket_events").fetchone(),
        "deliveries": db.raw.execute("SELECT kind, count(*) FROM deliveries GROUP BY 1").fetchall(),
        "ratings": db.feedback.totals("2026-01-01", "2026-12-31"),
    }


def _contacts(db) -> dict[str, tuple]:
    return {code: (contact, key) for code, contact, key in
            db.raw.execute("SELECT code, contact, contact_key FROM bookings")}


@pytest.fixture
def office(tmp_path):
    return clocked_office(tmp_path / "antrean.sqlite3", START)


def test_the_rule_counts_a_bookings_retention_from_its_date():
    limits = cutoffs(START, "2026-03-02", 30)
    assert limits.booking_date == "2026-01-31"   # a booking dated 31 January keeps its contact today
    assert limits.given_before == START - timedelta(days=30)
    assert limits.events_before == START - EVENT_KEEP


def test_purge_removes_contacts_and_payloads_past_retention_and_keeps_the_counts(office):
    db = office.store.connect()
    _seed(office, db)
    before = _statistics(db)
    assert privacy.purge(office, db).as_dict() == {"booking_contacts": 0, "notification_payloads": 0,
                                                   "survey_comments": 0, "events": 0,
                                                   "request_keys": 0}   # nothing is due yet

    # 32 days after the bookings dated 1 March (31 after the deliveries): their contact goes, 10 March's and June's stay.
    office.clock.set(datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc))
    counts = privacy.purge(office, db)
    assert counts.booking_contacts == 1
    assert counts.survey_comments == 2
    assert db.raw.execute("SELECT count(*) FROM feedback WHERE comment IS NOT NULL").fetchone() == (0,)
    assert counts.notification_payloads == 1          # the pending one; the sent one had none left
    contacts = _contacts(db)
    assert contacts["OLD1"] == (None, None)
    assert contacts["MID1"] == ("budi@example.id", "key-MID1")
    assert contacts["FAR1"] == ("0813-1111-2222", "key-FAR1")
    pending = db.deliveries.find("k-pending")
    assert (pending.payload, pending.status, pending.last_error) == (None, "failed", "purged")
    assert _statistics(db) == before

    # Through the retention of the booking dated 5 June (made in March): kept until then.
    office.clock.set(datetime(2026, 7, 5, 3, 0, tzinfo=timezone.utc))
    assert privacy.purge(office, db).booking_contacts == 1   # 10 March's
    assert _contacts(db)["FAR1"] == ("0813-1111-2222", "key-FAR1")
    office.clock.set(datetime(2026, 7, 6, 3, 0, tzinfo=timezone.utc))
    assert privacy.purge(office, db).booking_contacts == 1
    assert set(_contacts(db).values()) == {(None, None)}
    assert _statistics(db) == before
    assert CONTACT not in json.dumps(db.raw.execute("SELECT * FROM deliveries").fetchall())


def test_a_booking_still_ahead_is_never_touched_whatever_the_retention(tmp_path):
    config = load_config_with(tmp_path, "[privacy]\nretention_days = 1\n")
    office = clocked_office(tmp_path / "antrean.sqlite3", START, config=config)
    db = office.store.connect()
    _seed(office, db)
    office.clock.set(START + timedelta(days=3))
    privacy.purge(office, db)
    contacts = _contacts(db)
    assert contacts["OLD1"] == (None, None)
    assert contacts["FAR1"][0] and contacts["MID1"][0]   # dated ahead of today: still needed


def test_the_event_log_keeps_what_a_relay_has_not_handed_on_and_recent_events(office):
    db = office.store.connect()
    _seed(office, db)
    last = db.events.last_seq()
    assert last > 0
    db.events.set_cursor("relay", last - 2)   # a relay two events behind
    office.clock.set(START + EVENT_KEEP + timedelta(hours=1))
    with write(office, db) as unit:
        unit.raise_event(QueueChanged())      # a fresh event, after the old ones
    removed = privacy.purge(office, db).events
    left = [item.seq for item in db.events.after(0, 1000)]
    assert removed == last - 2
    assert left == [last - 1, last, last + 1]
    assert db.events.last_seq() == last + 1   # the sequence goes on rising

    db.events.set_cursor("relay", last + 1)
    office.clock.set(START + 2 * EVENT_KEEP + timedelta(hours=2))
    assert privacy.purge(office, db).events == 3
    with write(office, db) as unit:
        unit.raise_event(QueueChanged())
    assert db.events.last_seq() == last + 2   # never reused after the log was emptied


def test_the_purge_logs_counts_never_a_contact(office, caplog):
    db = office.store.connect()
    _seed(office, db)
    office.clock.set(datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc))
    with caplog.at_level(logging.DEBUG):
        privacy.purge(office, db)
    assert "booking_contacts 1" in caplog.text and "survey_comments 2" in caplog.text
    assert CONTACT not in caplog.text and "budi@" not in caplog.text and "Bu Sari" not in caplog.text


def test_the_daily_job_runs_at_start_and_then_once_a_day(office, tmp_path):
    db = office.store.connect()
    _seed(office, db)
    office.clock.set(datetime(2026, 4, 2, 3, 0, tzinfo=timezone.utc))
    job = next(job for job in scheduler.upkeep_jobs(tmp_path) if job.name == "privacy purge")
    waits = []

    class Stop(Exception):
        pass

    def sleep(seconds):
        waits.append(seconds)
        if len(waits) == 2:
            raise Stop

    with pytest.raises(Stop):
        scheduler._loop(office, job, sleep)
    assert waits == [0, 24 * 3600]   # ran once at start, then waits a day
    assert _contacts(db)["OLD1"] == (None, None)


def load_config_with(tmp_path, extra: str):
    from shared.domain.config import DEMO_TEMPLATE

    path = tmp_path / "office.toml"
    path.write_text(DEMO_TEMPLATE.read_text(encoding="utf-8").replace("[privacy]\nretention_days = 30\n", "")
                    + "\n" + extra, encoding="utf-8")
    return load_config(path)


@pytest.mark.parametrize("table, message", [
    ({"retention_days": 0}, "privacy.retention_days"),
    ({"retention_days": "30"}, "privacy.retention_days"),
    ({"retention_day": 30}, "privacy.retention_day: unknown setting"),
    ({"contact": 5}, "privacy.contact"),
])
def test_privacy_settings_are_validated(table, message):
    from shared.domain.config import DEMO_TEMPLATE
    import tomllib

    raw = tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))
    raw["privacy"] = table
    with pytest.raises(ConfigError, match=message):
        parse_config(raw)


def test_privacy_defaults_without_the_table():
    from shared.domain.config import DEMO_TEMPLATE
    import tomllib

    raw = tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))
    raw.pop("privacy")
    assert parse_config(raw).privacy == PrivacySettings(30, None)


def test_a_served_booking_and_a_rating_leave_nothing_personal_in_the_log(tmp_path, servers):
    """A real server with its access log on: the contact travels in the booking pages' query
    string and in the API's body, a survey comment in the rating's body; neither appears in
    the server's output, nor the ticket's token."""
    import requests

    from tests.helpers.live import bearer, demo_instance, issue, login

    server = servers(demo_instance(tmp_path / "instance"), quiet=False)
    contact = "0812-9876-5432"
    today = datetime.now(timezone.utc).astimezone(load_config(DEMO_TEMPLATE_PATH).zone).date()
    slot = None
    for day in (today, today + timedelta(days=1)):
        free = [item for item in requests.get(server.url(f"/api/slots?service=konsultasi&date={day}"), timeout=10).json()
                if item["remaining"]]
        if free:
            slot = (day.isoformat(), free[0]["start"])
            break
    assert slot, "the demo office offers no slot today or tomorrow"
    page = requests.get(server.url(f"/booking/new/konsultasi?date={slot[0]}&start={slot[1]}&lane=general"
                                   f"&contact={contact}&step=confirm"), timeout=10)
    assert page.status_code == 200 and contact in page.text   # the page shows it back to its visitor
    booked = requests.post(server.url("/api/bookings"), timeout=10, json={
        "service": "konsultasi", "date": slot[0], "start": slot[1], "lane": "general", "contact": contact})
    assert booked.status_code == 201, booked.text

    # A finished visit rated with a comment that names someone.
    comment = "Pak Joko di loket 1 sangat membantu, nomor saya 0813-2222-3333"
    ticket = issue(requests.Session(), server.base_url, server.logins.kiosk_token, "konsultasi").json()
    officer = bearer(login(server.base_url, "petugas", server.logins.passwords["petugas"]))
    called = requests.post(server.url("/api/counters/6/call-next"), json={}, headers=officer, timeout=10)
    assert called.status_code == 200 and called.json()["number"] == ticket["number"], called.text
    for action in ("start", "done"):
        assert requests.post(server.url(f"/api/counters/6/{action}"), json={}, headers=officer,
                             timeout=10).status_code in (200, 204)
    rated = requests.post(server.url(f"/api/tickets/{ticket['token']}/feedback"), timeout=10,
                          json={"score": 4, "comment": comment})
    assert rated.status_code == 201, rated.text
    server.stop()
    output = server.log_tail(10**7)
    assert "GET /booking/" in output and "POST /api/bookings" in output   # the requests were logged …
    assert "/feedback" in output
    assert contact not in output and contact.replace("-", "") not in output   # … without the contact
    assert "Joko" not in output and "0813-2222-3333" not in output           # … or the comment
    assert ticket["token"] not in output


def test_old_request_keys_are_forgotten_and_recent_ones_still_answer_a_retry(office):
    db = office.store.connect()
    first = tickets.issue(office, db, service="perizinan_berusaha", lane="general", request_key="early")
    office.clock.set(START + EVENT_KEEP + timedelta(hours=1))
    recent = tickets.issue(office, db, service="perizinan_berusaha", lane="general", request_key="late")
    assert privacy.purge(office, db).request_keys == 1
    # The recent key still returns its ticket; the old one would number a new ticket (days later, by design).
    assert tickets.issue(office, db, service="perizinan_berusaha", lane="general", request_key="late").id == recent.id
    assert tickets.issue(office, db, service="perizinan_berusaha", lane="general", request_key="early").id != first.id
    db.close()
