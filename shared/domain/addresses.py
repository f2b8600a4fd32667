"""The office's public address: where visitors' phones reach the server.

A ticket's QR code and every link a visitor takes home must name an address a phone on the
office network can open. The kiosk's own browser may know the server as `localhost`, which
only the server's computer can open, so the address is set once for the office (or worked out
from where the server listens) instead of being taken from whoever asked.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

EXAMPLE = "http://192.168.1.10:5000"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}\.?$")


def parse_public_url(value, where: str) -> str | None:
    """A validated address (`scheme://host[:port]`), or None when left out or empty.

    Raises ValueError naming `where`: the person fixing it is an office administrator.
    Only the address is taken: a path, a query or a user name would end up in every printed
    QR code, and `0.0.0.0` is where a server listens, not an address a phone can open.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    hint = f"write the address phones open, like {EXAMPLE}"
    if not isinstance(value, str):
        raise ValueError(f"{where}: {hint}")
    text = value.strip()
    if any(character.isspace() for character in text):
        raise ValueError(f"{where}: {text!r} has a space in it; {hint}")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not text.lower().startswith(("http://", "https://")):
        raise ValueError(f"{where}: must start with http:// or https:// ({hint})")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{where}: must not hold a user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment or text.endswith(("?", "#")):
        raise ValueError(f"{where}: only the address, without a path, ? or # after it ({hint})")
    host = parts.hostname or ""
    if not host or not (_is_ip(host) or _HOST_NAME.match(host)):
        raise ValueError(f"{where}: needs a host name or an IP address ({hint})")
    if _is_ip(host) and ipaddress.ip_address(host).is_unspecified:
        raise ValueError(f"{where}: {host} is where a server listens, not an address a phone can open "
                         f"(give this computer's network address, like {EXAMPLE})")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or (port is None and parts.netloc.endswith(":")):
        raise ValueError(f"{where}: the port must be a number from 1 to 65535")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def is_loopback(host: str) -> bool:
    """`localhost`, 127.0.0.0/8 or ::1: an address only the server's own computer can open."""
    name = (host or "").strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    return _is_ip(name) and ipaddress.ip_address(name).is_loopback


def is_unspecified(host: str) -> bool:
    """`0.0.0.0` or `::`: a server listening on every network of its computer."""
    name = (host or "").strip().strip("[]")
    return _is_ip(name) and ipaddress.ip_address(name).is_unspecified


def host_of(url: str) -> str:
    """The host of an address (`http://[::1]:5000` → `::1`), or of a `Host` header (`127.0.0.1:5000`)."""
    return urlsplit(url if "//" in url else f"//{url}").hostname or ""


def address_url(host: str, port: int, scheme: str = "http") -> str:
    """`http://host:port`, with an IPv6 address in brackets."""
    name = host.strip("[]")
    shown = f"[{name}]" if _is_ip(name) and ipaddress.ip_address(name).version == 6 else name
    return f"{scheme}://{shown}:{port}"


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
