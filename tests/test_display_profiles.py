"""Display profiles and spoken calls: `[display]` in office.toml, `/display/<profile>`, and the
server's WAV of a call."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from shared.domain.config import DEMO_TEMPLATE, ConfigError, parse_config
from shared.domain.displays import ENTRANCE, WALL
from shared.web import create_app

FLOORS = """
[display]
announce = "both"

[display.profiles.lantai-2]
title = "Lantai 2"
title_en = "Second floor"
counters = [4, 5, 6]

[display.profiles.pintu]
kind = "entrance"
title = "Pintu masuk"
"""


def demo_raw() -> dict:
    return tomllib.loads(DEMO_TEMPLATE.read_text())


def with_display(table: dict) -> dict:
    raw = demo_raw()
    raw["display"] = table
    return raw


def test_without_a_display_table_every_office_has_the_whole_wall_and_the_entrance():
    display = parse_config(demo_raw()).display
    assert display.announce == "id"
    assert display.profile(None).kind == WALL and display.profile(None).counters is None
    assert display.profile("entrance").kind == ENTRANCE
    assert display.announce_for(display.profile("entrance")) == "chime", "the entrance announces no calls inside"
    assert display.profile("lantai-9") is None


def test_a_floor_profile_shows_its_counters_and_the_lines_they_call():
    display = parse_config(tomllib.loads(DEMO_TEMPLATE.read_text() + FLOORS)).display
    floor = display.profile("lantai-2")
    assert floor.counters == (4, 5, 6)
    # Counters 4-6 call kartu_kuning, non_perizinan, konsultasi and pengambilan_dokumen: in the file's order.
    assert floor.services == ("non_perizinan", "kartu_kuning", "konsultasi", "pengambilan_dokumen")
    assert floor.title("en") == "Second floor" and floor.title("id") == "Lantai 2" and floor.title("jv") == "Lantai 2"
    assert display.announce_for(floor) == "both"
    assert display.profile("pintu").kind == ENTRANCE


@pytest.mark.parametrize("table, field", [
    ({"announce": "jv"}, "display.announce"),
    ({"speak": "id"}, "display.speak"),
    ({"profiles": {"Lantai 2": {}}}, "display.profiles.Lantai 2"),
    ({"profiles": {"lantai-2": {"counters": [4, 99]}}}, "display.profiles.lantai-2.counters"),
    ({"profiles": {"lantai-2": {"counters": []}}}, "display.profiles.lantai-2.counters"),
    ({"profiles": {"lantai-2": {"counters": [4, 4]}}}, "display.profiles.lantai-2.counters"),
    ({"profiles": {"lantai-2": {"services": ["nope"]}}}, "display.profiles.lantai-2.services"),
    ({"profiles": {"lantai-2": {"kind": "lobby"}}}, "display.profiles.lantai-2.kind"),
    ({"profiles": {"lantai-2": {"announce": "loud"}}}, "display.profiles.lantai-2.announce"),
    ({"profiles": {"lantai-2": {"title": ""}}}, "display.profiles.lantai-2.title"),
    ({"profiles": {"lantai-2": {"title_id": "Lantai"}}}, "display.profiles.lantai-2.title_id"),
    ({"profiles": {"lantai-2": {"floor": 2}}}, "display.profiles.lantai-2.floor"),
    ({"profiles": {"lantai-2": "Lantai 2"}}, "display.profiles.lantai-2"),
])
def test_mistakes_are_named_by_field(table, field):
    with pytest.raises(ConfigError, match=rf"^{re.escape(field)}: "):
        parse_config(with_display(table))


# -- the pages -------------------------------------------------------------------------------

@pytest.fixture
def floors_client(instance_dir):
    config = instance_dir / "office.toml"
    config.write_text(config.read_text(encoding="utf-8") + FLOORS, encoding="utf-8")
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)
    return app.test_client()


def page_setup(response) -> dict:
    assert response.status_code == 200
    found = re.search(r'<script type="application/json" id="wall-setup">(.*?)</script>', response.get_data(as_text=True),
                      re.DOTALL)
    return json.loads(found.group(1))


def test_the_whole_office_display_is_unchanged(client):
    setup = page_setup(client.get("/display/"))
    assert setup["kind"] == "wall" and setup["announce"] == "id"
    assert list(setup["counters"]) == [str(number) for number in range(1, 8)]
    assert len(setup["services"]) == 6
    assert setup["speechUrl"] == "/display/speech/"


def test_a_floor_display_knows_only_its_counters_and_services(floors_client):
    response = floors_client.get("/display/lantai-2?lang=en")
    setup = page_setup(response)
    assert setup["counters"] == {"4": "Loket 4", "5": "Loket 5", "6": "Loket 6"}
    assert set(setup["services"]) == {"non_perizinan", "kartu_kuning", "konsultasi", "pengambilan_dokumen"}
    assert setup["announce"] == "both"
    assert "Second floor" in response.get_data(as_text=True)


def test_the_entrance_display(floors_client):
    for path in ("/display/entrance", "/display/pintu"):
        response = floors_client.get(path)
        setup = page_setup(response)
        assert setup["kind"] == "entrance" and setup["announce"] == "chime"
        assert 'id="invited-list"' in response.get_data(as_text=True)


def test_an_unknown_profile_is_not_found(floors_client):
    assert floors_client.get("/display/lantai-9").status_code == 404


# -- spoken calls ------------------------------------------------------------------------------

def test_the_spoken_call_is_a_cached_wav(app, client):
    response = client.get("/display/speech/id/A-001/3.wav")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "audio/wav"
    assert response.get_data()[:4] == b"RIFF" and response.get_data()[8:12] == b"WAVE"
    assert response.cache_control.max_age == 24 * 60 * 60
    cached = list((Path(app.instance_path) / "speech").glob("*.wav"))
    assert len(cached) == 1
    again = client.get("/display/speech/id/A-001/3.wav")
    assert again.get_data() == response.get_data()
    assert len(list(cached[0].parent.glob("*.wav"))) == 1
    english = client.get("/display/speech/en/A-001/3.wav")
    assert english.status_code == 200 and english.get_data() != response.get_data()


@pytest.mark.parametrize("path", [
    "/display/speech/xx/A-001/3.wav",        # no such language
    "/display/speech/id/A-001/99.wav",       # no such counter
    "/display/speech/id/hello/3.wav",        # not a ticket number: no free text is ever spoken
    "/display/speech/id/A-1/3.wav",
    "/display/speech/id/a-001/3.wav",
    "/display/speech/id/A-001;reboot/3.wav",
])
def test_only_the_office_s_own_sentences_can_be_spoken(client, path):
    assert client.get(path).status_code == 404


def test_without_espeak_the_spoken_call_is_unavailable(instance_dir):
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading",
                      "ANTREAN_SPEECH_PROGRAM": "no-such-espeak-here"}, instance_path=instance_dir)
    response = app.test_client().get("/display/speech/id/A-001/3.wav", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "speech_unavailable"
