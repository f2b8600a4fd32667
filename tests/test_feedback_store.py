"""The `feedback` table: one answer per ticket (the UNIQUE constraint decides a race), the
database's own range checks, the sums the IKM is made of, and purging comments."""
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from shared.domain.satisfaction import ELEMENT_CODES
from shared.store import Store

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path):
    store = Store(tmp_path / "antrean.sqlite3")
    store.migrate()
    connection = store.connect()
    with store.write(connection):
        for number in (1, 2, 3):
            connection.raw.execute(
                "INSERT INTO tickets (id, business_date, service, lane, sequence, number, number_service, status, "
                "issued_at, arrived_at, counter) VALUES (?, '2026-03-02', 'svc', 'general', ?, ?, 'svc', 'done', ?, ?, 1)",
                (number, number, f"A-00{number}", NOW.isoformat(), NOW.isoformat()))
    yield connection
    connection.close()


def add(db, ticket_id, score, *, elements=None, comment=None, now=NOW, counter=1):
    with db.store.write(db):
        return db.feedback.add(ticket_id=ticket_id, business_date="2026-03-02", service="svc", counter=counter,
                               channel="phone", score=score, elements=elements, comment=comment, now=now)


def test_one_answer_per_ticket(db):
    assert add(db, 1, 4) is not None
    assert add(db, 1, 1) is None                     # the second answer is not kept
    assert db.feedback.get(1)["score"] == 4
    assert db.feedback.rated([1, 2, 3]) == {1}
    assert db.feedback.rated([]) == set()


def test_the_database_refuses_scores_out_of_range_and_half_questionnaires(db):
    with pytest.raises(sqlite3.IntegrityError):
        add(db, 2, 5)
    with pytest.raises(sqlite3.IntegrityError):
        with db.store.write(db):
            db.raw.execute("INSERT INTO feedback (ticket_id, business_date, service, mode, channel, score, u1, "
                           "created_at) VALUES (2, '2026-03-02', 'svc', 'skm', 'phone', 4, 4, 'x')")
    assert db.feedback.rated([2]) == set()


def test_totals_add_up_per_service_and_counter(db):
    add(db, 1, 4, elements=dict.fromkeys(ELEMENT_CODES, 4))
    add(db, 2, 2)
    add(db, 3, 3, counter=2)
    rows = db.feedback.totals("2026-03-01", "2026-03-31")
    assert [(row["counter"], row["responses"], row["score_sum"], row["skm_responses"]) for row in rows] == [
        (1, 2, 6, 1), (2, 1, 3, 0)]
    assert rows[0]["distribution"] == {1: 0, 2: 1, 3: 0, 4: 1}
    assert rows[0]["element_sums"]["U9"] == 4 and rows[1]["element_sums"]["U9"] == 0
    assert db.feedback.totals("2026-04-01", "2026-04-30") == []
    assert len(db.feedback.totals("2026-03-02", "2026-03-02", counter=2)) == 1


def test_purging_comments_keeps_the_scores(db):
    add(db, 1, 4, comment="ramah", now=NOW - timedelta(days=40))
    add(db, 2, 3, comment="cepat", now=NOW)
    with db.store.write(db):
        assert db.feedback.purge_comments(NOW - timedelta(days=30)) == 1
    assert [note["comment"] for note in db.feedback.comments("2026-03-01", "2026-03-31")] == ["cepat"]
    assert db.feedback.get(1)["score"] == 4 and db.feedback.get(1)["comment"] is None
