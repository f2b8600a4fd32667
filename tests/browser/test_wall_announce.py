"""Every call is seen and heard: a flash of its own, an announcement of its own, in order.

Only the browser's speech API is stubbed (`speechSynthesis` and `SpeechSynthesisUtterance`): the
stub speaks each utterance for a while, like a real voice, and records when each was handed over,
so a test can tell an announcement queued behind another from one that cut it off.
"""
from __future__ import annotations

import json

import pytest
import requests
from playwright.sync_api import expect

from shared.views.announce import announcement
from tests.helpers.live import demo_instance, launch

from .conftest import WALL_SCREEN, api_counter, api_staff_headers, api_ticket, assert_no_page_problems, wait_display_ready

pytestmark = [pytest.mark.browser, pytest.mark.server]

SPEECH_STUB = """
(() => {
  const config = window.__speechConfig = { voices: [{ lang: 'id-ID', name: 'Stub Indonesian' }], ms: 300 };
  const log = window.__spoken = [];
  let speaking = null;
  const waiting = [];
  function start() {
    if (speaking || !waiting.length) return;
    speaking = waiting.shift();
    speaking.entry.startedAt = performance.now();
    setTimeout(() => {
      const done = speaking;
      done.entry.endedAt = performance.now();
      speaking = null;
      if (done.onend) done.onend({});
      start();
    }, config.ms);
  }
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  const synthesis = {
    getVoices: () => config.voices,
    speak(utterance) {
      utterance.entry = { text: utterance.text, lang: utterance.lang, handedAt: performance.now(),
                          whileSpeaking: Boolean(speaking) };
      log.push(utterance.entry);
      waiting.push(utterance);
      start();
    },
    cancel() { log.push({ cancelled: true }); waiting.length = 0; },
    pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synthesis, configurable: true });
})();
"""

# Records every flash: the big box's and each counter cell's, with the number shown at that moment.
FLASH_RECORDER = """() => {
  window.__flashes = [];
  const fresh = value => (value || '').split(' ').includes('is-fresh');
  new MutationObserver(records => {
    // A record gives the class before a change; the class after it is the next record's "before"
    // (or the current class): a flash is a change from without `is-fresh` to with it.
    records.forEach((record, index) => {
      const node = record.target;
      const later = records.slice(index + 1).find(other => other.target === node);
      const after = later ? later.oldValue : node.className;
      if (fresh(record.oldValue) || !fresh(after)) return;
      const where = node.id === 'latest' ? 'latest' : 'counter';
      const number = node.id === 'latest' ? document.getElementById('latest-number').textContent
                                          : node.querySelector('.counter-grid__number').textContent;
      window.__flashes.push([where, number]);
    });
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true });
}"""

FLOORS = """
[display.profiles.lantai-2]
title = "Lantai 2"
counters = [4, 5, 6]
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    instance = demo_instance(tmp_path_factory.mktemp("announce") / "instance")
    config = instance / "office.toml"
    config.write_text(config.read_text(encoding="utf-8") + FLOORS, encoding="utf-8")
    server = launch(instance)
    yield server
    server.stop()


def open_wall(contexts, server, path="/display/", voices=None, speech_ms=300):
    page = contexts.new(viewport=WALL_SCREEN).new_page()
    page.add_init_script(SPEECH_STUB)
    if voices is not None or speech_ms != 300:
        page.add_init_script(f"window.__speechConfig.voices = {json.dumps(voices if voices is not None else [{'lang': 'id-ID', 'name': 'Stub Indonesian'}])};"
                             f"window.__speechConfig.ms = {speech_ms};")
    page.goto(server.url(path))
    wait_display_ready(page)
    page.evaluate(FLASH_RECORDER)
    page.locator("#sound-toggle").click()
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "true")
    return page


def spoken(page) -> list[dict]:
    return page.evaluate("window.__spoken")


def test_two_calls_at_once_give_two_flashes_and_two_announcements_in_order(office, contexts, page_problems):
    officer = api_staff_headers(office)
    wall = open_wall(contexts, office)
    first, second = api_ticket(office), api_ticket(office)
    assert api_counter(office, officer, 1)["number"] == first["number"]
    assert api_counter(office, officer, 2)["number"] == second["number"]

    wall.wait_for_function("() => window.__spoken.filter(e => e.endedAt).length === 2", timeout=15_000)
    expected = [announcement(first["number"], 1)["id"], announcement(second["number"], 2)["id"]]
    log = spoken(wall)
    assert [entry["text"] for entry in log] == expected, log
    assert not any(entry.get("cancelled") for entry in log), "an announcement was cancelled"
    assert not any(entry["whileSpeaking"] for entry in log), "an announcement was handed over while another spoke"
    assert log[1]["startedAt"] >= log[0]["endedAt"], "the second announcement cut the first off"
    assert all(entry["lang"].startswith("id") for entry in log)

    flashes = wall.evaluate("window.__flashes")
    assert [number for where, number in flashes if where == "latest"] == [first["number"], second["number"]], flashes
    assert sorted(number for where, number in flashes if where == "counter") == sorted([first["number"], second["number"]])
    expect(wall.locator("#caption")).to_have_text(expected[1])

    # A recall is announced (and flashed) again, after the rest.
    api_counter(office, officer, 1, "recall")
    wall.wait_for_function("() => window.__spoken.filter(e => e.endedAt).length === 3", timeout=15_000)
    assert spoken(wall)[2]["text"] == expected[0]
    assert wall.evaluate("window.__flashes.filter(f => f[0] === 'latest').length") == 3
    assert_no_page_problems(page_problems)
    api_counter(office, officer, 1, "done")
    api_counter(office, officer, 2, "done")


def test_without_an_indonesian_voice_the_display_plays_the_server_s_recording(office, contexts):
    officer = api_staff_headers(office)
    wall = open_wall(contexts, office, voices=[{"lang": "en-US", "name": "Stub English"}])
    audio: list[tuple[str, int, str]] = []
    wall.on("response", lambda response: "/display/speech/" in response.url and audio.append(
        (response.url, response.status, response.headers.get("content-type", ""))))
    ticket = api_ticket(office)
    assert api_counter(office, officer, 1)["number"] == ticket["number"]
    wall.wait_for_function("() => document.getElementById('speech-player').src.includes('/display/speech/')", timeout=10_000)
    assert wall.evaluate("document.getElementById('speech-player').src").endswith(
        f"/display/speech/id/{ticket['number']}/1.wav")
    expect(wall.locator("#caption")).to_have_text(announcement(ticket["number"], 1)["id"])
    wall.wait_for_timeout(500)
    assert audio and audio[0][1] in (200, 206) and audio[0][2].startswith("audio/wav"), audio
    assert spoken(wall) == [], "the browser's English voice read the Indonesian call"
    api_counter(office, officer, 1, "done")


def test_a_floor_display_neither_shows_nor_announces_other_floors(office, contexts):
    officer = api_staff_headers(office)
    wall = open_wall(contexts, office, "/display/lantai-2")
    expect(wall.locator("#counter-grid li")).to_have_count(3)
    elsewhere = api_ticket(office)
    assert api_counter(office, officer, 1)["number"] == elsewhere["number"]
    seq = requests.get(office.url("/api/queue"), timeout=10).json()["seq"]
    wall.wait_for_function(f"() => window.antreanDisplay.lastSeq() >= {seq}")
    here = api_ticket(office, service="kartu_kuning")
    assert api_counter(office, officer, 4)["number"] == here["number"]
    wall.wait_for_function("() => window.__spoken.filter(e => e.endedAt).length >= 1", timeout=15_000)
    wall.wait_for_timeout(300)
    assert [entry["text"] for entry in spoken(wall)] == [announcement(here["number"], 4)["id"]]
    assert [number for _where, number in wall.evaluate("window.__flashes")] == [here["number"], here["number"]]
    expect(wall.locator("#latest-number")).to_have_text(here["number"])
    api_counter(office, officer, 1, "done")
    api_counter(office, officer, 4, "done")


def test_a_burst_of_calls_keeps_a_bounded_queue(office, contexts):
    officer = api_staff_headers(office)
    wall = open_wall(contexts, office, speech_ms=4000)   # a slow voice: the calls pile up behind it
    tickets = [api_ticket(office) for _ in range(15)]
    for ticket in tickets:
        assert api_counter(office, officer, 1)["number"] == ticket["number"]
    expect(wall.locator("#latest-number")).to_have_text(tickets[-1]["number"])
    state = wall.evaluate("window.antreanDisplay.announcer()")
    assert state["queued"] <= 10, state
    handed = len(spoken(wall))
    started = 1 if state["running"] else 0
    assert state["queued"] + state["dropped"] + handed >= 15 - started, (state, handed)
    assert state["dropped"] >= 1, state
    api_counter(office, officer, 1, "done")
