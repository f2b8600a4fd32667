"""The printed ticket on the kiosk's ticket page (rendered, without a browser): what it says, on
which paper, in which size, and that printing needs nothing from the server but the page.
The print itself is measured in a browser: tests/browser/test_print.py."""
from __future__ import annotations

import html
import re

import pypdfium2 as pdfium
import pytest
from flask import render_template

from kiosk.visitor import OUTSIDE_NOTE, printed_ticket, token_for
from shared.domain.config import ConfigError, load_config
from shared.i18n import translate
from shared.ticket_print import ticket_texts
from shared.views import tickets as ticket_views
from shared.web import context, create_app
from tests.test_pages import csrf_of, register_kiosk
from tests.test_public_url import LAN, with_public_url

SERVICE = "perizinan_berusaha"


def set_in_office(instance, old: str, new: str) -> None:
    path = instance / "office.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def app_for(instance):
    return create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance)


def take_ticket(client, demo, lane: str = "general", lang: str | None = None) -> str:
    """Register the kiosk, take a ticket on its screens; the ticket page's HTML."""
    register_kiosk(client, demo)
    lanes = client.get(f"/kiosk/services/{SERVICE}" + (f"?lang={lang}" if lang else "")).get_data(as_text=True)
    key = re.search(r'name="request_key" value="([^"]+)"', lanes).group(1)
    shown = client.post("/kiosk/tickets", data={"service": SERVICE, "lane": lane, "request_key": key,
                                                "csrf_token": csrf_of(lanes)}, follow_redirects=True)
    assert shown.status_code == 200
    return shown.get_data(as_text=True)


def printed_part(page: str) -> str:
    found = re.search(r'<section id="printed-ticket".*?</section>', page, re.S)
    assert found, "no printed ticket on the page"
    return found.group(0)


def printed_lines(page: str) -> list[str]:
    part = re.sub(r"<svg.*?</svg>", "", printed_part(page), flags=re.S)
    return [html.unescape(" ".join(text.split())) for text in re.findall(r">([^<]+)<", part) if text.strip()]


def test_the_ticket_page_carries_the_printed_ticket_and_prints_itself(client, demo):
    page = take_ticket(client, demo)
    lines = printed_lines(page)
    assert lines[:3] == ["DPMPTSP Kota Contoh (Demo)", "Nomor Antrean", "A-001"]
    for expected in ("Perizinan Berusaha", "Umum", "Orang di depan Anda: 0", "Dilayani di loket 1, 2",
                     "Pindai untuk melihat status antrean", "Atau buka alamat ini:",
                     "Berlaku hari ini saja", "Harap menunggu hingga nomor Anda dipanggil"):
        assert expected in lines
    assert any(re.fullmatch(r"Perkiraan tunggu: \d+–\d+ menit", line) for line in lines)
    link = next(line for line in lines if "/t/" in line)
    assert re.fullmatch(r"http://localhost/t/[\w.-]+", link)
    part = printed_part(page)
    assert 'lang="id"' in part and 'data-paper-mm="80"' in part and "printed-ticket--80" in part
    assert "printed-ticket--large" not in part
    assert 'aria-hidden="true"' in part and " hidden>" in part, "screen readers read the ticket card, not this"
    assert "/static/kiosk/print.css" in page and "/static/kiosk/print.js" in page
    assert "<iframe" not in page and "print-frame" not in page, "no PDF in a hidden frame any more"
    assert 'id="print-again"' in page


def test_the_printed_link_and_qr_name_the_public_address(instance_dir, demo):
    page = take_ticket(app_for(with_public_url(instance_dir, LAN)).test_client(), demo)
    assert any(line.startswith(f"{LAN}/t/") for line in printed_lines(page))
    assert "http://localhost/t/" not in page


def test_the_printed_ticket_follows_the_visitors_language(client, demo):
    page = take_ticket(client, demo, lang="en")
    lines = printed_lines(page)
    assert 'lang="en"' in printed_part(page)
    for expected in ("Queue number", "Business licensing", "Served at counters 1, 2", "Valid today only",
                     "Please wait until your number is called"):
        assert expected in lines
    assert "Nomor Antrean" not in lines


def test_a_priority_lane_lists_its_priority_counter_too(client, demo):
    assert "Dilayani di loket 1, 2, 7" in printed_lines(take_ticket(client, demo, lane="senior"))


def test_a_58_mm_printer_is_an_office_setting(instance_dir, demo):
    set_in_office(instance_dir, "paper_mm = 80", "paper_mm = 58")
    part = printed_part(take_ticket(app_for(instance_dir).test_client(), demo))
    assert 'data-paper-mm="58"' in part and "printed-ticket--58" in part


@pytest.mark.parametrize("value", ["72", "57", "true", '"80"'])
def test_a_paper_width_other_than_80_or_58_is_refused(instance_dir, value):
    set_in_office(instance_dir, "paper_mm = 80", f"paper_mm = {value}")
    with pytest.raises(ConfigError, match=r"kiosk\.paper_mm: must be 80 or 58"):
        load_config(instance_dir / "office.toml")


def test_a_ticket_to_wait_outside_prints_that_and_no_contradicting_footer(client, demo, staff_headers):
    assert client.put("/api/capacity", json={"max_inside": 1}, headers=staff_headers("supervisor")).status_code == 200
    assert "printed-ticket__outside" not in take_ticket(client, demo)
    page = take_ticket(client, demo)
    lines = printed_lines(page)
    assert lines[2] == "A-002"
    assert '<p class="printed-ticket__outside">' in printed_part(page)
    assert translate(OUTSIDE_NOTE, "id") in lines
    assert "Harap menunggu hingga nomor Anda dipanggil" not in lines


def test_accessibility_mode_prints_the_large_ticket(app, demo):
    """`accessible` is what the kiosk's accessibility mode sets on its pages."""
    take_ticket(app.test_client(), demo)
    with app.test_request_context("/kiosk/"):
        printed = printed_ticket(ticket_views.find(context.db(), 1), "id")
        values = dict(printed=printed, printed_texts=ticket_texts(printed), printed_qr="", paper_mm=80)
        large = render_template("kiosk/_printed_ticket.html", accessible=True, **values)
        plain = render_template("kiosk/_printed_ticket.html", accessible=False, **values)
        unset = render_template("kiosk/_printed_ticket.html", **values)
    assert "printed-ticket--large" in large
    assert "printed-ticket--large" not in plain and "printed-ticket--large" not in unset


def test_the_kiosk_in_accessibility_mode_prints_large(client, demo):
    take_ticket(client, demo)
    with client.application.test_request_context("/kiosk/"):
        token = token_for(ticket_views.find(context.db(), 1))
    large = printed_part(client.get(f"/kiosk/tickets/{token}?access=on").get_data(as_text=True))
    assert "printed-ticket--large" in large
    plain = printed_part(client.get(f"/kiosk/tickets/{token}?access=off").get_data(as_text=True))
    assert "printed-ticket--large" not in plain


def test_the_pdf_to_download_says_the_same(client, demo, kiosk_headers):
    issued = client.post("/api/tickets", json={"service": SERVICE, "lane": "general"}, headers=kiosk_headers)
    pdf = client.get(f"/api/tickets/{issued.get_json()['token']}/pdf")
    text = " ".join(pdfium.PdfDocument(pdf.data)[0].get_textpage().get_text_range().split())
    for expected in ("Nomor Antrean", "A-001", "Dilayani di loket 1, 2", "Berlaku hari ini saja",
                     "Perkiraan tunggu: "):
        assert expected in text
