"""The reports over HTTP: the summary as the contract says, the CSV, the PDF, the page, and who
may read them; against the seeded October (`tests/helpers/history.py`)."""
from __future__ import annotations

import csv
import io
import json
import re

import pypdfium2
import pytest

from shared.web import create_app
from tests.helpers import history
from tests.test_pages import login

OCTOBER = "from=2026-10-01&to=2026-10-31"
CONTRACT_KEYS = {"tickets", "served", "no_show", "by_service", "by_lane", "by_channel", "wait_min", "service_min",
                 "satisfaction"}


@pytest.fixture
def seeded(app):
    history.seed_october(app.extensions["antrean.office"])
    return app


@pytest.fixture
def boss(seeded, staff_headers):
    return staff_headers("supervisor")


def test_the_summary_is_the_contracts_shape_with_the_months_figures(seeded, client, boss):
    response = client.get(f"/api/reports/summary?{OCTOBER}", headers=boss)
    assert response.status_code == 200
    body = response.get_json()
    assert CONTRACT_KEYS <= set(body)
    assert set(body["wait_min"]) == set(body["service_min"]) == {"p50", "p90"}
    assert {"responses", "ikm"} <= set(body["satisfaction"])
    for key, expected in history.OCTOBER.items():
        assert body[key] == expected, key


def test_filters_narrow_the_summary(seeded, client, boss):
    online = client.get(f"/api/reports/summary?{OCTOBER}&channel=online", headers=boss).get_json()
    assert (online["tickets"], online["by_channel"]["online"], online["wait_min"]["p50"]) == (history.DAYS,) * 2 + (10.0,)
    counter = client.get(f"/api/reports/summary?{OCTOBER}&counter=2&lane=general", headers=boss).get_json()
    assert counter["tickets"] == history.DAYS * 3   # #3, #4 and #9 (#8 is a health worker)


@pytest.mark.parametrize("query, status", [
    ("", 400), ("from=2026-10-01", 400), ("from=2026-10-01&to=31-10-2026", 400),
    ("from=2026-10-31&to=2026-10-01", 422), ("from=2025-01-01&to=2026-10-31", 422),
    (f"{OCTOBER}&service=nope", 400), (f"{OCTOBER}&lane=nope", 400), (f"{OCTOBER}&channel=kiosk", 400),
    (f"{OCTOBER}&counter=99", 400), (f"{OCTOBER}&counter=x", 400),
])
def test_bad_queries_are_refused_with_invalid_request(seeded, client, boss, query, status):
    for path in ("/api/reports/summary", "/api/reports/tickets.csv", "/api/reports/report.pdf"):
        response = client.get(f"{path}?{query}", headers=boss)
        assert response.status_code == status, (path, query)
        assert response.get_json()["error"]["code"] == "invalid_request"


def test_reports_are_for_supervisors_and_admins(seeded, client, staff_headers):
    for path in ("/api/reports/summary", "/api/reports/tickets.csv", "/api/reports/report.pdf"):
        assert client.get(f"{path}?{OCTOBER}").status_code == 401
        assert client.get(f"{path}?{OCTOBER}", headers=staff_headers("officer")).status_code == 403
        assert client.get(f"{path}?{OCTOBER}", headers=staff_headers("admin")).status_code == 200


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert not text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_one_row_per_ticket_and_no_personal_data(seeded, client, boss):
    response = client.get(f"/api/reports/tickets.csv?{OCTOBER}", headers=boss)
    rows = read_csv(response)
    assert len(rows) == history.OCTOBER["tickets"]
    assert list(rows[0]) == ["number", "date", "service", "service_name", "lane", "channel", "issued", "called",
                             "served", "done", "status", "counter", "wait_min", "service_min"]
    first = rows[0]
    assert (first["number"], first["issued"], first["called"], first["done"], first["counter"], first["wait_min"],
            first["service_min"]) == ("A-001", "2026-10-01T08:00:00+07:00", "2026-10-01T08:05:00+07:00",
                                      "2026-10-01T08:16:00+07:00", "1", "5.0", "10.0")
    assert sum(row["status"] == "done" for row in rows) == history.OCTOBER["served"]
    assert {row["channel"] for row in rows} == {"walk_in", "appointment", "online"}
    text = response.get_data(as_text=True)
    for personal in ("ani", "budi", "token", "contact", "comment", "/t/"):
        assert personal not in text.lower()
    assert rows[-1]["date"] == "2026-10-31" and rows[-1]["issued"] == "2026-10-31T23:59:00+07:00"


def test_a_service_named_like_a_formula_stays_text_in_the_csv(instance_dir, demo):
    config = instance_dir / "office.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('name = "Perizinan Berusaha"',
                                                                 'name = "=HYPERLINK(\\"http://x\\")"'), encoding="utf-8")
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)
    history.seed_october(app.extensions["antrean.office"])
    client = app.test_client()
    token = client.post("/api/login", json={"username": "supervisor", "password": demo.passwords["supervisor"]})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    rows = read_csv(client.get("/api/reports/tickets.csv?from=2026-10-01&to=2026-10-01", headers=headers))
    names = {row["service_name"] for row in rows if row["service"] == "perizinan_berusaha"}
    assert names == {"'=HYPERLINK(\"http://x\")"}
    assert all(not value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values())


def pdf_text(data: bytes) -> tuple[int, str]:
    document = pypdfium2.PdfDocument(data)
    try:
        pages = len(document)
        text = " ".join(document[index].get_textpage().get_text_range() for index in range(pages))
    finally:
        document.close()
    return pages, re.sub(r"\s+", " ", text)


def test_the_pdf_opens_and_has_every_section_in_indonesian_by_default(seeded, client, boss):
    response = client.get(f"/api/reports/report.pdf?{OCTOBER}", headers=boss)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages, text = pdf_text(response.data)
    assert pages >= 2
    for heading in ("Laporan Antrean", "Tiket per hari", "Kanal", "Tiket per layanan", "Jam sibuk", "Loket", "Petugas",
                    "2026-10-01", "221"):
        assert heading in text, heading
    # The survey: the IKM, its grade per counter, and the comment as the visitor wrote it (never markup).
    for survey in ("Survei kepuasan (IKM)", "75.00", "100.00", "62.50",
                   history.COMMENT):
        assert survey in text, survey
    english = client.get(f"/api/reports/report.pdf?{OCTOBER}&lang=en", headers=boss)
    _, text = pdf_text(english.data)
    for heading in ("Queue report", "Tickets per day", "Peak hours", "Officers", "Business licensing", "Walk-in"):
        assert heading in text, heading


def test_an_empty_range_still_makes_a_pdf(seeded, client, boss):
    response = client.get("/api/reports/report.pdf?from=2027-01-01&to=2027-01-07", headers=boss)
    pages, text = pdf_text(response.data)
    assert pages >= 1 and "Tidak ada" in text


def test_the_page_shows_the_same_figures_as_the_api(seeded, client, demo, boss):
    login(client, demo, "supervisor")
    response = client.get(f"/counter/reports?{OCTOBER}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S).group(1))
    api = client.get(f"/api/reports/summary?{OCTOBER}", headers=boss).get_json()
    assert data["figures"] == api
    assert 'data-figure="tickets">221<' in page and 'data-figure="wait_p90">20.0<' in page
    assert "/api/reports/tickets.csv?from=2026-10-01&amp;to=2026-10-31" in page
    assert "Laporan" in page and "Jam sibuk" in page
    assert "<script>" not in page and "onclick" not in page
    # The survey: the office's IKM and the comment as text, never as markup.
    assert 'data-figure="survey_ikm">75.00<' in page and 'data-figure="ikm">75.00<' in page
    assert 'data-figure="grade">C<' in page
    assert "&lt;b&gt;Cepat&lt;/b&gt; &amp; ramah" in page and "<b>Cepat</b>" not in page


def test_the_page_defaults_to_this_month_and_offers_quick_ranges(seeded, client, demo):
    login(client, demo, "supervisor")
    page = client.get("/counter/reports?preset=last_semester").get_data(as_text=True)
    assert 'aria-current="true">Semester lalu<' in page
    assert client.get("/counter/reports").status_code == 200


def test_officers_may_not_open_the_page(seeded, app, demo):
    browser = app.test_client()
    login(browser, demo, "petugas")
    assert browser.get("/counter/reports").status_code == 403
