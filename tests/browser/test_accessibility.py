"""axe-core on every screen: zero WCAG 2.0/2.1/2.2 A and AA violations.

The pages send a strict CSP (`script-src 'self'`) that blocks an injected script tag, so the
scene's contexts are made with `bypass_csp=True`; the functional tests keep the CSP on.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import AXE_JS, PHONE, WALL_SCREEN, Scene, open_console, shoot, wait_display_ready

pytestmark = [pytest.mark.browser, pytest.mark.server]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}
RUN_AXE_TEMPLATE = """async (options) => {
  const results = await axe.run(document, options);
  const never = new Set(%s);
  return {
    passes: results.passes.length,
    violations: results.violations.concat(results.incomplete.filter(v => never.has(v.id))).map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary || '' })),
    })),
  };
}"""


# "Needs review" results that are never acceptable here (ARIA attributes a role does not allow).
NEVER_INCOMPLETE = {"aria-prohibited-attr"}


RUN_AXE = RUN_AXE_TEMPLATE.replace("%s", repr(sorted(NEVER_INCOMPLETE)).replace("'", '"'))


def axe_violations(page: Page) -> tuple[int, list[dict]]:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core missing at {AXE_JS}: run `make setup` (npm ci)", pytrace=False)
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(RUN_AXE, AXE_OPTIONS)
    return result["passes"], result["violations"]


def report(name: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {name}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"][:8]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary[:300]}")
    return "\n".join(lines)


def check(page: Page, name: str) -> None:
    """Screenshot the screen (tests/artifacts/a11y-NAME.png), then axe it."""
    shoot(page, f"a11y-{name}")
    passes, violations = axe_violations(page)
    print(report(name, violations) if violations else f"{name}: no violations ({passes} rules passed)")
    assert passes > 10, "axe did not really run"
    assert not violations, report(name, violations)


# Each screen: how to get there from the scene. Pages are opened in the scene's contexts.

def kiosk_home(scene: Scene) -> Page:
    page = scene.page(scene.kiosk, "/kiosk/")
    expect(page.locator(".choice-grid .choice")).to_have_count(6)
    return page


def kiosk_lanes(scene: Scene) -> Page:
    page = scene.page(scene.kiosk, "/kiosk/services/perizinan_berusaha")
    expect(page.locator(".choice--lane")).to_have_count(5)
    return page


def kiosk_ticket(scene: Scene) -> Page:
    page = scene.page(scene.kiosk, f"/kiosk/tickets/{scene.waiting['token']}")
    expect(page.locator("#ticket-number")).to_have_text(scene.waiting["number"])
    page.wait_for_function("() => (window.__antreanPrinted || []).length > 0")  # the print frame is loaded
    return page


def kiosk_register(scene: Scene) -> Page:
    page = scene.page(scene.contexts.new(viewport={"width": 1080, "height": 1500}, bypass_csp=True),
                      "/kiosk/register")
    expect(page.locator("#token")).to_be_visible()
    return page


def kiosk_register_error(scene: Scene) -> Page:
    page = kiosk_register(scene)
    page.fill("#token", "not-a-kiosk-token")
    with page.expect_navigation():
        page.locator("#register-form button").click()
    expect(page.locator(".flash--error")).to_be_visible()
    return page


def phone_waiting(scene: Scene) -> Page:
    page = scene.contexts.new(**PHONE, bypass_csp=True).new_page()
    page.goto(scene.waiting["status_url"])
    expect(page.locator("#status-card")).to_have_class(re.compile("status-card--waiting"))
    return page


def phone_called(scene: Scene) -> Page:
    page = scene.contexts.new(**PHONE, bypass_csp=True).new_page()
    page.goto(scene.called["status_url"])
    expect(page.locator("#status-card")).to_have_class(re.compile("status-card--called"))
    return page


def phone_error(scene: Scene) -> Page:
    page = scene.contexts.new(**PHONE, bypass_csp=True).new_page()
    response = page.goto(f"{scene.server.base_url}/t/forged.token")
    assert response.status == 404
    return page


def counter_login(scene: Scene) -> Page:
    page = scene.page(scene.contexts.new(bypass_csp=True), "/counter/login")
    expect(page.locator("#username")).to_be_visible()
    return page


def counter_login_failed(scene: Scene) -> Page:
    page = counter_login(scene)
    page.fill("#username", "petugas")
    page.fill("#password", "wrong password")
    with page.expect_navigation():
        page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".flash--error")).to_be_visible()
    return page


def counter_pick(scene: Scene) -> Page:
    page = scene.page(scene.staff, "/counter/")
    expect(page.locator(".counter-link")).to_have_count(7)
    return page


def counter_console(scene: Scene) -> Page:
    page = scene.staff.new_page()
    open_console(page, scene.server, 1)
    expect(page.locator("#current-number")).to_have_text("A-001")
    expect(page.locator(".waiting-table tbody tr")).not_to_have_count(0)
    return page


def display(scene: Scene) -> Page:
    page = scene.contexts.new(viewport=WALL_SCREEN, bypass_csp=True).new_page()
    page.emulate_media(reduced_motion="reduce")   # no flash animation halfway through a colour check
    page.goto(f"{scene.server.base_url}/display/")
    wait_display_ready(page)
    expect(page.locator("#latest-number")).to_have_text("A-001")
    return page


def display_sound_on(scene: Scene) -> Page:
    page = display(scene)
    page.locator("#sound-toggle").click()
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "true")
    return page


def landing(scene: Scene) -> Page:
    return scene.page(scene.contexts.new(bypass_csp=True), "/")


SCREENS = [kiosk_home, kiosk_lanes, kiosk_ticket, kiosk_register, kiosk_register_error, phone_waiting,
           phone_called, phone_error, counter_login, counter_login_failed, counter_pick, counter_console,
           display, display_sound_on, landing]


@pytest.mark.parametrize("screen", SCREENS, ids=[screen.__name__ for screen in SCREENS])
def test_no_accessibility_violations(scene, screen):
    page = screen(scene)
    try:
        check(page, screen.__name__)
    finally:
        page.close()


def test_english_pages_too(scene):
    """The English versions use the same templates; spot-check the two public ones."""
    page = scene.page(scene.contexts.new(viewport={"width": 1080, "height": 1500}, bypass_csp=True),
                      "/kiosk/register?lang=en")
    check(page, "kiosk_register_en")
    page = scene.contexts.new(**PHONE, bypass_csp=True).new_page()
    page.goto(scene.called["status_url"] + "?lang=en")
    check(page, "phone_called_en")


def test_axe_catches_a_planted_violation(scene):
    """Guard against a silently toothless check: the same run must flag a planted fault."""
    page = scene.page(scene.contexts.new(bypass_csp=True), "/counter/login")
    page.evaluate("""() => {
      document.querySelector('label[for=username]').remove();
      document.querySelector('.lead, h1').style.color = '#bbbbbb';
    }""")
    _passes, violations = axe_violations(page)
    assert {"label", "color-contrast"} <= {violation["id"] for violation in violations}, violations
