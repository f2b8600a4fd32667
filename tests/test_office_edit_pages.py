"""The admin's office editor pages: who may use them, CSRF, saving, and errors next to their field.

Through Flask's test client on a demo office; each save is read back from office.toml and from
the running app (the API), since the point is that the file and the server agree.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.test_kiosk_api import take

SECTIONS = ("", "/services", "/lanes", "/hours", "/screening", "/alternatives")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, demo, username: str):
    browser = app.test_client()
    token = csrf_of(browser.get("/counter/login").get_data(as_text=True))
    answer = browser.post("/counter/login", data={"username": username, "password": demo.passwords[username],
                                                  "csrf_token": token})
    assert answer.status_code == 302
    return browser


@pytest.fixture
def admin(app, demo):
    return signed_in(app, demo, "admin")


def form_of(browser, section: str = "") -> dict:
    """The section's form as the browser would send it untouched: every field with its value."""
    html = browser.get(f"/admin/office{section}").get_data(as_text=True)
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox" and " checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        fields.setdefault(unescape(name.group(1)), []).append(unescape(value.group(1)) if value else "")
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body) or re.search(r'<option value="([^"]*)"', body)
        fields[unescape(name)] = [unescape(chosen.group(1))]
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[unescape(name)] = [unescape(body)]
    return fields


def unescape(text: str) -> str:
    return text.replace("&#39;", "'").replace("&#34;", '"').replace("&quot;", '"').replace("&lt;", "<") \
        .replace("&gt;", ">").replace("&amp;", "&")


def office_toml(app) -> dict:
    return tomllib.loads(Path(app.config["OFFICE_CONFIG"]).read_text())


def field_error(html: str, path: str) -> str:
    """The error text shown under the field named `path`."""
    element = "f-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")
    match = re.search(rf'<p class="field-error" id="{re.escape(element)}-error">([^<]*)</p>', html)
    return unescape(match.group(1)) if match else ""


def add_service_and_counter(fields: dict) -> dict:
    """Fill the empty service and counter rows: a passport service called at a new counter 8."""
    fields = dict(fields)
    fields.update({"services[6].code": ["paspor"], "services[6].name": ["Paspor"], "services[6].name_en": ["Passports"],
                   "services[6].prefix": ["P"], "services[6].lanes": ["general", "senior"],
                   "services[6].daily_quota": ["80"], "services[6].lane_quotas.senior": ["10"],
                   "counters[7].number": ["8"], "counters[7].name": ["Loket 8 (Paspor)"],
                   "counters[7].services": ["@new"], "counters[7].mode": ["strict"]})
    return fields


# -- who may use it -----------------------------------------------------------------------------

@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_opens_for_the_admin_in_indonesian(admin, section):
    page = admin.get(f"/admin/office{section}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Pengaturan kantor" in html and "Simpan dan terapkan" in html
    assert 'name="version" value="' in html and 'name="csrf_token"' in html


def test_officers_and_supervisors_are_refused_and_anonymous_sent_to_sign_in(app, client, demo):
    assert client.get("/admin/office/services").status_code == 302
    for username in ("petugas", "supervisor"):
        browser = signed_in(app, demo, username)
        assert browser.get("/admin/office").status_code == 403
        assert browser.post("/admin/office/hours", data={}).status_code in (400, 403)
    assert client.get("/admin/office/nothing-here").status_code == 302


def test_an_unknown_section_is_not_found(admin):
    assert admin.get("/admin/office/nothing-here").status_code == 404


def test_a_form_without_its_csrf_token_is_refused_and_nothing_written(app, admin):
    before = Path(app.config["OFFICE_CONFIG"]).read_bytes()
    fields = form_of(admin)
    del fields["csrf_token"]
    fields["office.name"] = ["Kantor Palsu"]
    assert admin.post("/admin/office", data=fields).status_code == 400
    assert Path(app.config["OFFICE_CONFIG"]).read_bytes() == before


# -- saving -----------------------------------------------------------------------------------------

def test_the_untouched_form_saves_the_file_unchanged(app, admin):
    before = Path(app.config["OFFICE_CONFIG"]).read_text()
    for section in SECTIONS:
        answer = admin.post(f"/admin/office{section}", data=form_of(admin, section))
        assert answer.status_code == 302, (section, answer.get_data(as_text=True)[:2000])
        assert Path(app.config["OFFICE_CONFIG"]).read_text() == before, section


def test_adding_a_service_with_its_counter_reaches_the_api_at_once(app, admin, client):
    answer = admin.post("/admin/office/services", data=add_service_and_counter(form_of(admin, "/services")))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/admin/office/services")
    saved = office_toml(app)
    assert saved["services"][-1] == {"code": "paspor", "name": "Paspor", "name_en": "Passports", "prefix": "P",
                                     "lanes": ["general", "senior"], "daily_quota": 80, "lane_quotas": {"senior": 10}}
    assert saved["counters"][-1] == {"number": 8, "name": "Loket 8 (Paspor)", "services": ["paspor"]}
    listed = {service["code"]: service for service in client.get("/api/services").get_json()}
    assert listed["paspor"]["lanes"] == ["general", "senior"] and listed["paspor"]["prefix"] == "P"
    assert any(counter["number"] == 8 for counter in client.get("/api/counters").get_json())
    page = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Tersimpan. Kios, layar, dan konsol menampilkan perubahan sekarang." in page


def test_the_office_section_changes_name_cap_and_time_zone(app, admin):
    fields = form_of(admin)
    fields.update({"office.name": ["DPMPTSP Kota Baru"], "office.timezone": ["Asia/Makassar"],
                   "capacity.max_inside": ["25"], "capacity.invite_timeout_min": ["15"]})
    assert admin.post("/admin/office", data=fields).status_code == 302
    saved = office_toml(app)
    assert (saved["office"]["name"], saved["office"]["timezone"]) == ("DPMPTSP Kota Baru", "Asia/Makassar")
    assert saved["capacity"] == {"max_inside": 25, "invite_timeout_min": 15}
    office = app.extensions["antrean.office"]
    assert office.config.name == "DPMPTSP Kota Baru" and office.config.max_inside == 25
    assert "DPMPTSP Kota Baru" in admin.get("/admin/office").get_data(as_text=True)


def test_hours_holidays_screening_and_alternatives_are_saved(app, admin):
    fields = form_of(admin, "/hours")
    del fields["hours.always_open"]
    fields.update({"hours.monday": ["07:30-12:00, 13:00-15:30"], "hours.friday": ["07:30-11:00"],
                   "hours.holidays": ["2026-08-17\n2026-12-25"], "hours.last_ticket_min": ["15"]})
    assert admin.post("/admin/office/hours", data=fields).status_code == 302
    hours = office_toml(app)["hours"]
    assert hours == {"always_open": False, "monday": ["07:30-12:00", "13:00-15:30"], "friday": ["07:30-11:00"],
                     "holidays": ["2026-08-17", "2026-12-25"], "last_ticket_min": 15}

    fields = form_of(admin, "/screening")
    fields.update({"screening.questions[0].id": ["Apakah Anda demam?"], "screening.questions[0].en": ["A fever?"]})
    assert admin.post("/admin/office/screening", data=fields).status_code == 302
    assert office_toml(app)["screening"] == {"questions": [{"id": "Apakah Anda demam?", "en": "A fever?"}]}
    assert len(app.extensions["antrean.office"].config.screening) == 1

    fields = form_of(admin, "/alternatives")
    fields["alternatives[0].remove"] = ["1"]
    assert admin.post("/admin/office/alternatives", data=fields).status_code == 302
    assert [item["name"] for item in office_toml(app)["alternatives"]] == ["Kirim berkas lewat pos atau kurir"]


def test_a_lane_is_added_and_named(app, admin, client):
    fields = form_of(admin, "/lanes")
    fields.update({"lanes.senior.id": ["Lansia (65+)"], "lanes.@new.code": ["korban_bencana"],
                   "lanes.@new.id": ["Korban Bencana"], "lanes.@new.en": ["Disaster victims"]})
    assert admin.post("/admin/office/lanes", data=fields).status_code == 302
    lanes = office_toml(app)["lanes"]
    assert lanes["senior"] == {"id": "Lansia (65+)"} and lanes["korban_bencana"] == {"id": "Korban Bencana",
                                                                                      "en": "Disaster victims"}
    assert "korban_bencana" in app.extensions["antrean.office"].config.lanes


def test_removing_a_service_and_its_counter_drops_the_references_elsewhere(app, admin):
    fields = form_of(admin, "/services")
    fields.update({"services[1].remove": ["1"], "counters[2].remove": ["1"]})   # izin_kesehatan and Loket 3
    answer = admin.post("/admin/office/services", data=fields)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:3000]
    saved = office_toml(app)
    assert "izin_kesehatan" not in [service["code"] for service in saved["services"]]
    assert 3 not in [counter["number"] for counter in saved["counters"]]
    assert "izin_kesehatan" not in saved["counters"][-1]["services"]
    assert "izin_kesehatan" not in saved["policy"]["service_classes"]


# -- errors next to their field -----------------------------------------------------------------------

def test_an_invalid_field_is_named_next_to_it_in_indonesian_and_nothing_is_written(app, admin):
    before = Path(app.config["OFFICE_CONFIG"]).read_bytes()
    fields = add_service_and_counter(form_of(admin, "/services"))
    fields["services[6].prefix"] = ["7"]
    answer = admin.post("/admin/office/services", data=fields)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert field_error(html, "services[6].prefix") == "Gunakan satu huruf kapital A-Z."
    assert re.search(r'id="f-services-6-prefix"[^>]*aria-invalid="true"', html)
    assert 'value="Paspor"' in html, "what the admin typed stays in the form"
    assert Path(app.config["OFFICE_CONFIG"]).read_bytes() == before


@pytest.mark.parametrize(("changes", "path", "text"), [
    ({"services[0].prefix": ["B"]}, "services[1].prefix", "B dipakai dua kali."),
    ({"services[2].daily_quota": ["nol"]}, "services[2].daily_quota", "Isi bilangan bulat dari 1 sampai 100000."),
    ({"counters[0].services": []}, "counters[0].services", "Pilih paling sedikit satu layanan."),
    ({"services[0].name": [""]}, "services[0].name", "Wajib diisi."),
    ({"services[6].code": ["Paspor Baru"], "services[6].name": ["Paspor"], "services[6].prefix": ["P"],
      "counters[7].number": ["8"], "counters[7].services": ["@new"]}, "services[6].code",
     "Gunakan huruf kecil, angka, atau _ (paling banyak 32), diawali huruf."),
    ({"services[6].code": ["paspor"], "services[6].name": ["Paspor"], "services[6].prefix": ["P"]},
     "services[6].lanes", "Tidak ada loket yang memanggil tiket paspor di jalur general: centang layanan ini di "
                          "loket yang melayani jalur itu."),
])
def test_errors_of_the_services_form(admin, changes, path, text):
    fields = form_of(admin, "/services")
    fields.update(changes)
    html = admin.post("/admin/office/services", data=fields).get_data(as_text=True)
    assert field_error(html, path) == text


@pytest.mark.parametrize(("section", "changes", "path", "text"), [
    ("/hours", {"hours.monday": ["7 sampai 12"]}, "hours.monday",
     "Tulis jam seperti 07:00-12:00, 13:00-15:00 (jam selesai setelah jam mulai)."),
    ("/hours", {"hours.holidays": ["17-08-2026"]}, "hours.holidays", "17-08-2026 bukan tanggal seperti 2026-12-25."),
    ("", {"office.senior_age": ["30"]}, "office.senior_age", "Isi bilangan bulat dari 40 sampai 90."),
    ("", {"office.public_url": ["192.168.1.10"]}, "office.public_url",
     "Tulis alamat server ini yang dibuka ponsel, seperti http://192.168.1.10:5000 (tanpa path)."),
    ("/alternatives", {"alternatives[2].name": ["Portal"], "alternatives[2].url": ["portal.go.id"]},
     "alternatives[2].url", "Awali alamat dengan http:// atau https://."),
    ("/lanes", {"lanes.@new.code": ["Ibu-Hamil"], "lanes.@new.id": ["Ibu hamil"]}, "lanes.Ibu-Hamil",
     "Gunakan huruf kecil, angka, atau _ (paling banyak 32), diawali huruf."),
])
def test_errors_of_the_other_sections(admin, section, changes, path, text):
    fields = form_of(admin, section)
    fields.pop("hours.always_open", None)   # around the clock, the hours are not read at all
    fields.update(changes)
    answer = admin.post(f"/admin/office{section}", data=fields)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert text in html
    if not path.startswith("lanes."):
        assert field_error(html, path) == text


def test_a_service_with_tickets_today_cannot_be_removed(app, admin, client, kiosk_headers):
    take(client, kiosk_headers, {"service": "kartu_kuning", "lane": "general"})
    before = Path(app.config["OFFICE_CONFIG"]).read_bytes()
    fields = form_of(admin, "/services")
    fields.update({"services[3].remove": ["1"], "counters[3].remove": ["1"]})
    fields["counters[4].services"] = ["non_perizinan"]
    fields["counters[6].services"] = [code for code in fields["counters[6].services"] if code != "kartu_kuning"]
    answer = admin.post("/admin/office/services", data=fields)
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert "kartu_kuning sudah punya 1 tiket hari ini: hapus setelah layanan hari ini selesai." in html
    assert 'href="#f-services-3"' in html
    assert Path(app.config["OFFICE_CONFIG"]).read_bytes() == before


def test_a_file_changed_since_the_form_opened_is_not_overwritten(app, admin):
    fields = form_of(admin)
    path = Path(app.config["OFFICE_CONFIG"])
    path.write_text(path.read_text().replace("max_inside = 40", "max_inside = 35"))
    fields["office.name"] = ["Kantor Lain"]
    answer = admin.post("/admin/office", data=fields)
    assert answer.status_code == 409
    assert "office.toml sudah diubah sejak formulir ini dibuka." in answer.get_data(as_text=True)
    assert office_toml(app)["capacity"]["max_inside"] == 35 and office_toml(app)["office"]["name"] != "Kantor Lain"
