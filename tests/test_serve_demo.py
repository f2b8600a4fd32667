"""`make run`'s first start: a new demo office with a month of invented history for the reports,
its logins printed, and a trail that verifies."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
from click.testing import CliRunner

from shared.cli import main
from tests.helpers.live import REPO, free_port

pytestmark = pytest.mark.server


def test_a_new_demo_office_starts_with_history_and_says_so(tmp_path):
    instance, port = tmp_path / "instance", free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "--instance", str(instance), "--demo", "serve",
             "--demo-history", "5", "--port", str(port), "--quiet"],
            cwd=REPO, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/api/services", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            pytest.fail(log.read_text())
        output = log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Demo office logins" in output
    reports = next(line for line in output.splitlines() if "Reports:" in line)
    seeded = int(reports.split(" hold ")[1].split()[0])
    assert seeded > 0 and "/counter/reports" in reports
    verified = CliRunner().invoke(main, ["--instance", str(instance), "audit", "verify"])
    assert verified.exit_code == 0, verified.output

    # A later start of the same office adds nothing and says nothing about history.
    second = CliRunner().invoke(main, ["--instance", str(instance), "demo-history", "--days", "5"])
    assert second.exit_code != 0 and "already has tickets" in second.output
