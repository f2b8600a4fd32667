"""QR codes as plain module grids, so the PDF ticket and the web page draw the same code."""
from __future__ import annotations

import html

import qrcode
from qrcode.constants import ERROR_CORRECT_M

QUIET_ZONE = 4  # modules of white margin that scanners need around the code


def qr_matrix(data: str) -> list[list[bool]]:
    """Module grid without a quiet zone, so each renderer can add its own margin."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def _dark_runs(row: list[bool]):
    """Merging neighbouring dark modules keeps the path short and free of hairline seams."""
    start = None
    for x, dark in enumerate(row + [False]):
        if dark and start is None:
            start = x
        elif not dark and start is not None:
            yield start, x - start
            start = None


def qr_svg(data: str, size_px: int = 240, title: str = "QR code") -> str:
    """Inline SVG lets the status page show the code crisply without an image request."""
    matrix = qr_matrix(data)
    side = len(matrix) + 2 * QUIET_ZONE
    parts = []
    for y, row in enumerate(matrix):
        for x, width in _dark_runs(row):
            parts.append(f"M{x + QUIET_ZONE} {y + QUIET_ZONE}h{width}v1h-{width}z")
    safe_title = html.escape(title, quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_px}" height="{size_px}" '
        f'viewBox="0 0 {side} {side}" role="img" aria-label="{safe_title}" '
        f'shape-rendering="crispEdges">'
        f"<title>{safe_title}</title>"
        f'<rect width="{side}" height="{side}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/>'
        f"</svg>"
    )
