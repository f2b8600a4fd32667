"""Office configuration: the demo validates, mistakes are named by field."""
import tomllib

import pytest

from shared.domain.config import DEMO_TEMPLATE, ConfigError, Names, load_config, parse_config
from shared.i18n import LANGUAGES


def demo_raw() -> dict:
    return tomllib.loads(DEMO_TEMPLATE.read_text())


def test_demo_office_is_a_realistic_office():
    config = load_config(DEMO_TEMPLATE)
    assert config.timezone == "Asia/Jakarta"
    assert len(config.services) >= 5
    assert len(config.counters) >= 6
    assert any(counter.lanes for counter in config.counters), "one counter is reserved for priority lanes"
    assert config.lane_name("senior", "id").startswith("Lansia")
    assert config.service("izin_kesehatan").names.get("en") == "Health permits"


@pytest.mark.parametrize("zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_indonesian_time_zones_are_valid(zone):
    raw = demo_raw()
    raw["office"]["timezone"] = zone
    assert parse_config(raw).timezone == zone


@pytest.mark.parametrize("mutate, field", [
    (lambda raw: raw["office"].update(timezone="Mars/Olympus"), "office.timezone"),
    (lambda raw: raw["office"].pop("name"), "office.name"),
    (lambda raw: raw["services"][2].update(prefix="ab"), "services[2].prefix"),
    (lambda raw: raw["services"][1].update(prefix="A"), "services[1].prefix"),
    (lambda raw: raw["services"][0].update(code="Bad Code"), "services[0].code"),
    (lambda raw: raw["services"][0].update(lanes=["vip"]), "services[0].lanes"),
    (lambda raw: raw["counters"][0].update(services=["nope"]), "counters[0].services"),
    (lambda raw: raw["counters"][1].update(number=1), "counters[1].number"),
    (lambda raw: raw["counters"][0].update(number="one"), "counters[0].number"),
    (lambda raw: raw["counters"][6].update(lanes=["vip"]), "counters[6].lanes"),
    (lambda raw: raw.pop("services"), "services"),
    (lambda raw: raw["kiosk"].update(rate_limit="lots"), "kiosk.rate_limit"),
    (lambda raw: raw.update(capacity={"max_inside": -1}), "capacity.max_inside"),
    (lambda raw: raw.update(hours={"monday": ["12:00-07:00"]}), "hours.monday"),
    (lambda raw: raw.update(hours={"monday": ["07:00-12:00"], "holidays": ["25-12-2026"]}), "hours.holidays"),
    (lambda raw: raw["services"][0].update(daily_quota=0), "services[0].daily_quota"),
    (lambda raw: raw["services"][5].update(lane_quotas={"health_worker": 5}), "services[5].lane_quotas"),
    (lambda raw: raw.update(alternatives=[{"name": "OSS", "url": "oss.go.id"}]), "alternatives[0].url"),
    (lambda raw: raw["policy"].update(max_priority_streak=-2), "policy.max_priority_streak"),
    (lambda raw: raw["policy"].update(service_classes={"nope": 0}), "policy.service_classes.nope"),
    (lambda raw: raw["counters"][6].update(mode="sometimes"), "counters[6].mode"),
    (lambda raw: raw["services"][0].update(name_english="Licensing"), "services[0].name_english"),
    (lambda raw: raw["services"][0].update(name_jv=3), "services[0].name_jv"),
    (lambda raw: raw["lanes"].update(senior={"en": "Senior"}), "lanes.senior.id"),
    (lambda raw: raw["lanes"].update(senior={"id": "Lansia", "jv": " "}), "lanes.senior.jv"),
    (lambda raw: raw["lanes"].update(senior={"id": "Lansia", "Javanese": "Sepuh"}), "lanes.senior.Javanese"),
    (lambda raw: raw.update(screening={"questions": [{"en": "Fever?"}]}), "screening.questions[0].id"),
    (lambda raw: raw.update(alternatives=[{"name": "OSS", "note": "Daring", "note_jv": []}]), "alternatives[0].note_jv"),
    (lambda raw: raw["counters"][4].update(services=["kartu_kuning"]) or raw["counters"][1].update(
        services=["perizinan_berusaha"]), "services[2].lanes"),
])
def test_errors_name_the_field(mutate, field):
    raw = demo_raw()
    mutate(raw)
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert str(error.value).startswith(field)


def test_unreadable_file_is_a_config_error(tmp_path):
    broken = tmp_path / "office.toml"
    broken.write_text("[office\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)


def test_policy_and_capacity_sections():
    raw = demo_raw()
    raw["capacity"] = {"max_inside": 20, "invite_timeout_min": 5}
    raw["hours"] = {"monday": ["07:00-12:00"], "last_ticket_min": 15, "holidays": ["2026-12-25"]}
    config = parse_config(raw)
    assert config.max_inside == 20 and config.invite_timeout.total_seconds() == 300
    assert not config.hours.always_open and config.hours.last_ticket.total_seconds() == 900
    assert config.policy.service_class("izin_kesehatan") == 0 and config.policy.service_class("konsultasi") == 1
    assert parse_config(demo_raw()).hours.always_open, "the demo office is open around the clock"


def test_a_third_language_is_names_in_the_office_file():
    raw = demo_raw()
    raw["services"][0]["name_jv"] = "Perizinan Usaha (Jawa)"
    raw["lanes"]["senior"] = {"id": "Lansia", "en": "Senior citizen", "jv": "Sepuh"}
    raw["alternatives"][0]["note_jv"] = "Izin usaha lewat daring"
    raw["screening"] = {"questions": [{"id": "Apakah Anda demam?", "en": "Do you have a fever?", "jv": "Panjenengan benter?"}]}
    config = parse_config(raw)
    names = config.services[0].names
    assert names.get("jv") == "Perizinan Usaha (Jawa)"
    assert (names.get("id"), names.get("en")) == ("Perizinan Berusaha", "Business licensing")
    assert config.lane_name("senior", "jv") == "Sepuh"
    assert config.alternatives[0].notes.get("jv") == "Izin usaha lewat daring"
    assert config.screening[0].get("jv") == "Panjenengan benter?"
    assert names.as_dict() == {**{language: names.get(language) for language in LANGUAGES},
                               "jv": "Perizinan Usaha (Jawa)"}


def test_names_fall_back_to_indonesian():
    raw = demo_raw()
    raw["services"][0].pop("name_en")
    raw["services"][1]["name_en"] = ""  # an empty translation is as if left out, as before
    config = parse_config(raw)
    assert config.services[0].names.get("en") == config.services[0].names.get("id") == "Perizinan Berusaha"
    assert config.services[1].names.as_dict()["en"] == config.services[1].names.get("id")
    assert config.lane_name("senior", "jv") == config.lane_name("senior", "id")
    assert Names({"en": "Only English"}).get("id") == "Only English"
    assert set(Names({"id": "Umum"}).as_dict()) == set(LANGUAGES)


def without_declared_lanes(raw: dict) -> dict:
    """The demo office with only the contract's four lanes."""
    raw.pop("lanes")
    raw["policy"]["lane_classes"].pop("pregnant_children")
    for counter in raw["counters"]:
        if "lanes" in counter:
            counter["lanes"] = [lane for lane in counter["lanes"] if lane != "pregnant_children"]
    return raw


def test_default_lane_names_come_from_the_catalogs():
    config = parse_config(without_declared_lanes(demo_raw()))
    assert config.lanes == ("general", "health_worker", "senior", "disability")
    assert config.lane_name("general", "id") == "Umum"
    assert config.lane_name("senior", "en") == "Senior citizen (60+)"
    assert config.lane_name("senior", "id") == "Lansia (60+)"
    assert config.lane_note("senior", "id") == "Pengunjung berusia 60 tahun ke atas"
    assert config.lane_name("disability", "id") == "Penyandang Disabilitas"


def test_the_senior_age_in_the_lane_label_comes_from_the_office():
    raw = without_declared_lanes(demo_raw())
    raw["office"]["senior_age"] = 65
    config = parse_config(raw)
    assert config.senior_age == 65
    assert config.lane_name("senior", "id") == "Lansia (65+)"
    assert config.lane_note("senior", "en") == "Visitors aged 65 and over"
    raw["office"]["senior_age"] = 12
    with pytest.raises(ConfigError, match=r"office\.senior_age"):
        parse_config(raw)


def test_an_office_declares_its_own_priority_lane():
    config = parse_config(demo_raw())
    assert config.lanes == ("general", "health_worker", "senior", "disability", "pregnant_children")
    assert config.lane_name("pregnant_children", "id") == "Ibu Hamil & Anak"
    assert "balita" in config.lane_note("pregnant_children", "id")
    assert config.lane_note("pregnant_children", "en").startswith("Pregnant women")
    # Every service that does not list its lanes offers the declared lane too.
    assert "pregnant_children" in config.service("perizinan_berusaha").lanes
    assert config.policy.is_priority("pregnant_children")
    assert not config.policy.is_priority("general")


def test_a_declared_lane_is_a_priority_lane_unless_its_class_says_otherwise():
    raw = demo_raw()
    raw["policy"]["lane_classes"].pop("pregnant_children")
    assert parse_config(raw).policy.is_priority("pregnant_children")
    raw["policy"]["lane_classes"]["pregnant_children"] = 1
    assert not parse_config(raw).policy.is_priority("pregnant_children")


@pytest.mark.parametrize("entry, field", [
    ({"en": "No Indonesian name"}, r"lanes\.victims\.id"),
    ({"id": "Korban Bencana", "reason": "x"}, r"lanes\.victims\.reason"),
    ({"id": ""}, r"lanes\.victims\.id"),
    ("Korban Bencana", r"lanes\.victims"),
])
def test_a_bad_lane_entry_names_its_field(entry, field):
    raw = demo_raw()
    raw["lanes"]["victims"] = entry
    with pytest.raises(ConfigError, match=field):
        parse_config(raw)


def test_a_lane_code_must_be_a_plain_code():
    raw = demo_raw()
    raw["lanes"]["Ibu Hamil"] = {"id": "Ibu Hamil"}
    with pytest.raises(ConfigError, match="lower-case"):
        parse_config(raw)
