"""The ticket's printed texts, and the PDF to download: 80 mm wide with a margin inside the 72 mm
a thermal head prints, the right text (the same lines as the printed HTML ticket) and a QR code
that scans."""
import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import zxingcpp

from shared.i18n import translate
from shared.ticket_print import LABELS, PRINTABLE_MM, TicketPrint, counter_list, render_ticket_pdf, ticket_texts

MM = 72 / 25.4
URL = "http://192.168.1.10:5000/t/eyJ0aWNrZXQiOjF9.abc-DEF_123"
OUTSIDE = "Kantor penuh: tunggu di luar. Ponsel Anda dan layar akan memberi tahu kapan Anda masuk."


def make_ticket(**changes) -> TicketPrint:
    fields = dict(
        office_name="Kantor Imigrasi Kelas I Jakarta Selatan",
        number="A-001",
        service_name="Pembuatan Paspor Baru",
        lane_name="Loket Reguler",
        issued_at_text="25-11-2026 08:15 WIB",
        ahead=3,
        status_url=URL,
        estimate_min=(5, 12),
        counters=(1, 2, 7),
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


def words(data: bytes) -> str:
    """The page's text with every line break and run of spaces made one space."""
    return " ".join(page_text(data).split())


def font_name(textpage, index: int) -> str:
    size = pdfium_raw.FPDFText_GetFontInfo(textpage.raw, index, None, 0, None)
    buffer = ctypes.create_string_buffer(size)
    pdfium_raw.FPDFText_GetFontInfo(textpage.raw, index, buffer, size, None)
    return buffer.value.decode()


def bold_share(data: bytes, text: str) -> float:
    """The share of `text`'s letters drawn in a bold font."""
    page = open_pdf(data)[0]
    textpage = page.get_textpage()
    everything = textpage.get_text_range()
    flat = "".join(everything.split())
    start = flat.index("".join(text.split()))
    indices = [index for index, character in enumerate(everything) if not character.isspace()]
    chosen = indices[start:start + len("".join(text.split()))]
    heavy = sum(1 for index in chosen if "Bold" in font_name(textpage, index))
    return heavy / len(chosen)


def test_pdf_is_one_page_80_mm_wide():
    pdf = open_pdf(render_ticket_pdf(make_ticket()))
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert width == pytest.approx(80 * MM, abs=0.5)
    assert 100 * MM < height < 220 * MM


def test_printed_qr_decodes_to_status_url():
    pdf = open_pdf(render_ticket_pdf(make_ticket()))
    image = pdf[0].render(scale=3).to_pil()  # about 8.3 px per mm, like a 203 dpi head
    results = zxingcpp.read_barcodes(image)
    assert [r.text for r in results] == [URL]
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode


def test_indonesian_text():
    text = words(render_ticket_pdf(make_ticket()))
    for expected in (
        "Nomor Antrean",
        "A-001",
        "Pembuatan Paspor Baru",
        "Loket Reguler",
        "Orang di depan Anda: 3",
        "Perkiraan tunggu: 5–12 menit",
        "Dilayani di loket 1, 2, 7",
        "25-11-2026 08:15 WIB",
        "Berlaku hari ini saja",
        "Pindai untuk melihat status antrean",
        "Atau buka alamat ini:",
        "Harap menunggu hingga nomor Anda dipanggil",
    ):
        assert expected in text


def test_english_labels():
    text = words(render_ticket_pdf(make_ticket(language="en", ahead=0, counters=(3,))))
    for expected in (
        "Queue number",
        "People ahead of you: 0",
        "Estimated wait: 5–12 minutes",
        "Served at counter 3",
        "Valid today only",
        "Scan to follow your queue status",
        "Or open this address:",
        "Please wait until your number is called",
    ):
        assert expected in text
    assert "Nomor Antrean" not in text


def test_labels_are_catalog_msgids_printed_in_the_ticket_language():
    text = words(render_ticket_pdf(make_ticket(ahead=7, issued_at_text="01-12-2026 09:00 WITA")))
    assert translate(LABELS["ahead"], "id", ahead=7) in text
    assert translate(LABELS["issued"], "id", when="01-12-2026 09:00 WITA") in text
    assert translate(LABELS["wait"], "id", low=5, high=12) in text
    assert translate(LABELS["counters"], "id", counters="1, 2, 7") in text
    for key in ("number", "scan", "footer", "valid", "link"):
        assert translate(LABELS[key], "id") in text
    for key, msgid in LABELS.items():
        assert translate(msgid, "id") != msgid, f"{key} has no Indonesian translation"


def test_unknown_language_falls_back_to_indonesian():
    text = page_text(render_ticket_pdf(make_ticket(language="fr")))
    assert "Nomor Antrean" in text


def test_the_status_link_is_printed_in_text_for_those_who_cannot_scan():
    text = page_text(render_ticket_pdf(make_ticket()))
    assert URL in "".join(text.split()), "every character of the link, broken across lines only"


def test_a_long_link_breaks_inside_the_margin():
    long_url = "https://antrean.dinas-kependudukan.kabupaten-contoh.go.id/t/" + "WzEsMTc5NTYyNzI2NF0" * 4
    data = render_ticket_pdf(make_ticket(status_url=long_url))
    assert long_url in "".join(page_text(data).split())
    assert_inside_the_margin(data)


def test_outside_instruction_is_bold_and_no_footer_contradicts_it():
    data = render_ticket_pdf(make_ticket(status_note=OUTSIDE))
    text = words(data)
    assert OUTSIDE in text
    assert bold_share(data, OUTSIDE) == 1.0, "thin or slanted strokes fade on thermal paper"
    assert translate(LABELS["footer"], "id") not in text, "'wait until your number is called' contradicts it"
    assert "Tunggu di luar" not in page_text(render_ticket_pdf(make_ticket()))


def test_what_must_be_read_is_bold():
    data = render_ticket_pdf(make_ticket())
    for text in ("A-001", "Orang di depan Anda: 3", "Perkiraan tunggu: 5–12 menit", "Berlaku hari ini saja",
                 "Harap menunggu hingga nomor Anda dipanggil"):
        assert bold_share(data, text) == 1.0, text


def test_no_wait_or_counters_line_when_unknown():
    text = words(render_ticket_pdf(make_ticket(estimate_min=None, counters=())))
    assert "Perkiraan" not in text and "Dilayani" not in text
    assert "Orang di depan Anda: 3" in text


def assert_inside_the_margin(data: bytes) -> None:
    """Every character at least 2 mm inside the 72 mm a thermal head prints of the 80 mm roll."""
    page = open_pdf(data)[0]
    textpage = page.get_textpage()
    margin = (80 - PRINTABLE_MM[80]) / 2 + 2
    boxes = [textpage.get_charbox(index) for index in range(textpage.count_chars())]
    assert boxes
    assert min(left for left, _, _, _ in boxes) >= margin * MM - 0.5
    assert max(right for _, _, right, _ in boxes) <= (80 - margin) * MM + 0.5


def test_long_office_name_wraps_within_the_margin():
    short = render_ticket_pdf(make_ticket(office_name="Kecamatan Kebayoran Baru"))
    long_name = (
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan "
        "Seribu Provinsi Daerah Khusus Ibukota Jakarta"
    )
    wrapped = render_ticket_pdf(make_ticket(office_name=long_name))
    text = page_text(wrapped)
    assert long_name in " ".join(text.split())  # every word survives, just on more than one line
    assert long_name not in text  # so the raw text has line breaks in it
    page = open_pdf(wrapped)[0]
    assert page.get_size()[0] == pytest.approx(80 * MM, abs=0.5)
    assert page.get_size()[1] > open_pdf(short)[0].get_size()[1]
    assert_inside_the_margin(wrapped)
    assert_inside_the_margin(render_ticket_pdf(make_ticket(number="A-1234", status_note=OUTSIDE)))


def test_pdf_title_is_the_ticket_number():
    pdf = open_pdf(render_ticket_pdf(make_ticket(number="B-042")))
    assert pdf.get_metadata_dict()["Title"] == "B-042"


@pytest.mark.parametrize("numbers, shown", [
    ((7,), "7"), ((1, 2), "1, 2"), ((1, 2, 7), "1, 2, 7"), ((1, 2, 3, 4, 7), "1–4, 7"),
    ((9, 3, 2, 1, 3), "1–3, 9"), ((), ""),
])
def test_counter_list(numbers, shown):
    assert counter_list(numbers) == shown


def test_ticket_texts_leave_out_what_is_unknown_or_contradictory():
    texts = ticket_texts(make_ticket(language="en", estimate_min=None, counters=(4,), status_note="Wait outside."))
    assert texts["wait"] is None and texts["footer"] is None
    assert texts["counters"] == "Served at counter 4" and texts["outside"] == "Wait outside."
    plain = ticket_texts(make_ticket(language="en"))
    assert plain["counters"] == "Served at counters 1, 2, 7" and plain["outside"] is None
    assert plain["footer"] == "Please wait until your number is called"
