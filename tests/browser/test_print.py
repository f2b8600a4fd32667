"""The kiosk prints its own ticket page: print media shows only the printed ticket.

Measured the way it prints: the page in print media (bounding boxes and font sizes), then
Chromium's own print to PDF at the page size print.js sets, rendered at a thermal head's
203 dpi (ink inside the margin, the QR code scans, the number's height). The print path itself:
print() once when the page is ready, again on "Print again", and never a new ticket, also when
printing fails. PNGs of each layout go to tests/artifacts/ticket-print-*.png.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import requests
import zxingcpp
from playwright.sync_api import Page, expect

from tests.helpers.live import demo_instance, launch
from tests.test_public_url import LAN, with_public_url

from .conftest import (
    ARTIFACTS, KIOSK_SCREEN, Contexts, api_staff_headers, api_ticket, assert_no_page_problems, fail_printing,
    printed_tickets, printed_urls, register_kiosk,
)

pytestmark = [pytest.mark.browser, pytest.mark.server]

PX_PER_MM = 96 / 25.4          # CSS pixels
DOTS_PER_MM = 203 / 25.4       # a common thermal head
PRINTABLE = {80: 72, 58: 48}   # what the head prints of each roll
INSIDE_MM = 2                  # kept clear inside the printable width
PT = 96 / 72                   # CSS px per point


class Printing:
    """One office for the module: a registered kiosk, A-001 waiting and A-002 waiting outside."""

    def __init__(self, server, contexts: Contexts):
        self.server = server
        self.contexts = contexts
        self.kiosk = contexts.new(viewport=KIOSK_SCREEN)
        register_kiosk(self.kiosk, server).close()
        self.inside = api_ticket(server)
        response = requests.put(f"{server.base_url}/api/capacity", json={"max_inside": 1},
                                headers=api_staff_headers(server, "supervisor"), timeout=10)
        assert response.status_code == 200, response.text
        self.outside = api_ticket(server)
        assert self.outside["status"] == "outside"

    def open(self, issued: dict, context=None) -> Page:
        """The kiosk's ticket page, once print.js has laid the ticket out and printed it."""
        page = (context or self.kiosk).new_page()
        page.goto(f"{self.server.base_url}/kiosk/tickets/{issued['token']}")
        page.wait_for_function("() => (window.__antreanPrinted || []).length > 0")
        return page

    def waiting(self) -> int:
        """Tickets in line, inside and outside: a re-issued ticket would add one."""
        queue = requests.get(f"{self.server.base_url}/api/queue", timeout=10).json()
        inside = sum(sum(lanes.values()) for lanes in queue["waiting"].values())
        return inside + queue["occupancy"].get("outside", 0)


@pytest.fixture(scope="module")
def printing(browser, tmp_path_factory) -> Printing:
    # Served on loopback like every test server, but with the office's address set: what the
    # ticket prints is what a phone on the office network opens.
    server = launch(with_public_url(demo_instance(tmp_path_factory.mktemp("print") / "instance"), LAN))
    contexts = Contexts(browser)
    try:
        yield Printing(server, contexts)
    finally:
        contexts.close()
        server.stop()


# -- the print path ---------------------------------------------------------------------------

def test_the_ticket_page_prints_itself_once_and_again_never_a_new_ticket(printing):
    before = printing.waiting()
    page = printing.open(printing.inside)
    page.wait_for_timeout(300)   # a second automatic print would have come by now
    assert [t["number"] for t in printed_tickets(page)] == ["A-001"]
    assert [urlsplit(url).path for url in printed_urls(page)] == [urlsplit(page.url).path]
    again = page.locator("#print-again")
    expect(again).to_be_visible()
    again.click()
    again.click()
    assert [t["number"] for t in printed_tickets(page)] == ["A-001"] * 3
    assert urlsplit(page.url).path.endswith(printing.inside["token"]), "Print again left the ticket page"
    assert printing.waiting() == before, "printing issued a ticket"
    page.close()


def test_a_failed_print_leaves_the_ticket_on_screen_with_print_again(printing):
    broken = printing.contexts.new(viewport=KIOSK_SCREEN)
    broken.add_cookies(printing.kiosk.cookies())
    broken.add_init_script("window.__antreanPrintFails = true")   # no printer from the start
    before = printing.waiting()
    page = printing.open(printing.inside, broken)
    expect(page.locator("#ticket-number")).to_have_text("A-001")
    expect(page.locator("#print-again")).to_be_visible()
    page.locator("#print-again").click()
    assert len(printed_urls(page)) == 2, "Print again tries again"
    page.evaluate("window.__antreanPrintFails = false")   # the printer is back
    page.locator("#print-again").click()
    assert [t["number"] for t in printed_tickets(page)] == ["A-001"] * 3
    expect(page.locator("#ticket-number")).to_have_text("A-001")
    fail_printing(page)   # and gone again
    page.locator("#print-again").click()
    expect(page.locator(".ticket-card")).to_be_visible()
    assert len(printed_urls(page)) == 4
    assert printing.waiting() == before, "a failed print issued another ticket"
    page.close()


# -- the printed ticket, measured -------------------------------------------------------------

def switch(page: Page, *, paper: int | None = None, large: bool = False) -> None:
    """Another paper or large print on the same ticket, laid out again as before a print.
    (Which paper and size a page gets from the office and accessibility mode is in
    tests/test_ticket_print_page.py.)"""
    page.evaluate("""([paper, large]) => {
        const ticket = document.getElementById("printed-ticket");
        if (paper) {
            ticket.classList.remove("printed-ticket--80", "printed-ticket--58");
            ticket.classList.add("printed-ticket--" + paper);
            ticket.dataset.paperMm = String(paper);
        }
        ticket.classList.toggle("printed-ticket--large", large);
        window.dispatchEvent(new Event("beforeprint"));
    }""", [paper, large])


def measure(page: Page) -> dict:
    """In print media: the ticket's box, every line of text's box and font, the number's."""
    page.emulate_media(media="print")
    return page.evaluate("""() => {
        const ticket = document.getElementById("printed-ticket");
        const box = (r) => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
        const lines = [];
        const walker = document.createTreeWalker(ticket, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (!node.textContent.trim()) continue;
            const range = document.createRange();
            range.selectNodeContents(node);
            const style = getComputedStyle(node.parentElement);
            for (const rect of range.getClientRects()) {
                lines.push({text: node.textContent.trim(), ...box(rect), size: parseFloat(style.fontSize),
                            weight: parseInt(style.fontWeight, 10), italic: style.fontStyle !== "normal",
                            color: style.color});
            }
        }
        const number = ticket.querySelector(".printed-ticket__number");
        const visible = [...document.body.querySelectorAll("*")].filter(
            (el) => el.getClientRects().length && !ticket.contains(el) && !el.contains(ticket));
        return {ticket: box(ticket.getBoundingClientRect()), lines, visible: visible.map((el) => el.tagName),
                number: {...box(number.getBoundingClientRect()), size: parseFloat(getComputedStyle(number).fontSize),
                         overflows: number.scrollWidth > number.clientWidth},
                link: ticket.querySelector(".printed-ticket__link").textContent.trim(),
                paper: parseInt(ticket.dataset.paperMm, 10)};
    }""")


def print_to_png(page: Page, name: str):
    """Chromium's print of the page (at the size print.js set), as a 203 dpi grey image."""
    pdf = pdfium.PdfDocument(page.pdf(prefer_css_page_size=True))
    pages, (width, height) = len(pdf), pdf[0].get_size()
    image = pdf[0].render(scale=203 / 72, grayscale=True).to_pil().convert("L")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    image.save(ARTIFACTS / f"{name}.png", optimize=True)
    return pages, width / 72 * 25.4, height / 72 * 25.4, image


def ink_columns(image, top_mm: float = 0, bottom_mm: float | None = None) -> tuple[float, float]:
    """Leftmost and rightmost ink, in mm, between two heights."""
    top = int(top_mm * DOTS_PER_MM)
    bottom = image.height if bottom_mm is None else int(bottom_mm * DOTS_PER_MM)
    box = image.crop((0, top, image.width, bottom)).point(lambda value: 255 if value < 128 else 0).getbbox()
    assert box, "no ink"
    return box[0] / DOTS_PER_MM, box[2] / DOTS_PER_MM


def ink_height(image, top_mm: float, bottom_mm: float) -> float:
    """How tall the ink is between two heights, in mm (the number's glyphs, not its line box)."""
    crop = image.crop((0, int(top_mm * DOTS_PER_MM), image.width, int(bottom_mm * DOTS_PER_MM)))
    box = crop.point(lambda value: 255 if value < 128 else 0).getbbox()
    return (box[3] - box[1]) / DOTS_PER_MM


def check_layout(measured: dict, pages: int, width_mm: float, height_mm: float, image, *, min_pt: float) -> None:
    paper = measured["paper"]
    margin = (paper - PRINTABLE[paper]) / 2 + INSIDE_MM
    ticket = measured["ticket"]
    assert measured["visible"] == [], f"more than the ticket is printed: {measured['visible']}"
    assert (ticket["left"], ticket["top"]) == (0, 0)
    assert ticket["right"] / PX_PER_MM == pytest.approx(paper, abs=0.1)
    for line in measured["lines"]:
        assert margin - 0.1 <= line["left"] / PX_PER_MM and line["right"] / PX_PER_MM <= paper - margin + 0.1, line
        assert line["size"] >= min_pt * PT - 0.01, f"too small for thermal paper: {line}"
        assert not line["italic"] and line["color"] == "rgb(0, 0, 0)", line
    assert pages == 1 and width_mm == pytest.approx(paper, abs=0.2)
    assert 0 <= height_mm - ticket["bottom"] / PX_PER_MM <= 2.2, "the page is as long as the ticket, no longer"
    left, right = ink_columns(image)
    assert margin - 0.3 <= left and right <= paper - margin + 0.3, (left, right)
    assert [result.text for result in zxingcpp.read_barcodes(image)] == [measured["link"]], \
        "the QR code and the printed link are the same address"


def text_of(measured: dict) -> str:
    return " ".join(dict.fromkeys(line["text"] for line in measured["lines"]))


def test_the_80_mm_ticket(printing):
    page = printing.open(printing.inside)
    measured = measure(page)
    pages, width, height, image = print_to_png(page, "ticket-print-80mm")
    check_layout(measured, pages, width, height, image, min_pt=9)
    assert measured["link"] == printing.inside["status_url"] and measured["link"].startswith(f"{LAN}/t/")
    assert measured["number"]["size"] >= 40 * PT
    number_mm = ink_height(image, measured["number"]["top"] / PX_PER_MM, measured["number"]["bottom"] / PX_PER_MM)
    assert number_mm >= 10, f"the number is {number_mm:.1f} mm tall"
    text = text_of(measured)
    for expected in ("Nomor Antrean", "A-001", "Dilayani di loket 1, 2", "Berlaku hari ini saja",
                     "Harap menunggu hingga nomor Anda dipanggil"):
        assert expected in text
    assert re.search(r"Perkiraan tunggu: \d+–\d+ menit", text)
    bold = {line["text"] for line in measured["lines"] if line["weight"] >= 700}
    assert {"A-001", "Berlaku hari ini saja", "Harap menunggu hingga nomor Anda dipanggil"} <= bold
    page.close()


def test_the_58_mm_ticket_to_wait_outside(printing):
    page = printing.open(printing.outside)
    switch(page, paper=58)
    measured = measure(page)
    pages, width, height, image = print_to_png(page, "ticket-print-58mm")
    check_layout(measured, pages, width, height, image, min_pt=9)
    assert not measured["number"]["overflows"]
    outside = [line for line in measured["lines"] if line["text"].startswith("Kantor penuh")]
    assert outside and all(line["weight"] >= 700 and not line["italic"] for line in outside), \
        "the instruction to wait outside is bold: thin italic fades on thermal paper"
    assert "Harap menunggu hingga nomor Anda dipanggil" not in text_of(measured), "no footer contradicts it"
    page.close()


@pytest.mark.parametrize("paper, number_mm", [(80, 20), (58, 13)])
def test_the_large_print_ticket(printing, paper, number_mm):
    page = printing.open(printing.inside)
    switch(page, paper=paper, large=True)
    measured = measure(page)
    pages, width, height, image = print_to_png(page, f"ticket-print-large-{paper}mm")
    check_layout(measured, pages, width, height, image, min_pt=12)
    assert not measured["number"]["overflows"]
    glyphs = ink_height(image, measured["number"]["top"] / PX_PER_MM, measured["number"]["bottom"] / PX_PER_MM)
    assert glyphs >= number_mm, f"the number is {glyphs:.1f} mm tall on {paper} mm paper"
    page.close()


def test_a_long_number_shrinks_to_the_paper(printing):
    page = printing.open(printing.inside)
    page.evaluate("document.querySelector('.printed-ticket__number').textContent = 'A-10000'")
    switch(page, paper=58, large=True)
    measured = measure(page)
    assert not measured["number"]["overflows"]
    pages, width, height, image = print_to_png(page, "ticket-print-long-number")
    check_layout(measured, pages, width, height, image, min_pt=12)
    page.close()


def test_accessibility_mode_prints_the_large_ticket(printing):
    """The kiosk's accessibility mode (white on black on screen) prints large, black on white."""
    page = printing.kiosk.new_page()
    page.goto(f"{printing.server.base_url}/kiosk/tickets/{printing.inside['token']}?access=on")
    page.wait_for_function("() => (window.__antreanPrinted || []).length > 0")
    try:
        expect(page.locator("#printed-ticket")).to_have_class(re.compile(r"\bprinted-ticket--large\b"))
        measured = measure(page)
        pages, width, height, image = print_to_png(page, "ticket-print-large")
        check_layout(measured, pages, width, height, image, min_pt=12)
        glyphs = ink_height(image, measured["number"]["top"] / PX_PER_MM, measured["number"]["bottom"] / PX_PER_MM)
        assert glyphs >= 20, f"the number is {glyphs:.1f} mm tall"
    finally:
        page.goto(f"{printing.server.base_url}/kiosk/?access=off")   # the next visitor's kiosk
        page.close()


def test_printing_fetched_no_pdf_and_raised_no_script_error(printing):
    """Last in the module: over every page above."""
    assert printing.contexts.pdf_requests == [], "printing fetched the PDF"
    assert_no_page_problems(printing.contexts.problems, ignore=r"status of 404")
