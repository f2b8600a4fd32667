"""The printed ticket fits an 80 mm roll, carries the right text and a QR code that scans."""
import pypdfium2 as pdfium
import pytest
import zxingcpp

from shared.i18n import translate
from shared.ticket_print import LABELS, TicketPrint, render_ticket_pdf

MM = 72 / 25.4
URL = "http://192.168.1.10:5000/t/eyJ0aWNrZXQiOjF9.abc-DEF_123"


def make_ticket(**changes) -> TicketPrint:
    fields = dict(
        office_name="Kantor Imigrasi Kelas I Jakarta Selatan",
        number="A-001",
        service_name="Pembuatan Paspor Baru",
        lane_name="Loket Reguler",
        issued_at_text="25-11-2026 08:15 WIB",
        ahead=3,
        status_url=URL,
    )
    fields.update(changes)
    return TicketPrint(**fields)


def open_pdf(data: bytes) -> pdfium.PdfDocument:
    assert data.startswith(b"%PDF")
    return pdfium.PdfDocument(data)


def page_text(data: bytes) -> str:
    pdf = open_pdf(data)
    assert len(pdf) == 1
    return pdf[0].get_textpage().get_text_range()


def test_pdf_is_one_page_80_mm_wide():
    pdf = open_pdf(render_ticket_pdf(make_ticket()))
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert width == pytest.approx(80 * MM, abs=0.5)
    assert 100 * MM < height < 200 * MM


def test_printed_qr_decodes_to_status_url():
    pdf = open_pdf(render_ticket_pdf(make_ticket()))
    image = pdf[0].render(scale=3).to_pil()  # about 8.3 px per mm, like a 203 dpi head
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [URL]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_indonesian_text():
    text = page_text(render_ticket_pdf(make_ticket()))
    for expected in (
        "Nomor Antrean",
        "A-001",
        "Pembuatan Paspor Baru",
        "Loket Reguler",
        "Orang di depan Anda: 3",
        "25-11-2026 08:15 WIB",
        "Pindai untuk melihat status antrean",
        "Harap menunggu hingga nomor Anda dipanggil",
    ):
        assert expected in text


def test_english_labels():
    text = page_text(render_ticket_pdf(make_ticket(language="en", ahead=0)))
    for expected in (
        "Queue number",
        "People ahead of you: 0",
        "Scan to follow your queue status",
        "Please wait until your number is called",
    ):
        assert expected in text
    assert "Nomor Antrean" not in text


def test_labels_are_catalog_msgids_printed_in_the_ticket_language():
    text = page_text(render_ticket_pdf(make_ticket(ahead=7, issued_at_text="01-12-2026 09:00 WITA")))
    assert translate(LABELS["ahead"], "id", ahead=7) in text
    assert translate(LABELS["issued"], "id", when="01-12-2026 09:00 WITA") in text
    for key in ("number", "scan", "footer"):
        assert translate(LABELS[key], "id") in text
        assert translate(LABELS[key], "id") != LABELS[key], f"{key} has no Indonesian translation"


def test_unknown_language_falls_back_to_indonesian():
    text = page_text(render_ticket_pdf(make_ticket(language="fr")))
    assert "Nomor Antrean" in text


def test_status_note_is_printed_only_when_given():
    note = "Tunggu di luar, Anda akan dipanggil masuk"
    assert note in page_text(render_ticket_pdf(make_ticket(status_note=note)))
    assert "Tunggu di luar" not in page_text(render_ticket_pdf(make_ticket()))


def test_long_office_name_wraps_within_the_roll():
    short = render_ticket_pdf(make_ticket(office_name="Kecamatan Kebayoran Baru"))
    long_name = (
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan "
        "Seribu Provinsi Daerah Khusus Ibukota Jakarta"
    )
    wrapped = render_ticket_pdf(make_ticket(office_name=long_name))
    text = page_text(wrapped)
    words = " ".join(text.split())
    assert long_name in words  # every word survives, just on more than one line
    assert long_name not in text  # so the raw text has line breaks in it
    page = open_pdf(wrapped)[0]
    assert page.get_size()[0] == pytest.approx(80 * MM, abs=0.5)
    assert page.get_size()[1] > open_pdf(short)[0].get_size()[1]
    for index in range(page.get_textpage().count_chars()):
        left, _, right, _ = page.get_textpage().get_charbox(index)
        assert 4 * MM - 1 <= left and right <= 76 * MM + 1


def test_pdf_title_is_the_ticket_number():
    pdf = open_pdf(render_ticket_pdf(make_ticket(number="B-042")))
    assert pdf.get_metadata_dict()["Title"] == "B-042"
