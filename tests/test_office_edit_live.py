"""The office applied to the running server: saved from the editor or edited by hand in office.toml.

Through the app (test client and Socket.IO test client): the running config is swapped, the
API and every response say so, displays get a fresh snapshot and a `config` event; a removal
today's queue forbids changes nothing; a hand edit is applied, an invalid one logged once.
"""
from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

import pytest

from shared.config_files import version_of
from shared.domain.config_edits import ConfigInUse
from shared.web.extensions import socketio
from tests.test_kiosk_api import take
from tests.test_office_edit import with_service

# -- applying it live ---------------------------------------------------------------------------

def live(app):
    return app.extensions["antrean.live_config"]


def test_saving_applies_the_office_to_the_running_server(app, client, staff_headers):
    office = app.extensions["antrean.office"]
    display = socketio.test_client(app, namespace="/display", flask_test_client=client)
    display.get_received("/display")
    token = staff_headers()["Authorization"].split(" ", 1)[1]
    console = socketio.test_client(app, namespace="/counter", auth={"token": token}, flask_test_client=client)
    assert console.is_connected("/counter")
    console.get_received("/counter")
    draft = live(app).draft()
    assert draft.error is None and draft.version == office.config_version
    with app.app_context():
        from shared.web import context
        saved = live(app).save(context.db(), with_service(draft.raw), draft.version)
    assert office.config.service("paspor").prefix == "P" and office.config.counter(8).services == ("paspor",)
    assert office.config_version == saved.version
    response = client.get("/api/services")
    assert "paspor" in [service["code"] for service in response.get_json()]
    assert response.headers["X-Antrean-Config"] == saved.version
    received = display.get_received("/display")
    assert [p["name"] for p in received] == ["queue", "config"]
    assert received[0]["args"][0]["config"] == saved.version
    assert "paspor" in received[0]["args"][0]["waiting"]
    assert received[1]["args"][0] == {"version": saved.version}
    heard = console.get_received("/counter")
    assert [p["name"] for p in heard if p["name"] in ("queue", "config")] == ["queue", "config"], \
        "consoles re-render their panel on the queue message"


def test_a_removal_in_use_is_refused_and_nothing_changes(app, client, kiosk_headers):
    office = app.extensions["antrean.office"]
    take(client, kiosk_headers, {"service": "kartu_kuning", "lane": "general"})
    path = Path(app.config["OFFICE_CONFIG"])
    before = path.read_bytes()
    raw = tomllib.loads(before.decode())
    raw["services"] = [s for s in raw["services"] if s["code"] != "kartu_kuning"]
    for counter in raw["counters"]:
        counter["services"] = [code for code in counter["services"] if code != "kartu_kuning"]
    raw["counters"] = [c for c in raw["counters"] if c["services"]]
    with app.app_context(), pytest.raises(ConfigInUse) as refused:
        from shared.web import context
        live(app).save(context.db(), raw, version_of(before))
    assert [r.path(tomllib.loads(before.decode())) for r in refused.value.refusals] == ["services[3]"]
    assert path.read_bytes() == before
    assert office.config.service("kartu_kuning") is not None


def test_a_hand_edit_is_applied_and_an_invalid_one_logged_while_the_running_office_stays(app, client, caplog):
    office = app.extensions["antrean.office"]
    path = Path(app.config["OFFICE_CONFIG"])
    text = path.read_text()
    with app.app_context():
        from shared.web import context
        path.write_text(text.replace('name = "Loket 1"', 'name = "Loket Satu"'))
        assert live(app).check_file(context.db()) is True
        assert office.config.counter(1).name == "Loket Satu"
        assert live(app).check_file(context.db()) is False   # nothing new on disk

        applied = office.config
        caplog.set_level(logging.WARNING, logger="shared.web.live_config")
        path.write_text(text.replace('prefix = "B"', 'prefix = "b"'))
        assert live(app).check_file(context.db()) is False
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        assert live(app).check_file(context.db()) is False
    assert office.config is applied
    refused = [record.getMessage() for record in caplog.records if "not applied" in record.getMessage()]
    assert refused == ["office.toml was edited on disk but is not applied: services[1].prefix: 'b' must be one "
                       "capital letter A-Z; the running configuration stays"], "logged once, with its field"
