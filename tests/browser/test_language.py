"""Indonesian by default, English on request, and the kiosk goes back to Indonesian after use."""
from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from .conftest import KIOSK_SCREEN, PHONE, REPO, Scene, printed_tickets, register_kiosk, shoot

pytestmark = [pytest.mark.browser, pytest.mark.server]

CATALOGS = REPO / "shared" / "translations"


@pytest.fixture(scope="module")
def indonesian() -> dict[str, str]:
    """msgid → msgstr of the compiled Indonesian catalog (skip while there is none yet)."""
    po = CATALOGS / "id" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if not po.is_file():
        pytest.skip("no Indonesian catalog (shared/translations/id) yet")
    if not mo.is_file() or mo.stat().st_mtime < po.stat().st_mtime:
        pytest.fail("the Indonesian catalog is not compiled (or older than messages.po): run "
                    "`make catalogs` (.venv/bin/pybabel compile -d shared/translations)", pytrace=False)
    with po.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def english_leftovers(page: Page, indonesian: dict[str, str]) -> list[str]:
    """English source strings (that have a different Indonesian translation) visible on the page."""
    text = " ".join(page.locator("body").inner_text().split())
    return sorted(msgid for msgid, msgstr in indonesian.items()
                  if msgid != msgstr and "%(" not in msgid and len(msgid) > 3 and msgid in text)


def test_indonesian_by_default_english_on_request(scene: Scene, contexts, pdf_requests, indonesian):
    take_number = indonesian.get("Take a queue number")
    assert take_number, "'Take a queue number' has no Indonesian translation"
    kiosk = register_kiosk(contexts.new(viewport=KIOSK_SCREEN), scene.server)
    expect(kiosk.locator("html")).to_have_attribute("lang", "id")
    expect(kiosk.locator("h1")).to_have_text(take_number)
    expect(kiosk.locator(".choice-grid")).to_contain_text("Perizinan Berusaha")
    assert english_leftovers(kiosk, indonesian) == []
    shoot(kiosk, "lang-kiosk-home-id")

    kiosk.get_by_role("link", name="English").click()
    kiosk.wait_for_url(re.compile(r"\?lang=en$"))
    expect(kiosk.locator("html")).to_have_attribute("lang", "en")
    expect(kiosk.locator("h1")).to_have_text("Take a queue number")
    expect(kiosk.locator(".choice-grid")).to_contain_text("Business licensing")
    shoot(kiosk, "lang-kiosk-home-en")

    # The choice sticks for this visitor's next screens…
    kiosk.get_by_role("link", name=re.compile("Business licensing")).click()
    expect(kiosk.locator("h1")).to_have_text("Business licensing")
    expect(kiosk.locator(".choice--general .choice__label")).to_have_text("General")
    # …and "Finish" on the ticket screen gives the kiosk back in Indonesian to the next one.
    with kiosk.expect_navigation(url=re.compile(r"/kiosk/tickets/")):
        kiosk.locator("button.choice--general").click()
    expect(kiosk.locator(".ticket-card__label")).to_have_text("Your queue number")
    kiosk.wait_for_function("() => (window.__antreanPrinted || []).length > 0")
    printed = printed_tickets(kiosk)[-1]
    assert printed["lang"] == "en" and "Queue number" in printed["text"], "the ticket is not printed in English"
    kiosk.locator(".button-row a.button--primary").click()
    kiosk.wait_for_url(re.compile(r"/kiosk/\?lang=id&access=off$"))
    expect(kiosk.locator("h1")).to_have_text(take_number)


@pytest.mark.parametrize("screen, path, msgid", [
    ("lanes", "/kiosk/services/perizinan_berusaha", "For all visitors"),
    ("display", "/display/", "Now calling"),
    ("counter-login", "/counter/login", "Staff sign-in"),
])
def test_other_screens_speak_indonesian(scene: Scene, contexts, indonesian, screen, path, msgid):
    context = scene.kiosk if screen == "lanes" else contexts.new()
    page = context.new_page()
    try:
        page.goto(f"{scene.server.base_url}{path}")
        assert msgid in indonesian, f"{msgid!r} is not translated"
        expect(page.locator("body")).to_contain_text(indonesian[msgid])
        assert english_leftovers(page, indonesian) == []
    finally:
        page.close()


def test_phone_page_indonesian(scene: Scene, contexts, indonesian):
    phone = contexts.new(**PHONE).new_page()
    phone.goto(scene.waiting["status_url"])
    expect(phone.locator(".status-card__label")).to_have_text(indonesian["Your queue number"])
    assert english_leftovers(phone, indonesian) == []
