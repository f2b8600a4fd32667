"""Links visitors take home on paper or open on their phones: ticket QR codes, booking links.

They are built on the office's public address, not on the address the asking browser used:
a kiosk opened at `localhost` would otherwise print codes no phone can open. The address is
`[office] public_url`, else the one `antrean serve` worked out from where it listens, else (as
a last resort) the request's own host.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request, url_for

from ..domain.addresses import host_of, is_loopback
from . import context

# The app setting `antrean serve` passes the address it worked out in (not set: none known).
SERVED_AT = "ANTREAN_PUBLIC_URL"


def public_base() -> str | None:
    """The address phones reach this server at, or None when nobody knows one."""
    return context.office().config.public_url or current_app.config.get(SERVED_AT) or None


def visitor_url(endpoint: str, **values) -> str:
    """An absolute URL for a visitor's phone (what QR codes and printed links hold)."""
    base = public_base()
    if base is None:
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, url_scheme=parts.scheme)
    return adapter.build(endpoint, values, force_external=True)


def links_stay_on_this_computer() -> bool:
    """This request came to a loopback address and no public address is known: the links and
    QR codes built for it name `localhost`, which no phone can open."""
    return public_base() is None and is_loopback(host_of(request.host))
