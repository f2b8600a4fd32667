"""The kiosk on the screens it runs on, in normal and accessibility mode, by touch and by keyboard.

- every screen fits 1080×1920 portrait, 1920×1080 landscape and a 1280×800 tablet with no
  scrolling, tiles large, choices covering a third of a portrait screen;
- accessibility mode: text twice as large, 7:1 contrast, the choices in the lower half of a
  portrait screen, spoken guidance (the browser's speech API stubbed), a chime without a voice;
- a ticket taken with the keyboard alone, in both modes;
- the idle countdown and "Saya masih di sini";
- the kiosk shell: the server stops, the kiosk says "Mohon tunggu sebentar…", the server comes
  back, the kiosk comes back by itself, and a ticket asked for while it was down is issued once.
"""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import BrowserContext, Page, expect

from tests.helpers.live import demo_instance, free_port, launch

from .conftest import Contexts, api_ticket, register_kiosk, shoot
from .test_accessibility import AXE_OPTIONS, axe_violations, report

pytestmark = [pytest.mark.browser, pytest.mark.server]

SIZES = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080},
         "tablet": {"width": 1280, "height": 800}}
# The browser's speech API, replaced before the page's scripts: what was said is recorded.
SPEECH_STUB = """
(() => {
  const voices = %s;
  window.__spoken = [];
  window.__tones = 0;
  class Utterance { constructor(text) { this.text = text; } }
  window.SpeechSynthesisUtterance = Utterance;
  Object.defineProperty(window, 'speechSynthesis', { value: {
    getVoices: () => voices,
    speak: (utterance) => window.__spoken.push(utterance.text),
    cancel: () => {},
    addEventListener: () => {},
  }});
  const Real = window.AudioContext;
  window.AudioContext = function () {
    const context = new Real();
    const make = context.createOscillator.bind(context);
    context.createOscillator = () => { window.__tones += 1; return make(); };
    return context;
  };
})();
"""
INDONESIAN_VOICE = '[{"lang": "id-ID", "name": "Indonesian", "default": true}]'


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    server = launch(demo_instance(tmp_path_factory.mktemp("kiosk-screens") / "instance"))
    yield server
    server.stop()


def kiosk(contexts: Contexts, office, size: str = "portrait", **options) -> Page:
    context = contexts.new(viewport=SIZES[size], has_touch=True, **options)
    return register_kiosk(context, office)


def fits(page: Page) -> None:
    """Nothing scrolls, and every control is inside the screen."""
    scroll = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    viewport = page.viewport_size
    if scroll[0] > viewport["width"] or scroll[1] > viewport["height"]:
        wide = page.evaluate("""(w) => Array.from(document.querySelectorAll('body *'))
          .filter(n => n.getBoundingClientRect().right > w + 0.5)
          .slice(0, 8).map(n => n.tagName + '.' + n.className + ' ' + Math.round(n.getBoundingClientRect().right))""",
                             viewport["width"])
        pytest.fail(f"{page.url} scrolls: {scroll} on {viewport}; too wide: {wide}")
    for box in page.locator(".choice, .kiosk-bar a, .ticket-card .button").evaluate_all(
            "nodes => nodes.map(n => n.getBoundingClientRect().toJSON())"):
        assert box["x"] >= 0 and box["y"] >= 0, box
        assert box["x"] + box["width"] <= viewport["width"] + 0.5 and box["y"] + box["height"] <= viewport["height"] + 0.5, box


def contrast(page: Page, selector: str) -> float:
    """WCAG contrast ratio between an element's text colour and its (opaque) background."""
    return page.locator(selector).first.evaluate("""node => {
      const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => {
        const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      let back = node;
      while (back && getComputedStyle(back).backgroundColor.match(/rgba\\(.*, 0\\)$|transparent/)) { back = back.parentElement; }
      const a = lum(rgb(getComputedStyle(node).color)), b = lum(rgb(getComputedStyle(back || document.body).backgroundColor));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }""")


@pytest.mark.parametrize("size", list(SIZES))
def test_every_kiosk_screen_fits_without_scrolling(office, contexts, page_problems, size):
    page = kiosk(contexts, office, size)
    base = office.base_url
    sizes_px = {}
    for mode in ("off", "on"):
        page.goto(f"{base}/kiosk/?access={mode}")
        fits(page)
        shoot(page, f"kiosk-{size}-{mode}-home", full_page=False)
        sizes_px[mode] = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.kiosk-screen')).fontSize)")
        tiles = page.locator(".choice-grid--services .choice").evaluate_all(
            "nodes => nodes.map(n => n.getBoundingClientRect().toJSON())")
        assert len(tiles) == 6
        if size == "portrait":
            assert min(tile["height"] for tile in tiles) >= 140, tiles
            if mode == "off":
                grid = page.locator(".choice-grid--services").bounding_box()
                assert grid["width"] * grid["height"] >= 1080 * 1920 / 3, "the choices cover a third of the screen"
            else:
                middles = [tile["y"] + tile["height"] / 2 for tile in tiles]
                assert min(middles) >= 1920 / 2, "accessibility mode: the choices are within reach, in the lower half"
                access = page.locator("#access-toggle").bounding_box()
                assert access["y"] >= 1920 / 2
        page.goto(f"{base}/kiosk/services/perizinan_berusaha")
        fits(page)
        expect(page.locator(".choice--lane")).to_have_count(5)
        shoot(page, f"kiosk-{size}-{mode}-lanes", full_page=False)
        with page.expect_navigation(url=re.compile(r"/kiosk/tickets/")):
            page.locator("#lane-general").click()
        fits(page)
        number = page.locator("#ticket-number").bounding_box()
        assert number["height"] >= (80 if size == "tablet" else 120), "the number is large on the ticket screen"
        qr = page.locator(".ticket-card__qr svg").bounding_box()
        assert qr["width"] >= (200 if size == "tablet" else 300)
        shoot(page, f"kiosk-{size}-{mode}-ticket", full_page=False)
    if size != "tablet":
        assert sizes_px["on"] >= 1.95 * sizes_px["off"], f"text at 200 %: {sizes_px}"
    assert not page_problems, page_problems


def test_accessibility_mode_contrast_and_axe(office, contexts):
    """7:1 or more (axe's enhanced-contrast rule on top of WCAG 2.2 AA) on every kiosk screen,
    the "are you still there?" dialog included."""
    page = kiosk(contexts, office, bypass_csp=True)
    ticket = api_ticket(office)
    options = {**AXE_OPTIONS, "rules": {"color-contrast-enhanced": {"enabled": True}}}
    for path in ("/kiosk/?access=on", "/kiosk/services/perizinan_berusaha", f"/kiosk/tickets/{ticket['token']}",
                 "/kiosk/checkin"):
        page.goto(f"{office.base_url}{path}")
        assert "kiosk--access" in page.locator("body").get_attribute("class")
        for selector in (".kiosk__title", ".kiosk-bar a", ".choice__label", "#ticket-number"):
            if page.locator(selector).count():
                assert contrast(page, selector) >= 7, selector
        passes, violations = axe_violations_with(page, options)
        assert passes > 10 and not violations, report(path, violations)
    page.evaluate("document.getElementById('idle-warning').hidden = false")
    passes, violations = axe_violations_with(page, options)
    assert not violations, report("idle warning", violations)
    page.goto(f"{office.base_url}/kiosk/?access=off")


def axe_violations_with(page: Page, options: dict):
    page.add_script_tag(path=str(__import__("tests.browser.conftest", fromlist=["AXE_JS"]).AXE_JS))
    result = page.evaluate("""async (options) => {
      const results = await axe.run(document, options);
      return { passes: results.passes.length, violations: results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({ target: n.target.join(' '), summary: n.failureSummary || '' })) })) };
    }""", options)
    return result["passes"], result["violations"]


@pytest.mark.parametrize("mode", ["off", "on"])
def test_a_ticket_by_keyboard_alone(office, contexts, mode):
    """Tab to a choice, Enter; twice. The focus is always visible."""
    page = kiosk(contexts, office)
    page.goto(f"{office.base_url}/kiosk/?access={mode}")

    def tab_to(element_id: str) -> None:
        for _ in range(40):
            if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
                break
            page.keyboard.press("Tab")
        else:
            pytest.fail(f"Tab never reached #{element_id}")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none"), "the focus is visible"

    if mode == "on":
        # Accessibility mode starts on the first choice: a switch user presses once to take it.
        assert page.evaluate("document.activeElement.id") == "service-perizinan_berusaha"
    tab_to("service-perizinan_berusaha")
    with page.expect_navigation(url=re.compile(r"/kiosk/services/perizinan_berusaha$")):
        page.keyboard.press("Enter")
    tab_to("lane-senior")
    with page.expect_navigation(url=re.compile(r"/kiosk/tickets/")):
        page.keyboard.press("Enter")
    expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^A-\d{3}$"))
    expect(page.locator(".ticket-card")).to_contain_text("Lansia (60+)")


def test_the_kiosk_asks_before_it_returns_to_the_start(office, contexts):
    page = kiosk(contexts, office)
    page.clock.install()
    page.goto(f"{office.base_url}/kiosk/services/perizinan_berusaha")
    warning = page.locator("#idle-warning")
    page.clock.fast_forward("00:21")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Anda masih di sini?")
    expect(page.locator("#idle-count")).to_have_text(re.compile(r"^(20|19)$"))
    page.clock.fast_forward("00:05")
    expect(page.locator("#idle-count")).to_have_text(re.compile(r"^1[45]$"))
    page.locator("#idle-stay").click()
    expect(warning).to_be_hidden()
    page.clock.fast_forward("00:19")
    assert page.url.endswith("/kiosk/services/perizinan_berusaha"), "one touch gave the visitor their time back"
    page.clock.fast_forward("00:02")
    expect(warning).to_be_visible()
    with page.expect_navigation(url=re.compile(r"/kiosk/\?lang=id&access=off$")):
        page.clock.fast_forward("00:21")


def test_the_start_screen_waits_quietly_unless_the_last_visitor_changed_it(office, contexts):
    """An idle start screen in Indonesian stays as it is (no countdown for nobody); left in
    English, it counts down and returns to Indonesian for the next visitor."""
    page = kiosk(contexts, office)
    page.clock.install()
    page.goto(f"{office.base_url}/kiosk/")
    page.clock.fast_forward("02:00")
    expect(page.locator("#idle-warning")).to_be_hidden()
    page.goto(f"{office.base_url}/kiosk/?lang=en")
    page.clock.fast_forward("00:21")
    expect(page.locator("#idle-warning")).to_be_visible()
    with page.expect_navigation(url=re.compile(r"/kiosk/\?lang=id&access=off$")):
        page.clock.fast_forward("00:21")
    expect(page.locator("h1")).to_have_text("Ambil nomor antrean")


def test_accessibility_mode_speaks_each_screen_and_choice(office, contexts):
    context = contexts.new(viewport=SIZES["portrait"], has_touch=True)
    context.add_init_script(SPEECH_STUB % INDONESIAN_VOICE)
    page = register_kiosk(context, office)
    page.goto(f"{office.base_url}/kiosk/?access=on")
    page.wait_for_function("window.__spoken.length >= 1")
    spoken = page.evaluate("window.__spoken")
    assert "Langkah 1 dari 2: sentuh layanan yang Anda perlukan." in spoken[0]
    page.keyboard.press("Tab")
    page.wait_for_function("window.__spoken.length >= 2")
    focused = page.evaluate("document.activeElement.textContent.replace(/\\s+/g, ' ').trim()")
    assert page.evaluate("window.__spoken").pop() in focused or focused.endswith(page.evaluate("window.__spoken").pop())
    page.goto(f"{office.base_url}/kiosk/services/perizinan_berusaha")
    page.wait_for_function("window.__spoken.length >= 1")
    assert "Langkah 2 dari 2: sentuh jalur antrean Anda." in page.evaluate("window.__spoken[0]")
    page.locator("#lane-pregnant_children").focus()
    page.wait_for_function("window.__spoken.some(t => t.includes('Ibu Hamil & Anak'))")
    # Normal mode stays silent.
    page.goto(f"{office.base_url}/kiosk/?access=off")
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__spoken") == []


def test_without_an_indonesian_voice_the_guidance_is_a_chime(office, contexts):
    context = contexts.new(viewport=SIZES["portrait"], has_touch=True)
    context.add_init_script(SPEECH_STUB % '[{"lang": "en-US", "name": "English"}]')
    page = register_kiosk(context, office)
    page.goto(f"{office.base_url}/kiosk/?access=on")
    page.wait_for_function("window.__tones >= 2")
    assert page.evaluate("window.__spoken") == [], "no English voice reading Indonesian words"


def queue_size(base_url: str) -> int:
    waiting = requests.get(f"{base_url}/api/queue", timeout=5).json()["waiting"]
    return sum(sum(lanes.values()) for lanes in waiting.values())


def test_the_kiosk_shell_waits_out_a_server_restart(contexts, tmp_path):
    instance = demo_instance(tmp_path / "instance")
    port = free_port()
    server = launch(instance, port=port)
    try:
        context: BrowserContext = contexts.new(viewport=SIZES["portrait"], has_touch=True)
        page = context.new_page()
        # The link `antrean serve` prints registers the kiosk inside the shell; the token stays
        # in the fragment, which no request carries, and leaves the address bar at once.
        page.goto(f"{server.base_url}/kiosk/app#register={server.logins.kiosk_token}")
        frame = page.frame_locator("#kiosk-frame")
        expect(frame.locator("#service-perizinan_berusaha")).to_be_visible()
        assert page.url == f"{server.base_url}/kiosk/app"
        page.evaluate("window.__sameShell = true")
        offline = page.locator("#kiosk-offline")

        # 1. The server goes away while a visitor touches a service: the kiosk keeps its screen.
        server.stop()
        frame.locator("#service-perizinan_berusaha").click()
        expect(offline).to_be_visible(timeout=15_000)
        expect(offline).to_contain_text("Mohon tunggu sebentar…")
        shoot(page, "kiosk-portrait-reconnecting", full_page=False)
        server = launch(instance, port=port)
        expect(offline).to_be_hidden(timeout=15_000)
        expect(frame.locator("#service-perizinan_berusaha")).to_be_visible()
        assert page.evaluate("window.__sameShell") is True, "the shell itself never reloaded"

        # 2. A ticket asked for while the server is down is issued once it is back, exactly once.
        frame.locator("#service-perizinan_berusaha").click()
        expect(frame.locator("#lane-general")).to_be_visible()
        before = queue_size(server.base_url)
        server.stop()
        frame.locator("#lane-general").click()
        expect(offline).to_be_visible(timeout=15_000)
        server = launch(instance, port=port)
        expect(offline).to_be_hidden(timeout=15_000)
        expect(frame.locator("#ticket-number")).to_have_text(re.compile(r"^A-\d{3}$"))
        assert queue_size(server.base_url) == before + 1

        # 3. The heartbeat notices a dead server even when nobody touches the screen.
        server.stop()
        expect(offline).to_be_visible(timeout=20_000)
        server = launch(instance, port=port)
        expect(offline).to_be_hidden(timeout=15_000)
        expect(frame.locator("h1")).to_have_text("Ambil nomor antrean")
    finally:
        server.stop()


@pytest.fixture(scope="module")
def screening_office(tmp_path_factory):
    """The demo office with a health screening and a lane quota of one: every kiosk page there is."""
    instance = demo_instance(tmp_path_factory.mktemp("kiosk-screening") / "instance")
    office_file = instance / "office.toml"
    text = office_file.read_text().replace("daily_quota = 500\n", "daily_quota = 500\nlane_quotas = { senior = 1 }\n", 1)
    head, counters = text.split("[[counters]]", 1)
    office_file.write_text(head + '[screening]\nquestions = [{ id = "Apakah Anda sedang demam?", en = "Fever?" }]\n'
                           "\n[[counters]]" + counters)
    server = launch(instance)
    yield server
    server.stop()


@pytest.mark.parametrize("mode", ["off", "on"])
def test_screening_and_refusal_pages_pass_axe_in_both_modes(screening_office, contexts, mode):
    """The pages only some visitors see: the screening (and its Indonesian complaint when a
    question is left open), the advice to postpone, a full lane."""
    office = screening_office
    page = kiosk(contexts, office, bypass_csp=True)
    options = {**AXE_OPTIONS, "rules": {"color-contrast-enhanced": {"enabled": mode == "on"}}}

    def clean(name: str) -> None:
        fits(page)
        passes, violations = axe_violations_with(page, options)
        assert passes > 10 and not violations, report(f"{name} ({mode})", violations)

    page.goto(f"{office.base_url}/kiosk/?access={mode}")
    expect(page.locator(".kiosk__step")).to_contain_text("Langkah 1 dari 3")
    page.goto(f"{office.base_url}/kiosk/services/perizinan_berusaha/check")
    page.locator("#screening-form button[type=submit]").click()   # nothing answered: no request leaves
    expect(page.locator("#screening-error")).to_be_visible()
    expect(page.locator("#screening-error")).to_have_text("Mohon jawab semua pertanyaan.")
    assert page.url.endswith("/check")
    clean("screening, unanswered")
    page.locator("label[for=q0-no]").click()
    with page.expect_navigation(url=re.compile(r"/kiosk/services/perizinan_berusaha\?screened=1$")):
        page.locator("#screening-form button[type=submit]").click()
    expect(page.locator(".kiosk__step")).to_contain_text("Langkah 3 dari 3")
    if page.locator("button#lane-senior").count():   # the first run takes the lane's one ticket
        with page.expect_navigation(url=re.compile(r"/kiosk/tickets/")):
            page.locator("#lane-senior").click()
    page.goto(f"{office.base_url}/kiosk/services/perizinan_berusaha?screened=1")
    expect(page.locator("#lane-senior")).to_contain_text("Jalur ini sudah penuh hari ini")
    clean("lanes with a full lane")
    page.goto(f"{office.base_url}/kiosk/services/izin_kesehatan/check")
    page.locator("label[for=q0-yes]").click()
    page.locator("#screening-form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Mohon tunda kunjungan Anda")
    clean("advice to postpone")
