"""The one-time link a kiosk is registered with, and its QR code."""
from __future__ import annotations

from shared.qr import qr_svg
from shared.web.public import visitor_url


def kiosk_link(token: str) -> str:
    """`…/kiosk/app#register=TOKEN`: the kiosk shell registers itself from the fragment, which
    the browser never sends, so the token reaches no server log."""
    return f"{visitor_url('kiosk.shell')}#register={token}"


def kiosk_link_qr(url: str, title: str) -> str:
    """The link as a QR code: a tablet kiosk scans it with its camera instead of typing the link."""
    return qr_svg(url, size_px=220, title=title)
