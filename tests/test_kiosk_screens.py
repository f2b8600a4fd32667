"""The kiosk's screens through the test client: full services and lanes marked before they are
chosen, a one-lane service without a lane step, step counts that include the screening, and
accessibility mode switched per visitor."""
import re

import pytest

from shared.web.app import create_app

from .test_pages import csrf_of, register_kiosk

SINGLE_LANE = '''
[[services]]
code = "legalisir"
name = "Legalisir"
name_en = "Legalisation"
prefix = "L"
lanes = ["general"]
daily_quota = 2
'''
SCREENING = '''
[screening]
questions = [
  { id = "Apakah Anda sedang demam?", en = "Do you have a fever?" },
  { id = "Apakah Anda batuk?", en = "Do you have a cough?" },
]
'''


def office_app(instance_dir, *extra: str, replace: tuple[str, str] | None = None):
    """The demo office with services or tables added (before the first [[counters]])."""
    path = instance_dir / "office.toml"
    text = path.read_text()
    if replace:
        text = text.replace(*replace)
    head, counters = text.split("[[counters]]", 1)
    text = head + "".join(extra) + "\n[[counters]]" + counters
    if SINGLE_LANE in extra:
        text = text.replace('services = ["perizinan_berusaha"]\n', 'services = ["perizinan_berusaha", "legalisir"]\n', 1)
    path.write_text(text)
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)


def take(client, service: str, lane: str, key: str):
    page = client.get("/kiosk/").get_data(as_text=True)
    return client.post("/kiosk/tickets", data={"service": service, "lane": lane, "request_key": key,
                                               "csrf_token": csrf_of(page)})


def test_a_one_lane_service_is_taken_in_one_touch_and_marked_once_its_quota_is_used(instance_dir, demo):
    client = office_app(instance_dir, SINGLE_LANE).test_client()
    register_kiosk(client, demo)
    home = client.get("/kiosk/").get_data(as_text=True)
    # The tile is a form that issues the ticket at once: no lane step for a one-lane service.
    tile = re.search(r'<form method="post" action="/kiosk/tickets" class="lane-form">(.*?)</form>', home, re.S).group(1)
    assert 'name="service" value="legalisir"' in tile and 'name="lane" value="general"' in tile
    assert "Langkah 1 dari 2" in home, "most services still have a lane step"
    for key in ("k1", "k2"):
        response = take(client, "legalisir", "general", key)
        assert response.status_code == 302 and "/kiosk/tickets/" in response.headers["Location"]
    home = client.get("/kiosk/").get_data(as_text=True)
    marked = re.search(r'<span class="choice choice--full" aria-disabled="true" id="service-legalisir">(.*?)</span>\s*</li>',
                       home, re.S)
    assert marked and "Kuota hari ini habis" in marked.group(1)
    assert 'value="legalisir"' not in home, "a used-up service cannot be chosen"
    refused = take(client, "legalisir", "general", "k3")
    assert refused.status_code == 409 and "untuk layanan ini sudah habis" in refused.get_data(as_text=True)


def test_a_full_lane_is_reported_as_the_lane_and_the_other_lanes_stay_open(instance_dir, demo):
    client = office_app(instance_dir, replace=("daily_quota = 500\n", "daily_quota = 500\nlane_quotas = { senior = 1 }\n")).test_client()
    register_kiosk(client, demo)
    assert take(client, "perizinan_berusaha", "senior", "s1").status_code == 302
    lanes = client.get("/kiosk/services/perizinan_berusaha").get_data(as_text=True)
    assert re.search(r'id="lane-senior">\s*<span class="choice__label">[^<]+</span>\s*'
                     r'<span class="choice__status">Jalur ini sudah penuh hari ini</span>', lanes)
    assert 'id="lane-general"' in lanes and 'name="lane" value="general"' in lanes
    assert 'name="lane" value="senior"' not in lanes
    home = client.get("/kiosk/").get_data(as_text=True)
    assert 'id="service-perizinan_berusaha" data-speak' in home, "the service itself is still open"
    refused = take(client, "perizinan_berusaha", "senior", "s2")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Kuota jalur ini" in body and "untuk layanan ini" not in body
    assert 'href="/kiosk/services/perizinan_berusaha" id="other-lanes"' in body


def test_step_counts_include_the_screening_and_a_one_lane_service_is_issued_after_it(instance_dir, demo):
    client = office_app(instance_dir, SINGLE_LANE, SCREENING).test_client()
    register_kiosk(client, demo)
    assert "Langkah 1 dari 3" in client.get("/kiosk/").get_data(as_text=True)
    check = client.get("/kiosk/services/perizinan_berusaha/check").get_data(as_text=True)
    assert "Langkah 2 dari 3" in check and "novalidate" in check and " required" not in check
    lanes = client.get("/kiosk/services/perizinan_berusaha?screened=1").get_data(as_text=True)
    assert "Langkah 3 dari 3" in lanes
    # Legalisation has one lane: screening is step 2 of 2, and answering it issues the ticket.
    check = client.get("/kiosk/services/legalisir/check").get_data(as_text=True)
    assert "Langkah 2 dari 2" in check
    answers = {"q0": "no", "q1": "no", "csrf_token": csrf_of(check),
               "request_key": re.search(r'name="request_key" value="([^"]+)"', check).group(1)}
    first = client.post("/kiosk/services/legalisir/check", data=answers)
    again = client.post("/kiosk/services/legalisir/check", data=answers)   # a double press
    assert first.status_code == 302 and "/kiosk/tickets/" in first.headers["Location"]
    assert again.headers["Location"] == first.headers["Location"], "one press, one ticket"
    # Half answered: the Indonesian message, the answers kept, the missing question marked.
    half = client.post("/kiosk/services/legalisir/check", data={**answers, "q1": ""})
    body = half.get_data(as_text=True)
    assert half.status_code == 400 and "Mohon jawab semua pertanyaan" in body
    assert 'id="q0-no" name="q0" value="no" checked' in body and body.count("is-missing") == 1


def test_accessibility_mode_is_switched_per_visitor(client, demo):
    register_kiosk(client, demo)
    normal = client.get("/kiosk/").get_data(as_text=True)
    assert 'class="kiosk"' in normal and 'href="/kiosk/?access=on"' in normal and "Huruf besar & suara" in normal
    accessible = client.get("/kiosk/?access=on").get_data(as_text=True)
    assert 'class="kiosk kiosk--access"' in accessible and "Tampilan biasa" in accessible
    assert 'data-accessible="yes"' in accessible and 'data-idle-seconds="60"' in accessible, "three times longer"
    lanes = client.get("/kiosk/services/perizinan_berusaha").get_data(as_text=True)
    assert 'class="kiosk kiosk--access"' in lanes, "the mode follows the visitor through the steps"
    assert 'href="/kiosk/services/perizinan_berusaha?access=off"' in lanes
    # The next visitor: the start screen the kiosk returns to switches it off.
    assert 'data-home-url="/kiosk/?lang=id&amp;access=off"' in lanes
    assert 'class="kiosk"' in client.get("/kiosk/?lang=id&access=off").get_data(as_text=True)


def test_the_kiosk_shell_frames_only_kiosk_pages(client, demo):
    page = client.get("/kiosk/app").get_data(as_text=True)
    assert 'src="/kiosk/"' in page and 'data-probe="/api/services"' in page
    assert "Mohon tunggu sebentar…" in page and "Please wait a moment…" in page
    for elsewhere in ("https://example.com/", "//example.com/kiosk/", "/counter/", "/kiosk/app"):
        assert 'src="/kiosk/"' in client.get("/kiosk/app", query_string={"start": elsewhere}).get_data(as_text=True)
    assert 'src="/kiosk/checkin"' in client.get("/kiosk/app?start=/kiosk/checkin").get_data(as_text=True)


def test_kiosk_forms_leave_validation_to_the_page_language(client, demo):
    """No `required` on kiosk fields: the browser would answer in its own (English) bubble."""
    register_kiosk(client, demo)
    for path in ("/kiosk/", "/kiosk/checkin", "/kiosk/register"):
        page = client.get(path).get_data(as_text=True)
        assert " required" not in page, path
    checkin = client.get("/kiosk/checkin").get_data(as_text=True)
    empty = client.post("/kiosk/checkin", data={"code": "", "csrf_token": csrf_of(checkin)})
    assert empty.status_code == 404 and "Kode booking ini tidak dikenal" in empty.get_data(as_text=True)
