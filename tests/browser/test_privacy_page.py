"""The privacy notice on a phone (390×844): reached from the ticket's status page and the
booking pages, in Indonesian by default and in English, with the office's retention period
and contact, no sideways scrolling, no script or CSP error, and no axe violation."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, Scene, assert_no_page_problems, shoot
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_the_privacy_notice_from_a_phone(scene: Scene, contexts, page_problems):
    phone = contexts.new(**PHONE)   # the pages' CSP stays on: no inline script may be needed
    page = phone.new_page()
    page.goto(scene.waiting["status_url"])
    link = page.get_by_role("link", name="Privasi: data apa yang disimpan kantor ini tentang Anda")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pemberitahuan privasi")
    assert page.url.endswith("/privasi")
    expect(page.locator("#privacy-retention")).to_contain_text("Kontak dihapus 30 hari setelah tanggal kunjungan")
    expect(page.locator("#privacy-contact")).to_contain_text("ppid@contoh.go.id")   # [privacy] contact
    expect(page.locator(".privacy-link")).to_have_count(0)   # no link to itself
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shoot(page, "privacy-390x844", full_page=False)

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    expect(page.locator("#privacy-retention")).to_contain_text("A contact is deleted 30 days after the date of its booking")

    page.goto(f"{scene.server.base_url}/booking")
    page.get_by_role("link", name="Privacy: what this office keeps about you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice")
    assert_no_page_problems(page_problems)


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_privacy_notice_has_no_accessibility_violations(scene: Scene, contexts, language):
    phone = contexts.new(**PHONE, bypass_csp=True)   # axe is injected as a script tag
    page = phone.new_page()
    page.goto(f"{scene.server.base_url}/privasi?lang={language}")
    _passes, violations = axe_violations(page)
    assert violations == [], report(f"privacy ({language})", violations)
