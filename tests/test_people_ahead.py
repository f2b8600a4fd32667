""""People ahead" counted in the index for one ticket equals the rank one sort of the line gives.

A kiosk's new ticket and one phone's status are placed by `Tickets.count_before` (one index
range per lane, `policy.standing_bound`), the relay's batch for every phone by sorting the
lines; a visitor must read the same number on the printed ticket and on the phone, whatever
the lanes, states, head start or strict priority.
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.offices import clocked_office

from shared.domain import policy as queue_policy
from shared.domain.model import INVITED, OUTSIDE, WAITING
from shared.views import tickets as ticket_views

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
SERVICES = ("perizinan_berusaha", "izin_kesehatan")
LANES = ("general", "senior", "disability", "health_worker")
POLICIES = {
    "head start": queue_policy.PolicyConfig(),
    "strict": queue_policy.STRICT_PRIORITY,
    "fifo": queue_policy.FIFO,
    "long head start": queue_policy.PolicyConfig(priority_head_start=timedelta(hours=2)),
}

ticket_plan = st.tuples(
    st.sampled_from(SERVICES), st.sampled_from(LANES),
    st.sampled_from((WAITING, WAITING, WAITING, INVITED, OUTSIDE)),
    # Arrival offsets in seconds; small values make ties across lanes under a head start likely.
    st.sampled_from((0, 1, 60, 720, 721, 1440, 3000, 7200)) | st.integers(0, 9000),
    st.integers(0, 2),
)


def _office(folder: Path, policy):
    office = clocked_office(folder / "antrean.sqlite3", NOW)
    return replace(office, config=replace(office.config, policy=policy))


def _place(office, db, plans):
    """The tickets as planned, written straight through the store."""
    made = []
    with office.store.write(db):
        for index, (service, lane, status, offset, misses) in enumerate(plans):
            moment = NOW + timedelta(seconds=offset)
            ticket = db.tickets.insert(business_date=office.today(), service=service, lane=lane,
                                       sequence=index + 1, number=f"X-{index + 1:03d}", status=WAITING,
                                       channel="walk_in", kiosk_id=None, now=moment)
            if status != WAITING or misses:
                ticket = db.tickets.change(ticket, status, now=moment,
                                           invite_misses=misses if status == OUTSIDE else 0)
            made.append(ticket)
    return made


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=st.lists(ticket_plan, min_size=ticket_views.FEW + 1, max_size=40),
       policy_name=st.sampled_from(sorted(POLICIES)))
def test_counting_one_ticket_agrees_with_sorting_the_line(plans, policy_name):
    with tempfile.TemporaryDirectory() as folder:
        office = _office(Path(folder), POLICIES[policy_name])
        db = office.store.connect()
        try:
            made = _place(office, db, plans)
            everyone = ticket_views.public_views(office, db, made)          # sorted: more than FEW
            for ticket in made:
                alone = ticket_views.public_view(office, db, ticket)         # counted in the index
                assert alone["ahead"] == everyone[ticket.id]["ahead"], (ticket, policy_name)
                assert alone == everyone[ticket.id]
        finally:
            db.close()


def test_the_count_follows_the_head_start(tmp_path):
    """A senior 5 minutes after two general visitors goes before them (12-minute head start);
    one who comes an hour later does not."""
    office = _office(tmp_path, queue_policy.PolicyConfig())
    db = office.store.connect()
    try:
        plans = [("perizinan_berusaha", "general", WAITING, 0, 0), ("perizinan_berusaha", "general", WAITING, 60, 0),
                 ("perizinan_berusaha", "senior", WAITING, 300, 0), ("perizinan_berusaha", "senior", WAITING, 3600, 0)]
        first, second, senior, late_senior = _place(office, db, plans)
        ahead = {ticket.number: ticket_views.public_view(office, db, ticket)["ahead"]
                 for ticket in (first, second, senior, late_senior)}
        assert ahead == {first.number: 1, second.number: 2, senior.number: 0, late_senior.number: 3}
    finally:
        db.close()


def test_the_count_reads_no_row_of_the_line(tmp_path):
    """Each lane is one range of the `tickets_in_line` index (a covering index: no table row read)."""
    office = _office(tmp_path, queue_policy.PolicyConfig())
    db = office.store.connect()
    try:
        plan = db.raw.execute(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM tickets WHERE business_date = ? AND service = ? AND lane = ? "
            "AND status = ? AND (arrived_at, id) < (?, ?)", ("d", "s", "general", WAITING, "t", 1)).fetchall()
        assert "COVERING INDEX tickets_in_line" in plan[0][-1]
    finally:
        db.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans=st.lists(st.tuples(st.sampled_from(SERVICES), st.sampled_from(LANES),
                                st.sampled_from((WAITING, INVITED, OUTSIDE, "called", "serving", "done", "no_show")),
                                st.integers(0, 9000), st.just(0)), max_size=40))
def test_the_displays_counts_by_line_equal_a_count_of_the_whole_day(plans):
    """`QueueIndex.counts` (one range per line and state) against a GROUP BY over every ticket."""
    from shared.domain.capacity import INSIDE

    with tempfile.TemporaryDirectory() as folder:
        office = _office(Path(folder), queue_policy.PolicyConfig())
        db = office.store.connect()
        try:
            _place(office, db, plans)
            wanted = (*INSIDE, OUTSIDE)
            whole_day = {key: count for key, count in db.tickets.count_by_status(office.today()).items()
                         if key[2] in wanted}
            assert db.queue.counts(office.today(), wanted) == whole_day
        finally:
            db.close()
