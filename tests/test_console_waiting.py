"""The console's waiting list: the first of the counter's lines merged from the index equals the
first of everything it may call sorted by the standing order, and the total counts them all."""
from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.offices import clocked_office
from tests.test_kiosk_api import take
from tests.test_pages import login

from shared.domain import policy as queue_policy
from shared.domain.model import CALLED, WAITING
from shared.services.calling import lines_of
from shared.services.counters import desk
from shared.views import counters as counter_views

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
SERVICES = ("perizinan_berusaha", "non_perizinan", "izin_kesehatan", "konsultasi")
LANES = ("general", "senior", "disability", "health_worker")

ticket_plan = st.tuples(st.sampled_from(SERVICES), st.sampled_from(LANES),
                        st.sampled_from((WAITING, WAITING, WAITING, CALLED)),
                        st.sampled_from((0, 1, 720, 721)) | st.integers(0, 5000))


def _place(office, db, plans):
    with office.store.write(db):
        for index, (service, lane, status, offset, *_rest) in enumerate(plans):
            moment = NOW + timedelta(seconds=offset)
            ticket = db.tickets.insert(business_date=office.today(), service=service, lane=lane,
                                       sequence=index + 1, number=f"X-{index + 1:03d}", status=WAITING,
                                       channel="walk_in", kiosk_id=None, now=moment)
            if status != WAITING:
                db.tickets.change(ticket, status, now=moment, counter=9)


def everything_sorted(office, db, number):
    """What the console listed before: every waiting ticket the counter may call, sorted."""
    counter = desk(office, db, number)
    lines = lines_of(office, db, counter)
    policy = office.config.policy
    return sorted((t for t in db.tickets.waiting(office.today()) if queue_policy.serves(counter, lines, t)),
                  key=lambda t: queue_policy.order_key(t, policy))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=st.lists(ticket_plan, max_size=60), number=st.sampled_from((1, 2, 3, 6, 7)),
       limit=st.integers(1, 25), strict=st.booleans())
def test_the_first_of_the_merged_lines_are_the_first_of_the_whole_queue(plans, number, limit, strict):
    with tempfile.TemporaryDirectory() as folder:
        office = clocked_office(Path(folder) / "antrean.sqlite3", NOW)
        if strict:
            office = replace(office, config=replace(office.config, policy=queue_policy.STRICT_PRIORITY))
        db = office.store.connect()
        try:
            _place(office, db, plans)
            expected = everything_sorted(office, db, number)
            shown, total = counter_views.waiting_for(office, db, number, limit=limit)
            assert [t.id for t in shown] == [t.id for t in expected[:limit]]
            assert total == len(expected)
        finally:
            db.close()


def test_the_console_shows_the_first_fifty_and_says_how_many_more(client, demo, staff_headers, kiosk_headers):
    lifted = client.put("/api/capacity", json={"max_inside": 0}, headers=staff_headers("supervisor"))
    assert lifted.status_code == 200   # the demo's cap of 40 would send the rest to wait outside
    for _ in range(counter_views.CONSOLE_WAITING + 7):
        assert take(client, kiosk_headers).status_code == 201
    api = client.get("/api/counters/1/waiting", headers=staff_headers()).get_json()
    assert len(api["waiting"]) == counter_views.CONSOLE_WAITING and api["waiting_total"] == 57
    assert api["waiting"][0]["number"] == "A-001"
    login(client, demo)
    page = client.get("/counter/1").get_data(as_text=True)
    assert '<span class="count" id="waiting-count">57</span>' in page
    assert page.count('class="waiting-table__number"') == counter_views.CONSOLE_WAITING
    assert "7" in page.split('class="waiting-more"', 1)[1].split("</p>", 1)[0]
