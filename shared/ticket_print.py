"""The queue ticket's printed contents, and the ticket as a one-page 80 mm PDF to download.

The kiosk prints an HTML ticket (kiosk/templates/kiosk/_printed_ticket.html), the visitor may
download this PDF: both take their texts from `ticket_texts`, so they always say the same.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Callable

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from shared.i18n import N_, translator
from shared.qr import QUIET_ZONE, qr_matrix

PAGE_WIDTH = 80 * mm
# Thermal heads print the middle 72 mm of an 80 mm roll (48 of 58 mm), and not always exactly
# centred: text keeps 2 mm more on each side, so a slightly offset head cuts nothing off.
PRINTABLE_MM = {80: 72, 58: 48}
INNER_MARGIN_MM = 2
SIDE_MARGIN = ((80 - PRINTABLE_MM[80]) / 2 + INNER_MARGIN_MM) * mm
TOP_MARGIN = 5 * mm
BOTTOM_MARGIN = 8 * mm  # room for the cutter, which sits a few mm below the last line
CONTENT_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN
QR_TARGET = 40 * mm
QR_MAX = 44 * mm
PRINTER_DOT = 25.4 / 203 * mm  # one dot of a common 203 dpi thermal head

REGULAR = "Helvetica"
BOLD = "Helvetica-Bold"
MONO = "Courier-Bold"  # Courier's regular strokes are too thin for thermal paper

# The ticket's own labels, as msgids translated into the ticket's language through the catalogs.
LABELS = {
    "number": N_("Queue number"),
    "ahead": N_("People ahead of you: %(ahead)s"),
    "wait": N_("Estimated wait: %(low)s–%(high)s minutes"),
    "counter": N_("Served at counter %(counters)s"),
    "counters": N_("Served at counters %(counters)s"),
    "issued": N_("Issued: %(when)s"),
    "valid": N_("Valid today only"),
    "scan": N_("Scan to follow your queue status"),
    "link": N_("Or open this address:"),
    "footer": N_("Please wait until your number is called"),
}


@dataclass(frozen=True)
class TicketPrint:
    """Everything the printed ticket shows, already resolved so rendering needs no database."""

    office_name: str
    number: str
    service_name: str
    lane_name: str
    issued_at_text: str
    ahead: int
    status_url: str
    language: str = "id"
    status_note: str | None = None   # the instruction to wait outside, printed bold (never italic)
    estimate_min: tuple[int, int] | None = None   # None once called, or with no open counter for it
    counters: tuple[int, ...] = ()   # the counters that may call this ticket


def counter_list(numbers: tuple[int, ...] | list[int]) -> str:
    """`1–4, 7`: runs of three or more counters are shortened, so a big office still fits a line."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{run[0]}–{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs)


def ticket_texts(ticket: TicketPrint) -> dict[str, str | None]:
    """Every label of the printed ticket in its language; None where a line is left out.

    The wait and the counters help a visitor decide whether to step out for a while. A ticket
    to wait outside has no "wait until your number is called" footer: it would contradict the
    instruction to wait outside until invited in.
    """
    label = translator(ticket.language)
    counters = len(set(ticket.counters))
    return {
        "number": label(LABELS["number"]),
        "ahead": label(LABELS["ahead"], ahead=ticket.ahead),
        "wait": label(LABELS["wait"], low=ticket.estimate_min[0], high=ticket.estimate_min[1])
        if ticket.estimate_min else None,
        "counters": label(LABELS["counter" if counters == 1 else "counters"], counters=counter_list(ticket.counters))
        if counters else None,
        "issued": label(LABELS["issued"], when=ticket.issued_at_text),
        "valid": label(LABELS["valid"]),
        "scan": label(LABELS["scan"]),
        "link": label(LABELS["link"]),
        "outside": ticket.status_note,
        "footer": None if ticket.status_note else label(LABELS["footer"]),
    }


# A block knows its height up front so the page can be sized before anything is drawn.
Block = tuple[float, Callable[[Canvas, float], None]]


def _text(text: str, font: str, size: float, leading: float = 1.25) -> Block:
    """Centred, wrapped lines keep long office or service names inside the printable width."""
    return _lines(simpleSplit(text, font, size, CONTENT_WIDTH) or [""], font, size, leading)


def _link(url: str, size: float = 9) -> Block:
    """A link has no spaces to wrap at, so it breaks between any two characters; a fixed-width
    font keeps look-alike characters apart for someone typing it."""
    lines = [""]
    for character in url:
        if lines[-1] and stringWidth(lines[-1] + character, MONO, size) > CONTENT_WIDTH:
            lines.append("")
        lines[-1] += character
    return _lines(lines, MONO, size, 1.2)


def _lines(lines: list[str], font: str, size: float, leading: float) -> Block:
    line_height = size * leading

    def draw(canvas: Canvas, top: float) -> None:
        canvas.setFont(font, size)
        for i, line in enumerate(lines):
            baseline = top - i * line_height - size * 0.95
            canvas.drawCentredString(PAGE_WIDTH / 2, baseline, line)

    return len(lines) * line_height, draw


def _number(text: str, font: str = BOLD, size: float = 34) -> Block:
    """The number is what people read from afar, so it shrinks rather than wraps when too long."""
    width = stringWidth(text, font, size)
    if width > CONTENT_WIDTH:
        size = size * CONTENT_WIDTH / width
    return _text(text, font, size, leading=1.1)


def _gap(height: float) -> Block:
    """Spacing as a block keeps the layout a single flat list."""
    return height, lambda canvas, top: None


def _rule(pad: float = 2 * mm, dashed: bool = False) -> Block:
    """Rules separate the header and footer like on a paper receipt."""

    def draw(canvas: Canvas, top: float) -> None:
        canvas.saveState()
        canvas.setLineWidth(0.6)
        if dashed:
            segment = CONTENT_WIDTH / 101  # 51 dashes and 50 gaps, so both ends are whole dashes
            canvas.setDash(segment, segment)
        y = top - pad
        canvas.line(SIDE_MARGIN, y, PAGE_WIDTH - SIDE_MARGIN, y)
        canvas.restoreState()

    return 2 * pad, draw


def _qr(data: str) -> Block:
    """Vector modules sized to whole printer dots stay sharp and evenly sized on thermal paper."""
    matrix = qr_matrix(data)
    side = len(matrix) + 2 * QUIET_ZONE
    dots = max(1, round(QR_TARGET / side / PRINTER_DOT))
    while dots > 1 and side * dots * PRINTER_DOT > QR_MAX:
        dots -= 1
    module = dots * PRINTER_DOT
    total = side * module

    def draw(canvas: Canvas, top: float) -> None:
        left = (PAGE_WIDTH - total) / 2 + QUIET_ZONE * module
        upper = top - QUIET_ZONE * module
        path = canvas.beginPath()
        for row_index, row in enumerate(matrix):
            y = upper - (row_index + 1) * module
            start = None
            for x, dark in enumerate(row + [False]):
                if dark and start is None:
                    start = x
                elif not dark and start is not None:
                    path.rect(left + start * module, y, (x - start) * module, module)
                    start = None
        canvas.drawPath(path, stroke=0, fill=1)

    return total, draw


def _layout(ticket: TicketPrint) -> list[Block]:
    """One ordered list of blocks is the single source of truth for both height and drawing.

    The same lines in the same order as the printed HTML ticket; bold where thermal paper
    would fade a thin or slanted stroke.
    """
    texts = ticket_texts(ticket)
    blocks = [
        _text(ticket.office_name, BOLD, 12),
        _rule(),
        _gap(1 * mm),
        _text(texts["number"], REGULAR, 10),
        _number(ticket.number),
    ]
    if texts["outside"]:
        blocks += [_rule(pad=1.5 * mm), _text(texts["outside"], BOLD, 11), _rule(pad=1.5 * mm)]
    blocks += [
        _gap(1.5 * mm),
        _text(ticket.service_name, BOLD, 12),
        _text(ticket.lane_name, REGULAR, 10),
        _gap(1.5 * mm),
        _text(texts["ahead"], BOLD, 11),
    ]
    if texts["wait"]:
        blocks.append(_text(texts["wait"], BOLD, 11))
    if texts["counters"]:
        blocks.append(_text(texts["counters"], REGULAR, 10))
    blocks += [
        _gap(1.5 * mm),
        _qr(ticket.status_url),
        _text(texts["scan"], REGULAR, 9),
        _gap(1 * mm),
        _text(texts["link"], REGULAR, 9),
        _link(ticket.status_url),
        _rule(dashed=True),
        _text(texts["issued"], REGULAR, 9),
        _text(texts["valid"], BOLD, 10),
    ]
    if texts["footer"]:
        blocks += [_gap(1 * mm), _text(texts["footer"], BOLD, 10)]
    return blocks


def render_ticket_pdf(ticket: TicketPrint) -> bytes:
    """A PDF lets the kiosk print through any driver while the page stays exactly roll-wide."""
    return _render(_layout(ticket), ticket.number, ticket.service_name, ticket.office_name)


# An appointment's slip: printed at home or shown on the phone at the kiosk.
BOOKING_LABELS = {
    "code": N_("Booking code"),
    "when": N_("%(date)s at %(start)s-%(end)s"),
    "scan": N_("Scan this at the kiosk, or type the code, when you arrive"),
    "footer": N_("Please come on time; check in up to %(minutes)s minutes before"),
}


@dataclass(frozen=True)
class BookingPrint:
    """What an appointment slip shows, in the visitor's language."""

    office_name: str
    code: str
    service_name: str
    lane_name: str
    date_text: str
    start: str
    end: str
    manage_url: str
    checkin_minutes: int
    language: str = "id"


def render_booking_pdf(booking: BookingPrint) -> bytes:
    """The booking slip: the code large enough to read aloud, and the QR the kiosk scans."""
    label = translator(booking.language)
    blocks = [
        _text(booking.office_name, BOLD, 12),
        _rule(),
        _gap(1 * mm),
        _text(label(BOOKING_LABELS["code"]), REGULAR, 10),
        _number(booking.code, size=30),
        _gap(1.5 * mm),
        _text(booking.service_name, BOLD, 12),
        _text(booking.lane_name, REGULAR, 10),
        _gap(1.5 * mm),
        _text(label(BOOKING_LABELS["when"], date=booking.date_text, start=booking.start, end=booking.end), BOLD, 11),
        _gap(1 * mm),
        _qr(booking.manage_url),
        _text(label(BOOKING_LABELS["scan"]), REGULAR, 8.5),
        _rule(dashed=True),
        _text(label(BOOKING_LABELS["footer"], minutes=booking.checkin_minutes), BOLD, 9),
    ]
    return _render(blocks, booking.code, booking.service_name, booking.office_name)


def _render(blocks: list[Block], title: str, subject: str, author: str) -> bytes:
    height = TOP_MARGIN + sum(h for h, _ in blocks) + BOTTOM_MARGIN
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, height), invariant=True)
    canvas.setTitle(title)
    canvas.setSubject(subject)
    canvas.setAuthor(author)
    canvas.setCreator("Antrean")
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setStrokeColorRGB(0, 0, 0)
    top = height - TOP_MARGIN
    for block_height, draw in blocks:
        draw(canvas, top)
        top -= block_height
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
