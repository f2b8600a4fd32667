"""The satisfaction survey in the browser: the phone at 390×844 (single question and the full
SKM), and the counter's tablet at 1280×800 racing the phone for the same visit."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.helpers.live import demo_instance, launch

from .conftest import (
    PHONE, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, open_status_page, shoot, sign_in,
)
from .test_accessibility import axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

TABLET = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = launch(demo_instance(tmp_path_factory.mktemp("survey") / "instance"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def skm_office(tmp_path_factory):
    instance = demo_instance(tmp_path_factory.mktemp("survey-skm") / "instance")
    toml = instance / "office.toml"
    toml.write_text(toml.read_text().replace('[survey]\nmode = "single"', '[survey]\nmode = "skm"'))
    server = launch(instance)
    yield server
    server.stop()


def no_violations(page: Page, name: str) -> None:
    passes, violations = axe_violations(page)
    assert passes > 10, "axe did not really run"
    assert not violations, report(name, violations)


def served(server, officer: dict, counter: int = 1, *, finish: bool = True) -> dict:
    """A ticket called to `counter` and, unless told otherwise, finished."""
    ticket = api_ticket(server)
    assert api_counter(server, officer, counter)["number"] == ticket["number"]
    if finish:
        api_counter(server, officer, counter, "done")
    return ticket


def fits_the_phone(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_phone_rates_a_finished_visit_once(office, contexts, page_problems):
    officer = api_staff_headers(office)
    ticket = served(office, officer, finish=False)
    phone, navigations, _texts = open_status_page(contexts.new(**PHONE), ticket["status_url"])
    survey = phone.locator("#survey")
    expect(survey).to_be_hidden()
    # The officer finishes the visit: the page asks, live, without a reload.
    api_counter(office, officer, 1, "done")
    expect(survey).to_be_visible()
    expect(phone.locator("#survey-title")).to_have_text("Bagaimana pelayanan kami?")
    for word in ("Sangat baik", "Baik", "Kurang baik", "Tidak baik"):
        expect(phone.get_by_role("radio", name=word, exact=True)).to_have_count(1)
    expect(phone.get_by_role("link", name="Sampaikan lewat SP4N-LAPOR!")).to_have_attribute(
        "href", "https://www.lapor.go.id")
    assert len(navigations) == 1, "the page reloaded"
    assert fits_the_phone(phone)
    # Each answer is a large target (a finger, not a mouse).
    box = phone.locator(".face").first.bounding_box()
    assert box["height"] >= 100 and box["width"] >= 120

    # The same page as a screen reader and axe see it (the CSP blocks an injected axe elsewhere).
    checker = contexts.new(**PHONE, bypass_csp=True).new_page()
    checker.goto(ticket["status_url"])
    checker.locator("#survey").scroll_into_view_if_needed()
    no_violations(checker, "phone survey")

    phone.get_by_role("radio", name="Sangat baik", exact=True).check()
    phone.fill("#survey-comment", "<b>Cepat</b> dan ramah")
    phone.evaluate("document.getElementById('survey').scrollIntoView({block: 'start'})")
    shoot(phone, "phone-390x844-survey", full_page=False)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim penilaian").click()
    expect(phone.locator("#survey-thanks")).to_be_visible()
    expect(phone.locator("#survey-thanks")).to_contain_text("Terima kasih!")
    expect(phone.locator("#survey-form")).to_have_count(0)
    phone.reload()
    expect(phone.locator("#survey-form")).to_have_count(0)
    expect(phone.locator("#survey-thanks")).to_be_visible()
    shoot(phone, "phone-390x844-survey-thanks", full_page=False)
    checker.reload()
    no_violations(checker, "phone survey, thanks")
    assert_no_page_problems(page_problems)


def test_phone_answers_the_full_skm_questionnaire(skm_office, contexts, page_problems):
    officer = api_staff_headers(skm_office)
    ticket = served(skm_office, officer)
    phone = contexts.new(**PHONE, bypass_csp=True).new_page()
    phone.goto(ticket["status_url"])
    elements = phone.locator(".survey__element")
    expect(elements).to_have_count(9)
    expect(elements.first.locator("legend")).to_have_text("1. Apakah persyaratan layanan ini jelas dan sesuai?")
    assert fits_the_phone(phone)
    # Every answer of every question stays inside the survey's card.
    assert phone.evaluate("""() => {
      const edge = document.getElementById("survey").getBoundingClientRect().right;
      return [...document.querySelectorAll(".scale__choice")].every(c => c.getBoundingClientRect().right <= edge);
    }""")
    no_violations(phone, "phone SKM survey")
    phone.get_by_role("radio", name="Baik", exact=True).first.check()
    for index in range(9):
        elements.nth(index).get_by_role("radio", name="Sangat baik" if index % 3 else "Baik", exact=True).check()
    phone.evaluate("document.querySelector('.survey__intro').scrollIntoView({block: 'start'})")
    shoot(phone, "phone-390x844-survey-skm", full_page=False)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim penilaian").click()
    expect(phone.locator("#survey-thanks")).to_be_visible()
    expect(phone.locator("#survey-form")).to_have_count(0)
    assert_no_page_problems(page_problems)


def test_tablet_rates_for_a_visitor_and_the_phone_is_told(office, contexts, page_problems):
    tablet_context = contexts.new(viewport=TABLET, bypass_csp=True)
    sign_in(tablet_context, office, "petugas").close()
    tablet = tablet_context.new_page()
    officer = api_staff_headers(office)
    api_counter(office, officer, 2, "open")   # petugas works counter 2 for this test
    with tablet.expect_websocket(lambda ws: "/socket.io/" in ws.url):
        tablet.goto(f"{office.base_url}/counter/2/survey")
    state = tablet.locator("#tablet-state")
    expect(state).to_have_attribute("data-state", "idle")
    expect(state).to_have_text("Silakan nilai pelayanan kami setelah selesai.")
    no_violations(tablet, "survey tablet, idle")
    shoot(tablet, "tablet-1280x800-survey-idle", full_page=False)

    ticket = served(office, officer, 2, finish=False)
    phone, _navigations, _texts = open_status_page(contexts.new(**PHONE), ticket["status_url"])
    api_counter(office, officer, 2, "done")
    # The tablet turns to the faces by itself, for this visitor.
    expect(state).to_have_attribute("data-state", "ask")
    expect(tablet.locator(".tablet-survey__number")).to_contain_text(ticket["number"])
    faces = tablet.locator(".tablet-survey .face")
    expect(faces).to_have_count(4)
    assert all(faces.nth(i).bounding_box()["height"] >= 200 for i in range(4))
    assert tablet.evaluate("document.documentElement.scrollHeight <= window.innerHeight"), "the tablet scrolls"
    no_violations(tablet, "survey tablet, faces")
    shoot(tablet, "tablet-1280x800-survey", full_page=False)
    expect(phone.locator("#survey-form")).to_be_visible()

    with tablet.expect_navigation():
        tablet.get_by_role("button", name="Baik", exact=True).click()
    expect(state).to_have_attribute("data-state", "thanks")
    expect(state).to_have_text("Terima kasih!")
    # The phone learns at once that the visit is rated: no form, the thanks instead.
    expect(phone.locator("#survey-form")).to_be_hidden()
    expect(phone.locator("#survey-thanks")).to_be_visible()
    # Then the tablet goes back to waiting by itself (and says the visit was rated meanwhile).
    expect(state).not_to_have_attribute("data-state", "thanks", timeout=15_000)
    expect(state).to_have_attribute("data-state", "rated")
    assert_no_page_problems(page_problems)
