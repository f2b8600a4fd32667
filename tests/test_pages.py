"""Browser pages through the test client: Indonesian by default, CSRF on every form, login walls."""
import re

import pytest


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def register_kiosk(client, demo) -> None:
    page = client.get("/kiosk/register").get_data(as_text=True)
    response = client.post("/kiosk/register", data={"token": demo.kiosk_token, "csrf_token": csrf_of(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk/")


def login(client, demo, username="petugas") -> None:
    page = client.get("/counter/login").get_data(as_text=True)
    response = client.post("/counter/login", data={"username": username, "password": demo.passwords[username],
                                                   "csrf_token": csrf_of(page)})
    assert response.status_code == 302


def test_pages_are_indonesian_by_default_and_english_on_request(client):
    page = client.get("/counter/login").get_data(as_text=True)
    assert '<html lang="id">' in page and "Masuk" in page
    english = client.get("/counter/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Staff sign-in" in english
    assert '<html lang="en">' in client.get("/counter/login").get_data(as_text=True), "the choice is remembered"


def test_unregistered_browser_must_register_first(client):
    assert client.get("/kiosk/").headers["Location"].endswith("/kiosk/register")
    response = client.post("/kiosk/tickets", data={"service": "perizinan_berusaha", "lane": "general"})
    assert response.status_code in (400, 401)


def test_wrong_kiosk_token_is_refused(client):
    page = client.get("/kiosk/register").get_data(as_text=True)
    response = client.post("/kiosk/register", data={"token": "nope", "csrf_token": csrf_of(page)})
    assert response.status_code == 401


def test_kiosk_flow_issues_and_shows_a_ticket(client, demo):
    register_kiosk(client, demo)
    home = client.get("/kiosk/").get_data(as_text=True)
    assert "Perizinan Berusaha" in home and "Kartu Kuning (AK/I)" in home
    lanes = client.get("/kiosk/services/izin_kesehatan").get_data(as_text=True)
    assert "Tenaga Kesehatan" in lanes and "Lansia" in lanes
    form = {"service": "izin_kesehatan", "lane": "health_worker", "request_key": re.search(
        r'name="request_key" value="([^"]+)"', lanes).group(1), "csrf_token": csrf_of(lanes)}
    shown = client.post("/kiosk/tickets", data=form)
    assert shown.status_code == 302
    ticket_page = client.get(shown.headers["Location"]).get_data(as_text=True)
    assert "B-001" in ticket_page and "<svg" in ticket_page and "/pdf?lang=id" in ticket_page
    again = client.post("/kiosk/tickets", data=form)   # double press: same ticket, no second number
    assert again.headers["Location"] == shown.headers["Location"]


def test_kiosk_form_without_csrf_is_refused(client, demo):
    register_kiosk(client, demo)
    response = client.post("/kiosk/tickets", data={"service": "perizinan_berusaha", "lane": "general"})
    assert response.status_code == 400
    assert "Mohon maaf" in response.get_data(as_text=True)   # a friendly page, in Indonesian


def test_kiosk_bad_service_gets_a_friendly_page(client, demo):
    register_kiosk(client, demo)
    lanes = client.get("/kiosk/services/perizinan_berusaha").get_data(as_text=True)
    response = client.post("/kiosk/tickets", data={"service": "<b>x</b>", "lane": "general",
                                                   "csrf_token": csrf_of(lanes)})
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body


@pytest.mark.parametrize("path", ["/counter/", "/counter/1", "/counter/1/panel"])
def test_console_pages_need_login(client, path):
    assert client.get(path).headers["Location"].endswith("/counter/login")


def test_console_actions_need_login_and_csrf(client, demo):
    assert client.post("/counter/1/call-next").status_code in (302, 400)
    login(client, demo)
    assert client.post("/counter/1/call-next").status_code == 400   # logged in, but no CSRF token


def test_console_flow(client, demo, kiosk_headers):
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "general"}, headers=kiosk_headers)
    login(client, demo)
    assert "Loket 7 (Prioritas)" in client.get("/counter/").get_data(as_text=True)
    console = client.get("/counter/1").get_data(as_text=True)
    assert "A-001" in console
    result = client.post("/counter/1/call-next", data={"csrf_token": csrf_of(console)}, follow_redirects=True)
    page = result.get_data(as_text=True)
    assert 'id="current-number">A-001' in page and "A-001 dipanggil" in page
    panel = client.get("/counter/1/panel").get_data(as_text=True)
    assert "<html" not in panel and "A-001" in panel


def test_bad_login_shows_a_message(client):
    page = client.get("/counter/login").get_data(as_text=True)
    response = client.post("/counter/login", data={"username": "petugas", "password": "x", "csrf_token": csrf_of(page)})
    assert response.status_code == 401 and 'role="alert"' in response.get_data(as_text=True)


def test_status_page_and_forged_link(client, kiosk_headers):
    ticket = client.post("/api/tickets", json={"service": "konsultasi", "lane": "senior"}, headers=kiosk_headers)
    url = ticket.get_json()["status_url"].replace("http://localhost", "")
    page = client.get(url).get_data(as_text=True)
    assert "E-001" in page and "Batalkan" in page
    forged = client.get(url + "x")
    assert forged.status_code == 404 and "tidak berlaku" in forged.get_data(as_text=True)


def test_display_page_and_security_headers(client):
    response = client.get("/display/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert '/vendor/socket.io.min.js' in response.get_data(as_text=True)


def test_vendor_route_serves_only_whitelisted_files(client):
    assert client.get("/vendor/socket.io.min.js").status_code == 200
    assert client.get("/vendor/../package.json").status_code == 404
    assert client.get("/vendor/axe-core/axe.min.js").status_code == 404


def test_english_ticket_links_to_an_english_status_page(client, demo):
    register_kiosk(client, demo)
    lanes = client.get("/kiosk/services/konsultasi?lang=en").get_data(as_text=True)
    shown = client.post("/kiosk/tickets", data={"service": "konsultasi", "lane": "general",
                                                "csrf_token": csrf_of(lanes)})
    page = client.get(shown.headers["Location"]).get_data(as_text=True)
    assert "/pdf?lang=en" in page
    token = shown.headers["Location"].rsplit("/", 1)[1]
    from shared.qr import qr_svg  # the QR on screen encodes the status URL with the language
    assert qr_svg(f"http://localhost/t/{token}?lang=en", title="QR E-001") in page


def test_visitor_error_page_does_not_send_visitors_to_staff_pages(client):
    page = client.get("/t/forged-token").get_data(as_text=True)
    assert 'href="/"' not in page and "/counter" not in page


def test_console_explains_the_next_call(client, demo, kiosk_headers):
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "general"}, headers=kiosk_headers)
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "senior"}, headers=kiosk_headers)
    login(client, demo)
    console = client.get("/counter/1").get_data(as_text=True)
    assert 'id="next-ticket"' in console and "A-002" in console and 'data-rule="priority_lane"' in console
    assert "jalur prioritas" in console
    result = client.post("/counter/1/call", data={"number": "A-001", "reason": "dokumen saja",
                                                  "csrf_token": csrf_of(console)}, follow_redirects=True)
    assert 'id="current-number">A-001' in result.get_data(as_text=True)


def test_console_names_the_rule_after_a_call_and_tags_the_chosen_ticket(client, demo, kiosk_headers):
    """After three priority calls the fairness rule picks the general ticket: the table's "next" tag agrees."""
    for lane in ("general", "senior", "senior", "senior", "senior"):
        client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": lane}, headers=kiosk_headers)
    login(client, demo)
    page = client.get("/counter/1").get_data(as_text=True)
    messages = []
    for _ in range(3):
        page = client.post("/counter/1/call-next", data={"csrf_token": csrf_of(page)},
                           follow_redirects=True).get_data(as_text=True)
        messages.append(re.search(r'<p class="flash flash--info">([^<]+)</p>', page).group(1))
    assert messages[0] == "Nomor A-002 dipanggil: jalur prioritas · Lansia (60+) · menunggu 0 menit."
    # Head start alone would put senior A-005 first; the fairness bound calls general A-001.
    assert 'data-rule="fairness"' in page and "<strong>A-001</strong>" in page
    tagged = re.findall(r'<tr class="is-next">\s*<td class="waiting-table__number">(\S+) <span', page)
    assert tagged == ["A-001"]
    page = client.post("/counter/1/call-next", data={"csrf_token": csrf_of(page)},
                       follow_redirects=True).get_data(as_text=True)
    assert "Nomor A-001 dipanggil: keadilan" in page


def test_console_transfer_message_names_the_ticket_and_the_service(client, demo, kiosk_headers):
    client.post("/api/tickets", json={"service": "perizinan_berusaha", "lane": "general"}, headers=kiosk_headers)
    login(client, demo)
    console = client.get("/counter/1").get_data(as_text=True)
    page = client.post("/counter/1/call-next", data={"csrf_token": csrf_of(console)},
                       follow_redirects=True).get_data(as_text=True)
    page = client.post("/counter/1/transfer", data={"csrf_token": csrf_of(page), "service": "konsultasi"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Nomor A-001 dialihkan ke Konsultasi &amp; Pengaduan." in page


def test_a_kiosk_flooding_the_api_is_also_stopped_on_its_page(client, demo, kiosk_headers):
    """One count per kiosk for `POST /api/tickets` and the kiosk form: switching routes does not help."""
    statuses = [client.post("/api/tickets", json={"service": "konsultasi", "lane": "general"},
                            headers=kiosk_headers).status_code for _ in range(60)]
    assert statuses == [201] * 60
    register_kiosk(client, demo)
    lanes = client.get("/kiosk/services/konsultasi").get_data(as_text=True)
    refused = client.post("/kiosk/tickets", data={"service": "konsultasi", "lane": "general",
                                                  "csrf_token": csrf_of(lanes)})
    assert refused.status_code == 429 and "Terlalu banyak permintaan" in refused.get_data(as_text=True)


def test_failed_logins_count_across_the_api_and_the_form(client):
    for _ in range(10):
        assert client.post("/api/login", json={"username": "petugas", "password": "guess-guess"}).status_code == 401
    page = client.get("/counter/login").get_data(as_text=True)
    response = client.post("/counter/login", data={"username": "petugas", "password": "guess-guess",
                                                   "csrf_token": csrf_of(page)})
    assert response.status_code == 429
