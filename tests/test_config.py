"""Office configuration: the demo validates, mistakes are named by field."""
import tomllib

import pytest

from shared.domain.config import DEMO_TEMPLATE, ConfigError, load_config, parse_config


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
