"""The kiosk and the officer's console as their browsers use a live server: forms, not the API.

Signing in and registering are done before a fault is provoked (a sign-in is itself a write
to the audit trail); the form posts afterwards show what the person at the screen reads.
"""
from __future__ import annotations

import re

import requests

from .live import WAIT


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def kiosk_browser(base_url: str, kiosk_token: str) -> requests.Session:
    """A session registered as a kiosk (the kiosk's cookie), as `/kiosk/register` leaves it."""
    session = requests.Session()
    page = session.get(f"{base_url}/kiosk/register", timeout=WAIT).text
    answer = session.post(f"{base_url}/kiosk/register", data={"token": kiosk_token, "csrf_token": csrf_of(page)},
                          timeout=WAIT, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return session


def console_browser(base_url: str, username: str, password: str) -> requests.Session:
    """A session signed in at `/counter/login`, as the console's browser is."""
    session = requests.Session()
    page = session.get(f"{base_url}/counter/login", timeout=WAIT).text
    answer = session.post(f"{base_url}/counter/login", timeout=WAIT, allow_redirects=False,
                          data={"username": username, "password": password, "csrf_token": csrf_of(page)})
    assert answer.status_code == 302, answer.text[:300]
    return session


def kiosk_form(session: requests.Session, base_url: str, service: str) -> dict:
    """The lane form's fields for `service` (its CSRF token and one-press `request_key`)."""
    page = session.get(f"{base_url}/kiosk/services/{service}", timeout=WAIT).text
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    return {"service": service, "lane": "general", "request_key": key, "csrf_token": csrf_of(page)}


def press_kiosk(session: requests.Session, base_url: str, form: dict) -> requests.Response:
    """Send the kiosk's ticket form; the page the kiosk shows next (redirects followed)."""
    return session.post(f"{base_url}/kiosk/tickets", data=form, timeout=3 * WAIT)


def console_form(session: requests.Session, base_url: str, counter: int) -> dict:
    page = session.get(f"{base_url}/counter/{counter}", timeout=WAIT).text
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    return {"request_key": key, "csrf_token": csrf_of(page)}


def press_console(session: requests.Session, base_url: str, counter: int, form: dict,
                  action: str = "call-next") -> requests.Response:
    """Press a console button; the console page the officer sees next (redirects followed)."""
    return session.post(f"{base_url}/counter/{counter}/{action}", data=form, timeout=3 * WAIT)


def visible_text(html: str) -> str:
    """The page's text without tags, scripts and styles, whitespace folded (what a person reads)."""
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
