"""The ticket-status words: one definition, the same words on the server-rendered page and in its
scripts' data, in the visitor's language."""
import html
import json
import re

from shared.domain.model import STATUSES
from shared.web.vocabulary import STATUS_TEXTS


def json_block(page: str, block_id: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{block_id}">(.*?)</script>', page, re.S)
    assert found, f"no #{block_id} block"
    return json.loads(html.unescape(found.group(1)))


def status_page(client, kiosk_headers, language: str) -> str:
    issued = client.post("/api/tickets", json={"service": "konsultasi", "lane": "senior"}, headers=kiosk_headers)
    url = issued.get_json()["status_url"].replace("http://localhost", "")
    return client.get(f"{url}?lang={language}").get_data(as_text=True)


def test_every_status_has_visitor_words():
    # A status added to the model without words here would show its bare code to a visitor.
    assert set(STATUS_TEXTS) == set(STATUSES)


def test_status_page_and_its_scripts_share_the_words_in_indonesian(client, kiosk_headers):
    page = status_page(client, kiosk_headers, "id")
    statuses = json_block(page, "antrean-vocabulary")["statuses"]
    assert set(statuses) == set(STATUSES)
    assert statuses["waiting"] == "Silakan menunggu. Nomor Anda akan dipanggil."
    assert statuses["called"] == "Giliran Anda! Silakan menuju loket."
    assert f'id="status-text">{statuses["waiting"]}</p>' in page
    assert "texts" not in json_block(page, "status-setup")   # the words are written once


def test_status_page_words_follow_the_chosen_language(client, kiosk_headers):
    page = status_page(client, kiosk_headers, "en")
    statuses = json_block(page, "antrean-vocabulary")["statuses"]
    assert statuses == STATUS_TEXTS      # English is the msgid itself
    assert f'id="status-text">{STATUS_TEXTS["waiting"]}</p>' in page


def test_status_page_names_every_service_and_lane_for_a_transfer(client, kiosk_headers):
    setup = json_block(status_page(client, kiosk_headers, "id"), "status-setup")
    assert setup["services"]["konsultasi"] == "Konsultasi & Pengaduan"
    assert setup["services"]["perizinan_berusaha"] == "Perizinan Berusaha"
    assert setup["lanes"]["general"] == "Umum" and setup["lanes"]["senior"] == "Lansia (60+)"
    english = json_block(status_page(client, kiosk_headers, "en"), "status-setup")
    assert english["services"]["perizinan_berusaha"] == "Business licensing"


def test_live_screens_load_the_shared_helper_after_the_socket_client(client):
    page = client.get("/display/").get_data(as_text=True)
    client_at = page.index("/vendor/socket.io.min.js")
    assert client_at < page.index("/static/live.js") < page.index("/static/display/wall.js")
    assert "antrean-vocabulary" in page
