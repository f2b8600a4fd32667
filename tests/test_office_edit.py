"""Writing office.toml from an edited office, and applying it (or a hand edit) to the running server.

The file is the single source of truth: what the editor writes keeps the administrator's
comments, is valid before it reaches the disk, replaces the file atomically with the previous
version kept, and never overwrites a change made on disk since the form was opened.
"""
from __future__ import annotations

import copy
import os
import stat
import tomllib
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shared import config_files
from shared.config_files import ConfigChanged, version_of
from shared.domain.config import DEMO_TEMPLATE, ConfigError, parse_config
from shared.domain.config_edits import Usage, refusals

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def demo_raw() -> dict:
    return tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))


def with_service(raw: dict, code: str = "paspor", prefix: str = "P", counter: int = 8) -> dict:
    """The office plus a service and the counter that serves it (what the admin adds in the form)."""
    edited = copy.deepcopy(raw)
    edited["services"].append({"code": code, "name": "Paspor", "name_en": "Passports", "prefix": prefix,
                               "lanes": ["general"]})
    edited["counters"].append({"number": counter, "name": f"Loket {counter}", "services": [code]})
    return edited


@pytest.fixture
def office_file(tmp_path) -> Path:
    path = tmp_path / "office.toml"
    path.write_text(DEMO_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    path.chmod(0o640)
    return path


# -- the TOML document ----------------------------------------------------------------------

def test_an_unchanged_office_is_written_back_byte_for_byte():
    text = DEMO_TEMPLATE.read_text(encoding="utf-8")
    assert config_files.render(text, demo_raw()) == text


def test_an_edit_keeps_every_comment_and_changes_only_what_was_edited():
    text = DEMO_TEMPLATE.read_text(encoding="utf-8")
    raw = with_service(demo_raw())
    raw["capacity"]["max_inside"] = 25
    written = config_files.render(text, raw)
    assert tomllib.loads(written) == raw
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(comment in written.splitlines() for comment in comments)
    assert "max_inside = 25\n# An invited visitor" in written
    assert written.startswith(text.split("max_inside")[0])
    assert written.endswith('[[counters]]\nnumber = 8\nname = "Loket 8"\nservices = ["paspor"]\n')


def test_removing_the_last_table_of_a_list_keeps_the_comments_that_follow_it():
    text = DEMO_TEMPLATE.read_text(encoding="utf-8")
    raw = demo_raw()
    del raw["alternatives"][1]
    written = config_files.render(text, raw)
    assert "Kirim berkas" not in written
    assert "# Optional health self-screening before a ticket." in written
    assert "# Who is called next" in written


def test_a_removed_service_takes_only_its_own_lines():
    text = DEMO_TEMPLATE.read_text(encoding="utf-8")
    raw = demo_raw()
    raw["services"] = [service for service in raw["services"] if service["code"] != "kartu_kuning"]
    for counter in raw["counters"]:
        counter["services"] = [code for code in counter["services"] if code != "kartu_kuning"]
    written = config_files.render(text, raw)
    removed = [line for line in text.splitlines() if line not in written.splitlines()]
    assert removed[:4] == ["code = \"kartu_kuning\"", "name = \"Kartu Kuning (AK/I)\"",
                           "name_en = \"Job-seeker card (AK/I)\"", "prefix = \"D\""]
    assert all(line.startswith("services = [") for line in removed[4:])   # the counters' lists, edited
    assert written.count("[[services]]") == text.count("[[services]]") - 1
    assert tomllib.loads(written) == raw


def test_keys_added_to_a_table_go_before_the_comments_of_the_next_one():
    text = DEMO_TEMPLATE.read_text(encoding="utf-8")
    raw = demo_raw()
    raw["hours"] = {"monday": ["07:00-12:00"], "holidays": ["2026-12-25"], "last_ticket_min": 15}
    raw["screening"] = {"questions": [{"id": "Apakah Anda demam?", "en": "Do you have a fever?"}]}
    written = config_files.render(text, raw)
    assert '[hours]\nmonday = ["07:00-12:00"]\nholidays = ["2026-12-25"]\nlast_ticket_min = 15\n\n# Appointments' \
        in written
    assert written.endswith('[screening]\nquestions = [{id = "Apakah Anda demam?", en = "Do you have a fever?"}]\n')
    assert tomllib.loads(written) == raw


# -- writing the file -----------------------------------------------------------------------

def test_a_valid_edit_replaces_the_file_keeping_its_mode_and_the_previous_version(office_file):
    before = office_file.read_bytes()
    saved = config_files.write(office_file, with_service(demo_raw()), version_of(before), NOW)
    assert saved.config.service("paspor") is not None
    assert saved.version == version_of(office_file.read_bytes()) != version_of(before)
    assert stat.S_IMODE(office_file.stat().st_mode) == 0o640
    [previous] = config_files.history(office_file)
    assert previous.read_bytes() == before
    assert previous.name == "office-20260302T030000.toml"
    assert stat.S_IMODE(previous.stat().st_mode) == 0o640
    assert not [name for name in os.listdir(office_file.parent) if name.endswith(".tmp")]


def test_an_invalid_edit_is_never_written(office_file):
    before = office_file.read_bytes()
    raw = with_service(demo_raw(), prefix="pp")
    with pytest.raises(ConfigError, match=r"^services\[6\]\.prefix: 'pp' must be one capital letter A-Z$"):
        config_files.write(office_file, raw, version_of(before), NOW)
    assert office_file.read_bytes() == before
    assert config_files.history(office_file) == []


def test_a_file_changed_since_the_form_was_opened_is_not_overwritten(office_file):
    opened = version_of(office_file.read_bytes())
    office_file.write_text(office_file.read_text() + "\n# a note added by hand\n")
    by_hand = office_file.read_bytes()
    with pytest.raises(ConfigChanged) as refused:
        config_files.write(office_file, with_service(demo_raw()), opened, NOW)
    assert (refused.value.code, refused.value.kind) == ("config_changed", "conflict")
    assert office_file.read_bytes() == by_hand


def test_only_the_last_versions_are_kept(office_file):
    raw = demo_raw()
    for minutes in range(config_files.KEEP + 3):
        raw["capacity"]["max_inside"] = 10 + minutes
        config_files.write(office_file, raw, version_of(office_file.read_bytes()), NOW.replace(minute=minutes))
    kept = config_files.history(office_file)
    assert len(kept) == config_files.KEEP
    assert tomllib.loads(kept[0].read_text())["capacity"]["max_inside"] == 10 + config_files.KEEP + 1


# -- what today's queue forbids -----------------------------------------------------------------

def test_refusals_name_the_service_lane_and_counter_in_use():
    old = parse_config(demo_raw())
    raw = demo_raw()
    raw["services"] = [s for s in raw["services"] if s["code"] != "kartu_kuning"]
    raw["services"][0]["prefix"] = "Z"                        # perizinan_berusaha: A → Z
    raw["services"][-1]["lanes"] = ["general", "disability"]  # pengambilan_dokumen loses senior
    raw["counters"] = [c for c in raw["counters"] if c["number"] not in (3, 4)]
    for counter in raw["counters"]:
        counter["services"] = [code for code in counter["services"] if code not in ("kartu_kuning",)]
    raw["counters"].append({"number": 9, "services": ["izin_kesehatan"]})
    new = parse_config(raw)
    usage = Usage(tickets={("kartu_kuning", "general", "done"): 2, ("perizinan_berusaha", "general", "waiting"): 1,
                           ("pengambilan_dokumen", "senior", "waiting"): 3},
                  busy_counters=frozenset({3}), held_counters={4: "petugas"})
    found = refusals(old, new, usage)
    assert [(r.section, r.key, r.field) for r in found] == [
        ("services", "perizinan_berusaha", "prefix"), ("services", "kartu_kuning", ""),
        ("services", "pengambilan_dokumen", "lanes"), ("counters", 3, ""), ("counters", 4, "")]
    old_raw = demo_raw()
    assert [r.path(old_raw) for r in found] == ["services[0].prefix", "services[3]", "services[5].lanes",
                                                "counters[2]", "counters[3]"]
    assert found[1].text() == "kartu_kuning has 2 tickets today: remove it after today's service."
    assert found[4].text() == "petugas is signed in at counter 4: close the counter first."
    assert refusals(old, new, Usage()) == []


def test_a_declared_lane_with_tickets_today_stays():
    old = parse_config(demo_raw())
    raw = demo_raw()
    del raw["lanes"]["pregnant_children"]
    raw["policy"]["lane_classes"].pop("pregnant_children")
    raw["counters"][-1]["lanes"].remove("pregnant_children")
    found = refusals(old, parse_config(raw), Usage(tickets={("konsultasi", "pregnant_children", "done"): 1}))
    assert [(r.section, r.key, r.path(raw)) for r in found] == [("lanes", "pregnant_children", "lanes.pregnant_children")]
