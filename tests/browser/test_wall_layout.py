"""The wall display fits the screen on a busy floor, in landscape and in portrait.

A Mal Pelayanan Publik has 17 counters and 14 services; with all counters calling, 17 numbers
invited in and every line waiting, nothing may run off a 1920×1080 or a 1080×1920 screen, and
the text must stay readable from across the hall. Measured in the browser: every block's box
inside the viewport, no list overflowing its box, the computed font sizes; then axe-core.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from tests.helpers.live import Server, bearer, demo_instance, launch, login

from .conftest import WALL_SCREEN, shoot, wait_display_ready
from .test_accessibility import check

pytestmark = [pytest.mark.browser, pytest.mark.server]

PORTRAIT_WALL = {"width": 1080, "height": 1920}

# An MPP: many agencies under one roof, each with a counter or two.
BUSY_SERVICES = [
    ("ktp", "Dukcapil: KTP Elektronik", "A"), ("kk", "Dukcapil: Kartu Keluarga", "B"),
    ("akta", "Akta Kelahiran & Kematian", "C"), ("paspor", "Paspor (Imigrasi)", "D"),
    ("sim", "Perpanjangan SIM", "E"), ("samsat", "Samsat: Pajak Kendaraan", "F"),
    ("bpjs_kes", "BPJS Kesehatan", "G"), ("bpjs_tk", "BPJS Ketenagakerjaan", "H"),
    ("pajak", "Pajak Daerah (PBB)", "J"), ("izin", "Perizinan Berusaha", "K"),
    ("bpn", "Pertanahan (BPN)", "L"), ("pln", "PLN: Sambungan Baru", "M"),
    ("pdam", "PDAM: Air Minum", "N"), ("tilang", "Kejaksaan: Denda Tilang", "P"),
]
BUSY_COUNTERS = 17


def busy_office_toml(*, max_inside: int = 30, extra: str = "") -> str:
    """office.toml of a busy MPP floor: 14 services, 17 counters (the last three serve several)."""
    lines = ['[office]', 'name = "Mal Pelayanan Publik Kota Contoh"', 'timezone = "Asia/Jakarta"', "",
             "[kiosk]", 'rate_limit = "100000 per minute"', "", "[capacity]", f"max_inside = {max_inside}", ""]
    for code, name, prefix in BUSY_SERVICES:
        lines += ["[[services]]", f'code = "{code}"', f'name = "{name}"', f'prefix = "{prefix}"', ""]
    codes = [code for code, _name, _prefix in BUSY_SERVICES]
    for number in range(1, BUSY_COUNTERS + 1):
        served = [codes[number - 1]] if number <= len(codes) else codes
        name = f"Loket {number}" + (" (Prioritas)" if number == BUSY_COUNTERS else "")
        lines += ["[[counters]]", f"number = {number}", f'name = "{name}"',
                  "services = [" + ", ".join(f'"{code}"' for code in served) + "]", ""]
    return "\n".join(lines) + extra


def busy_instance(instance: Path, **options) -> Path:
    """A fresh instance (demo accounts and kiosk) whose office is the busy MPP."""
    demo_instance(instance)
    (instance / "office.toml").write_text(busy_office_toml(**options), encoding="utf-8")
    return instance


@dataclass
class BusyFloor:
    server: Server
    officer: dict
    supervisor: dict


def busy_floor(instance: Path, **options) -> BusyFloor:
    """The busy MPP, serving: every line has people waiting, all 17 counters have called
    someone, and 17 visitors waiting outside have just been invited in (the cap was raised)."""
    server = launch(busy_instance(instance, **options))
    try:
        kiosk = {"Authorization": f"Bearer {server.logins.kiosk_token}"}
        codes = [code for code, _name, _prefix in BUSY_SERVICES]
        for code in codes * 2 + codes[:5] + codes[:14]:
            response = requests.post(server.url("/api/tickets"), json={"service": code, "lane": "general"},
                                     headers=kiosk, timeout=10)
            assert response.status_code == 201, response.text
        officer = bearer(login(server.base_url, "petugas", server.logins.passwords["petugas"]))
        for number in range(1, BUSY_COUNTERS + 1):
            response = requests.post(server.url(f"/api/counters/{number}/call-next"), json={}, headers=officer, timeout=10)
            assert response.status_code == 200, response.text
        supervisor = bearer(login(server.base_url, "supervisor", server.logins.passwords["supervisor"]))
        response = requests.put(server.url("/api/capacity"), json={"max_inside": 47}, headers=supervisor, timeout=10)
        assert response.status_code == 200, response.text
        assert len(requests.get(server.url("/api/queue"), timeout=10).json()["invited"]) == 17
    except BaseException:
        server.stop()
        raise
    return BusyFloor(server, officer, supervisor)


FLOOR_PROFILES = """
[display.profiles.lantai-1]
title = "Lantai 1"
title_en = "Ground floor"
counters = [1, 2, 3, 4, 5, 6]
"""


@pytest.fixture(scope="module")
def floor(tmp_path_factory) -> BusyFloor:
    busy = busy_floor(tmp_path_factory.mktemp("busy") / "instance", extra=FLOOR_PROFILES)
    yield busy
    busy.server.stop()


# What the page measures about itself: boxes of everything shown, the lists' overflow, font sizes.
MEASURE = """() => {
  const W = window.innerWidth, H = window.innerHeight;
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const outside = [];
  for (const el of document.querySelectorAll('header *, main *')) {
    if (!shown(el) || el.closest('#offline')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1) {
      outside.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(r.left)},${Math.round(r.top)},${Math.round(r.right)},${Math.round(r.bottom)}`);
    }
  }
  const overflowing = [];
  for (const list of document.querySelectorAll('.fit')) {
    if (!shown(list)) continue;
    const box = list.getBoundingClientRect();
    for (const item of list.children) {
      if (!shown(item)) continue;
      const r = item.getBoundingClientRect();
      if (r.left < box.left - 1 || r.top < box.top - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1) {
        overflowing.push(`${list.id}: ${item.textContent}`);
      }
      if (item.scrollHeight > item.clientHeight + 1) overflowing.push(`${list.id} item clipped: ${item.textContent}`);
    }
  }
  const font = sel => [...document.querySelectorAll(sel)].filter(shown).map(el => parseFloat(getComputedStyle(el).fontSize));
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || !shown(el) || el.closest('#offline, .skip-link, script')) continue;
    texts.push([node.textContent.trim(), parseFloat(getComputedStyle(el).fontSize)]);
  }
  const sound = document.getElementById('sound-toggle').getBoundingClientRect();
  const main = document.querySelector('main').getBoundingClientRect();
  return {
    outside, overflowing, texts,
    page: [document.documentElement.scrollWidth, document.documentElement.scrollHeight, W, H],
    soundBelowHeader: sound.bottom <= main.top + 1,
    fonts: {
      latest: font('#latest-number'), counterNumbers: font('.counter-grid__number'),
      counterNames: font('.counter-grid__name'), invited: font('#invited-list li'),
      waiting: font('#waiting-list span'), caption: font('#caption'),
    },
  };
}"""


def measured(page) -> dict:
    return page.evaluate(MEASURE)


def assert_fits(found: dict) -> None:
    width, height, viewport_width, viewport_height = found["page"]
    assert width <= viewport_width and height <= viewport_height, f"the page scrolls: {found['page']}"
    assert not found["outside"], "shown off the screen:\n" + "\n".join(found["outside"])
    assert not found["overflowing"], "running out of their box:\n" + "\n".join(found["overflowing"])
    assert found["soundBelowHeader"], "the sound button covers the screen's content"


def open_display(contexts, server: Server, path: str, viewport: dict):
    page = contexts.new(viewport=viewport, bypass_csp=True).new_page()
    page.emulate_media(reduced_motion="reduce")   # no flash halfway through a colour check
    page.goto(server.url(path))
    wait_display_ready(page)
    expect(page.locator("#latest-number")).to_have_text("C-002")
    page.wait_for_timeout(300)   # the lists are fitted after the first snapshot
    return page


@pytest.mark.parametrize("viewport", [WALL_SCREEN, PORTRAIT_WALL], ids=["landscape", "portrait"])
def test_a_busy_floor_fits_the_wall_and_reads_from_afar(floor, contexts, viewport):
    page = open_display(contexts, floor.server, "/display/", viewport)
    size = f"{viewport['width']}x{viewport['height']}"
    expect(page.locator("#counter-grid li")).to_have_count(BUSY_COUNTERS)
    expect(page.locator("#invited-list li:visible")).to_have_count(17)       # every invited number, none hidden
    expect(page.locator("#waiting-list li")).to_have_count(len(BUSY_SERVICES))
    expect(page.locator("#latest-counter")).to_have_text("Loket 17 (Prioritas)")
    shoot(page, f"display-{size}-busy", full_page=False)
    found = measured(page)
    assert_fits(found)
    fonts = found["fonts"]
    print(size, {name: (min(values), max(values)) for name, values in fonts.items() if values})
    # Readable across the hall: the numbers large, the counter names well above the 20 px of old.
    assert min(fonts["latest"]) >= 120
    assert min(fonts["counterNumbers"]) >= 44
    ordinary_names = sorted(fonts["counterNames"])[1:]   # all but the longest name, which is set smaller
    assert min(ordinary_names) >= 28
    assert min(fonts["invited"]) >= 26
    assert min(fonts["waiting"]) >= 24
    smallest = min(found["texts"], key=lambda text: text[1])
    assert smallest[1] >= 20, f"text too small to read on a wall: {smallest}"
    check(page, f"display-{size}-busy")


@pytest.mark.parametrize("viewport", [WALL_SCREEN, PORTRAIT_WALL], ids=["landscape", "portrait"])
def test_the_entrance_shows_the_invited_numbers_large(floor, contexts, viewport):
    page = contexts.new(viewport=viewport, bypass_csp=True).new_page()
    page.emulate_media(reduced_motion="reduce")
    page.goto(floor.server.url("/display/entrance"))
    wait_display_ready(page)
    expect(page.locator("#invited-list li")).to_have_count(17)
    expect(page.locator("#invited-empty")).to_be_hidden()
    expect(page.locator("#occupancy")).to_have_text("47/47")
    page.wait_for_timeout(300)
    size = f"{viewport['width']}x{viewport['height']}"
    shoot(page, f"display-{size}-entrance", full_page=False)
    found = measured(page)
    assert_fits(found)
    assert min(found["fonts"]["invited"]) >= 80, found["fonts"]["invited"]
    check(page, f"display-{size}-entrance")


def test_a_floor_profile_shows_its_own_counters_larger(floor, contexts):
    page = contexts.new(viewport=WALL_SCREEN, bypass_csp=True).new_page()
    page.emulate_media(reduced_motion="reduce")
    page.goto(floor.server.url("/display/lantai-1"))
    wait_display_ready(page)
    expect(page.locator(".wall__profile")).to_have_text("Lantai 1")
    expect(page.locator("#counter-grid .counter-grid__name")).to_have_text([f"Loket {n}" for n in range(1, 7)])
    # Counter 17's call (C-002) is not this floor's: the big box shows this floor's latest, F-001.
    expect(page.locator("#latest-number")).to_have_text("F-001")
    expect(page.locator("#waiting-list li")).to_have_count(6)
    # Invited numbers of this floor's services (prefixes A-F) only: C-003 … F-003, A-004 … E-004.
    expect(page.locator("#invited-list li")).to_have_count(9)
    assert sorted(page.locator("#invited-list li").all_text_contents()) == [
        "A-004", "B-004", "C-003", "C-004", "D-003", "D-004", "E-003", "E-004", "F-003"]
    page.wait_for_timeout(300)
    shoot(page, "display-1920x1080-floor", full_page=False)
    found = measured(page)
    assert_fits(found)
    assert min(found["fonts"]["counterNumbers"]) >= 80
    assert min(found["fonts"]["counterNames"]) >= 48
