"""What docs/DEPLOY.md relies on: every `antrean` command it writes exists, every office.toml
key it names is one the office file accepts, and `--behind-proxy` takes the client's address
from nginx's header (and only with the option)."""
from __future__ import annotations

import re
import tomllib

import click
import pytest

from shared.cli import main
from shared.domain.config import DEMO_TEMPLATE, parse_config
from shared.web import create_app
from tests.test_architecture import REPO

DEPLOY = (REPO / "docs" / "DEPLOY.md").read_text(encoding="utf-8")


def test_every_antrean_command_in_deploy_exists():
    text = re.sub(r"\\\n\s*", " ", DEPLOY)   # shell lines continued with a backslash
    used = re.findall(r"(?:bin/antrean|\$A|`antrean)(?: --instance \S+)?(?: --demo)? ([a-z]+)(?: ([a-z]+))?", text)
    assert {command for command, _sub in used} >= {"serve", "user", "kiosk", "backup", "restore", "audit"}
    for command, sub in used:
        assert command in main.commands, f"DEPLOY.md uses `antrean {command}`, which does not exist"
        group = main.commands[command]
        if isinstance(group, click.Group):
            assert sub in group.commands, f"DEPLOY.md uses `antrean {command} {sub}`, which does not exist"
    options = {option for param in main.commands["serve"].params for option in param.opts}
    for option in re.findall(r"antrean serve ([^\n`]*)", DEPLOY):
        for flag in re.findall(r"--[a-z-]+", option):
            assert flag in options, f"DEPLOY.md passes {flag} to serve"


def test_every_office_key_in_deploy_is_accepted():
    named = set(re.findall(r"`\[([a-z]+)\] ([a-z_]+)`", DEPLOY)) | {
        (section, key) for section, keys in re.findall(r"`\[([a-z]+)\]` \(([^)]*)\)", DEPLOY)
        for key in re.findall(r"`([a-z_]+)`", keys)}
    assert ("backup", "keep") in named and ("privacy", "retention_days") in named
    values = {"public_url": "https://antrean.kantor.lan", "retention_days": 30, "contact": "meja informasi",
              "keep": 7, "hour": 1, "secret_file": "secret"}
    for section, key in named:
        raw = tomllib.loads(DEMO_TEMPLATE.read_text(encoding="utf-8"))
        if section == "notifications":
            raw[section] = {"webhook_url": "http://127.0.0.1:9/hook", key: values[key]}
            continue   # its secret file must exist; the key's name is what matters here
        raw.setdefault(section, {})[key] = values[key]
        parse_config(raw)   # an unknown key in [privacy]/[backup], or a bad value, raises


@pytest.mark.parametrize("behind_proxy, expected", [("1", ("203.0.113.9", "https")), ("0", ("127.0.0.1", "http"))])
def test_behind_proxy_reads_the_client_from_nginx_headers(instance_dir, monkeypatch, behind_proxy, expected):
    monkeypatch.setenv("ANTREAN_BEHIND_PROXY", behind_proxy)
    app = create_app({"TESTING": True, "ANTREAN_ASYNC_MODE": "threading"}, instance_path=instance_dir)
    seen = []

    @app.get("/_client")
    def client_address():
        from flask import request

        seen.append((request.remote_addr, request.scheme))
        return ""

    app.test_client().get("/_client", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                          headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
    assert seen == [expected]
