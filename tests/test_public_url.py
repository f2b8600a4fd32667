"""The office's public address: validated, used by every link a visitor takes home, printed at
start-up, and a warning when a kiosk would print QR codes that only open on the server itself."""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from shared import cli
from shared.domain.addresses import address_url, host_of, is_loopback, is_unspecified
from shared.domain.config import DEMO_TEMPLATE, ConfigError, load_config, parse_config
from shared.server import OfficeServer
from shared.web import create_app
from tests.test_pages import csrf_of

LAN = "http://192.168.1.10:5000"
SERVICE = "perizinan_berusaha"


def with_public_url(instance: Path, value: str) -> Path:
    """Set `[office] public_url` in an instance's office.toml (the demo file has it empty)."""
    path = instance / "office.toml"
    text = path.read_text(encoding="utf-8")
    line = f"public_url = {value!r}".replace("'", '"')
    if re.search(r"(?m)^public_url = .*$", text):
        text = re.sub(r"(?m)^public_url = .*$", line, text, count=1)
    else:
        text = text.replace("[office]\n", f"[office]\n{line}\n", 1)
    path.write_text(text, encoding="utf-8")
    return instance


def raw_office(**office) -> dict:
    raw = {"office": {"name": "Kantor Uji", **office},
           "services": [{"code": "umum", "name": "Umum", "prefix": "A"}],
           "counters": [{"number": 1, "services": ["umum"]}]}
    return raw


# -- the setting ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (LAN, LAN),
    ("http://192.168.1.10:5000/", LAN),
    ("  HTTPS://Antrean.Kota-Contoh.go.id  ", "https://antrean.kota-contoh.go.id"),
    ("http://[fd00::10]:8080", "http://[fd00::10]:8080"),
    ("http://localhost:5000", "http://localhost:5000"),   # allowed, but `serve` warns about it
    ("", None),
])
def test_a_public_url_is_kept_as_scheme_host_and_port(value, expected):
    assert parse_config(raw_office(public_url=value)).public_url == expected


def test_without_a_public_url_there_is_none():
    assert parse_config(raw_office()).public_url is None
    assert load_config(DEMO_TEMPLATE).public_url is None, "the demo office leaves it to `serve --host`"


@pytest.mark.parametrize("value, complaint", [
    ("192.168.1.10:5000", "http:// or https://"),
    ("ftp://192.168.1.10", "http:// or https://"),
    ("http://", "host"),
    ("http://:5000", "host"),
    ("http://kantor_ku", "host"),
    ("http://192.168.1.10:5000/antrean", "without a path"),
    ("http://192.168.1.10:5000/t/", "without a path"),
    ("http://192.168.1.10:5000?x=1", "without a path"),
    ("http://192.168.1.10:5000#top", "without a path"),
    ("http://admin:rahasia@192.168.1.10", "user name or password"),
    ("http://0.0.0.0:5000", "where a server listens"),
    ("http://192.168.1.10:0", "port"),
    ("http://192.168.1.10:99999", "port"),
    ("http://192.168.1.10:port", "port"),
    ("http://192.168.1.10 :5000", "space"),
    (5000, "like http://192.168.1.10:5000"),
])
def test_a_bad_public_url_is_refused_naming_the_field(value, complaint):
    with pytest.raises(ConfigError) as refused:
        parse_config(raw_office(public_url=value))
    assert str(refused.value).startswith("office.public_url: ")
    assert complaint in str(refused.value)


def test_notification_links_follow_the_office_address_unless_they_name_their_own():
    notifications = {"webhook_url": "http://127.0.0.1:9000/hook", "secret_file": "webhook-secret"}
    assert parse_config({**raw_office(public_url=LAN), "notifications": notifications}).notifications.public_url == LAN
    own = {**notifications, "public_url": "https://antrean.kota-contoh.go.id"}
    assert (parse_config({**raw_office(public_url=LAN), "notifications": own}).notifications.public_url
            == "https://antrean.kota-contoh.go.id")
    assert parse_config({**raw_office(), "notifications": notifications}).notifications.public_url is None


@pytest.mark.parametrize("host, loopback, unspecified", [
    ("localhost", True, False), ("127.0.0.1", True, False), ("127.1.2.3", True, False), ("::1", True, False),
    ("[::1]", True, False), ("kiosk.localhost", True, False), ("0.0.0.0", False, True), ("::", False, True),
    ("192.168.1.10", False, False), ("antrean.local", False, False),
])
def test_loopback_and_listen_everywhere_addresses(host, loopback, unspecified):
    assert is_loopback(host) is loopback
    assert is_unspecified(host) is unspecified


def test_hosts_and_addresses():
    assert host_of("127.0.0.1:5000") == "127.0.0.1"
    assert host_of("http://[::1]:5000") == "::1"
    assert host_of("LOCALHOST") == "localhost"
    assert address_url("192.168.1.10", 5000) == LAN
    assert address_url("fd00::10", 80) == "http://[fd00::10]:80"


# -- the links ---------------------------------------------------------------------------------

@pytest.fixture
def public_app(instance_dir):
    with_public_url(instance_dir, LAN)
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)


def issue(client, kiosk_headers) -> dict:
    response = client.post("/api/tickets", json={"service": SERVICE, "lane": "general"}, headers=kiosk_headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def qr_texts(pdf_bytes: bytes) -> list[str]:
    page = pdfium.PdfDocument(pdf_bytes)[0]
    return [result.text for result in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]


def test_a_kiosk_at_localhost_prints_the_public_address(public_app, kiosk_headers):
    client = public_app.test_client()   # the test client asks for http://localhost/
    issued = issue(client, kiosk_headers)
    assert issued["status_url"] == f"{LAN}/t/{issued['token']}"
    assert issued["pdf_url"].startswith("http://localhost/"), "the kiosk's own download stays where it asked"
    pdf = client.get(f"/api/tickets/{issued['token']}/pdf")
    assert qr_texts(pdf.data) == [issued["status_url"]]


def test_booking_links_slip_and_calendar_use_the_public_address(public_app):
    office = public_app.extensions["antrean.office"]
    office.clock = lambda: datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)   # 09:00 WIB
    client = public_app.test_client()
    booked = client.post("/api/bookings", json={"service": SERVICE, "date": "2026-11-25", "start": "11:00",
                                                "lane": "general"})
    assert booked.status_code == 201, booked.get_json()
    body = booked.get_json()
    assert body["manage_url"] == f"{LAN}/booking/{body['token']}"
    assert qr_texts(client.get(f"/api/bookings/{body['token']}/pdf").data) == [body["manage_url"]]
    calendar = client.get(f"/api/calendar/{body['token']}.ics").get_data(as_text=True)
    assert body["manage_url"] in calendar.replace("\r\n ", "")


def test_the_address_serve_worked_out_is_used_when_office_toml_names_none(instance_dir, kiosk_headers):
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_PUBLIC_URL": "http://10.0.0.7:5000"},
                     instance_path=instance_dir)
    assert issue(app.test_client(), kiosk_headers)["status_url"].startswith("http://10.0.0.7:5000/t/")


def test_office_toml_wins_over_the_address_serve_worked_out(instance_dir, kiosk_headers):
    with_public_url(instance_dir, LAN)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading", "ANTREAN_PUBLIC_URL": "http://10.0.0.7:5000"},
                     instance_path=instance_dir)
    assert issue(app.test_client(), kiosk_headers)["status_url"].startswith(f"{LAN}/t/")


def test_without_any_address_links_follow_the_request(client, kiosk_headers):
    lan_client = client.application.test_client()
    issued = lan_client.post("/api/tickets", json={"service": SERVICE}, headers=kiosk_headers,
                             base_url="http://192.168.1.20:5000")
    assert issued.get_json()["status_url"].startswith("http://192.168.1.20:5000/t/")


def test_serve_hands_the_address_it_worked_out_to_the_app(instance_dir):
    app = OfficeServer(str(instance_dir), "0.0.0.0", 5999, async_mode="threading", public_url=LAN).load()
    assert app.config["ANTREAN_PUBLIC_URL"] == LAN


# -- registering a kiosk ------------------------------------------------------------------------

WARNING = "hanya dapat dibuka oleh komputer ini"   # the Indonesian warning, in part


def register_at(client, demo, base_url: str):
    page = client.get("/kiosk/register", base_url=base_url).get_data(as_text=True)
    response = client.post("/kiosk/register", data={"token": demo.kiosk_token, "csrf_token": csrf_of(page)},
                           base_url=base_url)
    assert response.status_code == 302
    return client.get("/kiosk/", base_url=base_url).get_data(as_text=True)


def test_a_kiosk_registered_at_localhost_is_warned_on_screen_and_in_the_log(client, demo, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.views"):
        home = register_at(client, demo, "http://127.0.0.1:5000")
    assert WARNING in home and "public_url" in home and "127.0.0.1:5000" in home
    logged = [record.getMessage() for record in caplog.records if record.name == "kiosk.views"]
    assert len(logged) == 1 and "loopback" in logged[0] and "127.0.0.1:5000" in logged[0]
    assert demo.kiosk_token not in logged[0], "the kiosk's token never reaches the log"
    assert WARNING not in client.get("/kiosk/", base_url="http://127.0.0.1:5000").get_data(as_text=True), \
        "said once, at registration"


def test_a_kiosk_registered_on_the_network_is_not_warned(client, demo, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.views"):
        home = register_at(client, demo, LAN)
    assert WARNING not in home and not [r for r in caplog.records if r.name == "kiosk.views"]


def test_a_kiosk_at_localhost_is_not_warned_when_the_office_names_its_address(public_app, demo, caplog):
    with caplog.at_level(logging.WARNING, logger="kiosk.views"):
        home = register_at(public_app.test_client(), demo, "http://localhost:5000")
    assert WARNING not in home and not [r for r in caplog.records if r.name == "kiosk.views"]


# -- what `antrean serve` says -------------------------------------------------------------------

def phones_address(capsys, host: str, public_url: str | None = None, lan: str | None = "192.168.1.10"):
    config = parse_config(raw_office(**({"public_url": public_url} if public_url else {})))
    original = cli.lan_address
    cli.lan_address = lambda: lan
    try:
        found = cli._phones_address(config, host, 5000)
    finally:
        cli.lan_address = original
    printed = capsys.readouterr()
    return found, printed.out, printed.err


def test_serve_on_every_network_uses_and_prints_this_computers_address(capsys):
    found, out, err = phones_address(capsys, "0.0.0.0")
    assert found == LAN and f"Phones:   {LAN}" in out and not err


def test_serve_on_one_address_uses_it(capsys):
    found, out, err = phones_address(capsys, "10.0.0.7")
    assert found == "http://10.0.0.7:5000" and "Phones:   http://10.0.0.7:5000" in out and not err


def test_serve_prints_the_office_address_and_hands_none_down(capsys):
    found, out, err = phones_address(capsys, "127.0.0.1", public_url="https://antrean.kota-contoh.go.id")
    assert found is None and "Phones:   https://antrean.kota-contoh.go.id (office.toml" in out and not err


def test_serve_on_loopback_only_warns_that_phones_cannot_open_the_codes(capsys):
    found, out, err = phones_address(capsys, "127.0.0.1")
    assert found is None and "Phones:" not in out
    assert "Warning" in err and "--host 0.0.0.0" in err and "public_url" in err


def test_serve_warns_about_a_loopback_public_url(capsys):
    found, out, err = phones_address(capsys, "0.0.0.0", public_url="http://localhost:5000")
    assert "Phones:   http://localhost:5000" in out and "loopback" in err


def test_serve_without_a_network_address_warns(capsys):
    found, out, err = phones_address(capsys, "0.0.0.0", lan=None)
    assert found is None and "Warning" in err and "public_url" in err


def test_the_lan_address_is_never_a_loopback_one():
    found = cli.lan_address()
    assert found is None or not (is_loopback(found) or is_unspecified(found))


def test_serve_prints_the_public_address_at_start(servers, tmp_path):
    from tests.helpers.live import demo_instance

    server = servers(with_public_url(demo_instance(tmp_path / "instance"), LAN))
    assert f"Phones:   {LAN}" in server.log.read_text()
