"""The satisfaction survey through the app: the rating API, the phone page's form, the
counter's tablet, the IKM table export and the figures reports read."""
import csv
import io
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest

from shared.clock import ManualClock
from shared.domain.satisfaction import ELEMENT_CODES
from shared.views import satisfaction as satisfaction_views
from shared.web import context, create_app
from tests.test_kiosk_api import assert_error, take

START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)   # 08:00 in Jakarta, a Monday
TODAY = "2026-03-02"
SKM = dict(U1=4, U2=4, U3=3, U4=4, U5=4, U6=4, U7=4, U8=3, U9=4)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def clock():
    return ManualClock(START)


def make_app(instance_dir, clock, mode="single"):
    if mode != "single":
        toml = instance_dir / "office.toml"
        toml.write_text(toml.read_text().replace('[survey]\nmode = "single"', f'[survey]\nmode = "{mode}"'))
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_CLOCK": clock},
                      instance_path=instance_dir)


@pytest.fixture
def app(instance_dir, clock):
    return make_app(instance_dir, clock)


@pytest.fixture
def officer(staff_headers):
    return staff_headers("officer")


def served(client, kiosk_headers, officer, counter=1, *, finish=True) -> str:
    """A ticket called to `counter` (and finished): its token."""
    token = take(client, kiosk_headers).get_json()["token"]
    assert client.post(f"/api/counters/{counter}/call-next", headers=officer).status_code == 200
    if finish:
        assert client.post(f"/api/counters/{counter}/done", headers=officer).status_code == 200
    return token


def rate(client, token, **body):
    return client.post(f"/api/tickets/{token}/feedback", json=body)


# -- the API -----------------------------------------------------------------------------------

def test_a_finished_visit_is_rated_once(client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer)
    view = client.get(f"/api/tickets/{token}").get_json()
    assert view["status"] == "done" and view["rated"] is False and view["survey"] == "single"
    answer = rate(client, token, score=4, comment="  Cepat dan ramah  ")
    assert answer.status_code == 201
    assert answer.get_json() == {"number": "A-001", "score": 4, "mode": "single", "channel": "phone", "rated": True}
    view = client.get(f"/api/tickets/{token}").get_json()
    assert view["rated"] is True and view["survey"] is None
    assert_error(rate(client, token, score=1), 409, "already_rated")


def test_only_a_finished_visit_can_be_rated(client, kiosk_headers, officer):
    waiting = take(client, kiosk_headers).get_json()["token"]
    assert client.get(f"/api/tickets/{waiting}").get_json()["survey"] is None
    assert_error(rate(client, waiting, score=4), 409, "invalid_state")
    called = served(client, kiosk_headers, officer, finish=False)
    assert_error(rate(client, called, score=4), 409, "invalid_state")
    cancelled = take(client, kiosk_headers).get_json()["token"]
    client.post(f"/api/tickets/{cancelled}/cancel")
    assert_error(rate(client, cancelled, score=4), 409, "invalid_state")


def test_two_answers_at_once_keep_exactly_one(app, client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer)
    start, answers = threading.Barrier(2), []

    def send(score):
        mine = app.test_client()
        start.wait()
        answers.append(rate(mine, token, score=score).status_code)

    threads = [threading.Thread(target=send, args=(score,)) for score in (1, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [201, 409]
    with app.app_context():
        assert satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)["responses"] == 1


def test_forged_token_is_an_unknown_ticket(client):
    assert_error(rate(client, "forged.token.value", score=4), 404, "unknown_ticket")


@pytest.mark.parametrize("body", [{}, {"score": 0}, {"score": 5}, {"score": "4"}, {"score": 3.5}, {"score": True},
                                  {"score": 4, "comment": "x" * 501}, {"score": 4, "comment": 7},
                                  {"score": 4, "elements": SKM}])
def test_invalid_ratings_are_refused(client, kiosk_headers, officer, body):
    token = served(client, kiosk_headers, officer)
    assert_error(rate(client, token, **body), 422 if body.get("comment") != 7 else 400,
                 "invalid_request")
    assert client.get(f"/api/tickets/{token}").get_json()["rated"] is False


def test_html_in_a_comment_is_kept_as_text(app, client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer)
    comment = '<script>alert("x")</script><b>lambat</b>'
    assert rate(client, token, score=2, comment=comment).status_code == 201
    with app.app_context():
        figures = satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)
    assert [note["text"] for note in figures["comments"]] == [comment]


def test_the_full_skm_questionnaire(instance_dir, clock, kiosk_headers, staff_headers):
    app = make_app(instance_dir, clock, mode="skm")
    client = app.test_client()
    officer = staff_headers("officer")
    token = served(client, kiosk_headers, officer)
    assert client.get(f"/api/tickets/{token}").get_json()["survey"] == "skm"
    assert_error(rate(client, token, score=4, elements={"U1": 4}), 422, "invalid_request")
    answer = rate(client, token, score=4, elements=SKM)
    assert answer.status_code == 201 and answer.get_json()["mode"] == "skm"
    with app.app_context():
        figures = satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)
    # NRRs 4 4 3 4 4 4 4 3 4 (sum 34) × 0.111 = 3.774; × 25 = 94.35 → A.
    assert figures["respondents"] == 1 and figures["weighted_nrr"] == 3.774
    assert figures["ikm"] == 94.35 and figures["grade"] == "A"
    assert figures["nrr"]["U3"] == 3.0


# -- the phone page ------------------------------------------------------------------------------

def test_the_phone_page_asks_once_and_then_thanks(client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer, finish=False)
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert 'id="survey-form"' in page and re.search(r'<section class="survey" id="survey"[^>]*hidden', page)
    client.post("/api/counters/1/done", headers=officer)
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert "Bagaimana pelayanan kami?" in page and "Sangat baik" in page and "Tidak baik" in page
    assert "https://www.lapor.go.id" in page
    assert not re.search(r'<section class="survey" id="survey"[^>]*hidden', page)
    sent = client.post(f"/t/{token}/feedback", data={"csrf_token": csrf_of(page), "mode": "single", "score": "3",
                                                     "comment": "<i>ok</i>"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/t/{token}#survey")
    page = client.get(f"/t/{token}").get_data(as_text=True)
    assert 'id="survey-form"' not in page and "Terima kasih!" in page
    assert client.get(f"/api/tickets/{token}").get_json()["rated"] is True


def test_the_phone_survey_in_english(client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer)
    page = client.get(f"/t/{token}?lang=en").get_data(as_text=True)
    assert "How was our service?" in page and "Very good" in page and "Poor" in page
    assert "Report it on SP4N-LAPOR!" in page


def test_the_phone_form_needs_its_csrf_token(client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer)
    assert client.post(f"/t/{token}/feedback", data={"score": "4"}).status_code == 400
    assert client.get(f"/api/tickets/{token}").get_json()["rated"] is False


def test_the_phone_form_without_a_score_says_so(client, kiosk_headers, officer):
    token = served(client, kiosk_headers, officer)
    page = client.get(f"/t/{token}").get_data(as_text=True)
    answer = client.post(f"/t/{token}/feedback", data={"csrf_token": csrf_of(page), "mode": "single"},
                         follow_redirects=True)
    assert "Nilai harus berupa angka bulat 1 sampai 4." in answer.get_data(as_text=True)


# -- the counter's tablet --------------------------------------------------------------------------

def signed_in(client, demo, username="petugas"):
    page = client.get("/counter/login").get_data(as_text=True)
    client.post("/counter/login", data={"username": username, "password": demo.passwords[username],
                                        "csrf_token": csrf_of(page)})
    return client


def test_the_tablet_rates_the_visitor_just_served_and_the_phone_is_then_told(app, client, kiosk_headers, officer,
                                                                              demo, clock):
    tablet = signed_in(app.test_client(), demo)
    page = tablet.get("/counter/1/survey").get_data(as_text=True)
    assert 'data-state="idle"' in page and "Silakan nilai pelayanan kami setelah selesai." in page
    token = served(client, kiosk_headers, officer)
    panel = tablet.get("/counter/1/survey/panel").get_data(as_text=True)
    assert 'data-state="ask"' in panel and "A-001" in panel
    ticket_id = re.search(r'name="ticket" value="(\d+)"', panel).group(1)
    tapped = tablet.post("/counter/1/survey", data={"csrf_token": csrf_of(panel), "ticket": ticket_id, "score": "4"})
    assert tapped.status_code == 302 and "thanks=1" in tapped.headers["Location"]
    assert 'data-state="thanks"' in tablet.get(tapped.headers["Location"]).get_data(as_text=True)
    assert 'data-state="rated"' in tablet.get("/counter/1/survey/panel").get_data(as_text=True)
    assert_error(rate(client, token, score=1), 409, "already_rated")
    phone = client.get(f"/t/{token}").get_data(as_text=True)
    assert 'id="survey-form"' not in phone and "Terima kasih!" in phone
    # A second tap (a double press, a stale page) does not rate again.
    again = tablet.post("/counter/1/survey", data={"csrf_token": csrf_of(panel), "ticket": ticket_id, "score": "1"},
                        follow_redirects=True)
    assert "sudah dinilai" in again.get_data(as_text=True)
    with app.app_context():
        assert satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)["distribution"] == {
            "1": 0, "2": 0, "3": 0, "4": 1}
    # A few minutes later the visitor has gone: the tablet waits for the next one.
    clock.advance(timedelta(minutes=6))
    assert 'data-state="idle"' in tablet.get("/counter/1/survey/panel").get_data(as_text=True)


def test_the_tablet_never_rates_someone_else(app, client, kiosk_headers, officer, demo, clock):
    first = served(client, kiosk_headers, officer)
    tablet = signed_in(app.test_client(), demo)
    panel = tablet.get("/counter/1/survey/panel").get_data(as_text=True)
    first_id = re.search(r'name="ticket" value="(\d+)"', panel).group(1)
    served(client, kiosk_headers, officer)   # the next visitor is finished before the first one tapped
    answer = tablet.post("/counter/1/survey", data={"csrf_token": csrf_of(panel), "ticket": first_id, "score": "4"},
                         follow_redirects=True)
    assert "Pengunjung ini tidak dapat dinilai lagi di sini." in answer.get_data(as_text=True)
    assert client.get(f"/api/tickets/{first}").get_json()["rated"] is False
    clock.advance(timedelta(minutes=6))
    assert 'data-state="idle"' in tablet.get("/counter/1/survey/panel").get_data(as_text=True)


def test_the_phone_wins_a_race_and_the_tablet_is_told(app, client, kiosk_headers, officer, demo):
    token = served(client, kiosk_headers, officer)
    tablet = signed_in(app.test_client(), demo)
    panel = tablet.get("/counter/1/survey/panel").get_data(as_text=True)
    assert rate(client, token, score=2).status_code == 201
    ticket_id = re.search(r'name="ticket" value="(\d+)"', panel).group(1)
    answer = tablet.post("/counter/1/survey", data={"csrf_token": csrf_of(panel), "ticket": ticket_id, "score": "4"},
                         follow_redirects=True)
    assert "Kunjungan ini sudah dinilai. Terima kasih!" in answer.get_data(as_text=True)
    with app.app_context():
        assert satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)["responses"] == 1


def test_the_console_links_to_its_tablet(app, demo):
    console = signed_in(app.test_client(), demo).get("/counter/1").get_data(as_text=True)
    assert 'href="/counter/1/survey"' in console


def test_an_unknown_counter_has_no_tablet(app, demo):
    assert signed_in(app.test_client(), demo).get("/counter/99/survey").status_code == 404


# -- figures and the table an office submits -----------------------------------------------------

def test_figures_per_service_and_counter_and_the_ikm_table(app, client, kiosk_headers, officer, staff_headers):
    scores = [4, 4, 4, 3, 3, 3, 3, 2, 4, 4]   # sum 34: IKM 85.00, B
    for index, score in enumerate(scores):
        token = served(client, kiosk_headers, officer)
        assert rate(client, token, score=score, comment="nama saya Budi" if index == 0 else None).status_code == 201
    with app.app_context():
        figures = satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)
        empty = satisfaction_views.summary(context.office(), context.db(), "2026-01-01", "2026-01-31")
    assert figures["responses"] == 10 and figures["ikm"] == 85.0 and figures["grade"] == "B"
    assert figures["distribution"] == {"1": 0, "2": 1, "3": 4, "4": 5}
    assert [(row["service"], row["ikm"]) for row in figures["by_service"]] == [("perizinan_berusaha", 85.0)]
    assert [(row["counter"], row["responses"]) for row in figures["by_counter"]] == [(1, 10)]
    assert empty["responses"] == 0 and empty["ikm"] is None and empty["grade"] is None
    supervisor = staff_headers("supervisor")
    answer = client.get(f"/api/reports/ikm.csv?from={TODAY}&to={TODAY}", headers=supervisor)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert [(row["service"], row["respondents"], row["ikm"], row["grade"]) for row in rows] == [
        ("perizinan_berusaha", "10", "85.00", "B"), ("ALL", "10", "85.00", "B")]
    assert "Budi" not in answer.get_data(as_text=True)   # comments never leave the supervisors' pages
    assert client.get(f"/api/reports/ikm.csv?from={TODAY}&to={TODAY}", headers=officer).status_code == 403
    # The same range rule as every report: malformed 400, backwards 422.
    assert_error(client.get("/api/reports/ikm.csv?from=2026-03-05&to=2026-03-01", headers=supervisor),
                 422, "invalid_request")
    assert_error(client.get("/api/reports/ikm.csv?from=2026-13-05&to=2026-03-01", headers=supervisor),
                 400, "invalid_request")


def test_purging_comments_keeps_the_scores(app, client, kiosk_headers, officer, clock):
    token = served(client, kiosk_headers, officer)
    rate(client, token, score=3, comment="antrean panjang")
    with app.app_context():
        db = context.db()
        assert db.feedback.purge_comments(START) == 0
        with context.office().store.write(db):
            assert db.feedback.purge_comments(START + timedelta(minutes=1)) == 1
        figures = satisfaction_views.summary(context.office(), db, TODAY, TODAY)
    assert figures["comments"] == [] and figures["responses"] == 1 and figures["ikm"] == 75.0


def test_comments_can_be_switched_off(instance_dir, clock, kiosk_headers, staff_headers):
    toml = instance_dir / "office.toml"
    toml.write_text(toml.read_text().replace("comments = true", "comments = false"))
    app = make_app(instance_dir, clock)
    client = app.test_client()
    token = served(client, kiosk_headers, staff_headers("officer"))
    assert 'id="survey-comment"' not in client.get(f"/t/{token}").get_data(as_text=True)
    assert rate(client, token, score=4, comment="tidak disimpan").status_code == 201
    with app.app_context():
        assert satisfaction_views.summary(context.office(), context.db(), TODAY, TODAY)["comments"] == []


def test_the_tablet_can_be_switched_off(instance_dir, clock, demo):
    toml = instance_dir / "office.toml"
    toml.write_text(toml.read_text().replace("tablet = true", "tablet = false"))
    tablet = signed_in(make_app(instance_dir, clock).test_client(), demo)
    assert tablet.get("/counter/1/survey").status_code == 404
    assert 'href="/counter/1/survey"' not in tablet.get("/counter/1").get_data(as_text=True)


def test_supervisors_read_a_comment_with_markup_as_text(client, kiosk_headers, officer, demo):
    token = served(client, kiosk_headers, officer)
    assert rate(client, token, score=2, comment='<img src=x onerror="alert(1)"> antre lama').status_code == 201
    page = signed_in(client, demo, "supervisor").get(f"/counter/reports?from={TODAY}&to={TODAY}").get_data(as_text=True)
    assert "&lt;img src=x onerror=" in page and "antre lama" in page
    assert '<img src=x' not in page
