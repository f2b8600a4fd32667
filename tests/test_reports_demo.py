"""`antrean demo-history`: the demo office gets a month to report on, and nothing else does."""
from __future__ import annotations

from datetime import date, timedelta

from click.testing import CliRunner

from shared.cli import main
from shared.domain.config import load_config
from shared.domain.statistics import ReportRange
from shared.office import Office
from shared.services import audit
from shared.store import Store
from shared.views import reports


def run(instance, *args):
    return CliRunner().invoke(main, ["--instance", str(instance), *args])


def test_the_demo_gets_a_month_of_history_once(instance_dir):
    result = run(instance_dir, "demo-history", "--days", "30")
    assert result.exit_code == 0, result.output
    written = int(result.output.split()[0])
    assert written > 500
    store = Store(instance_dir / "antrean.sqlite3")
    office = Office(load_config(instance_dir / "office.toml"), store)
    db = store.connect()
    try:
        yesterday = date.fromisoformat(office.today()) - timedelta(days=1)
        month = reports.summary(office, db, ReportRange(yesterday - timedelta(days=29), yesterday))
        today = reports.summary(office, db, ReportRange(yesterday + timedelta(days=1), yesterday + timedelta(days=1)))
        assert month["tickets"] == written and today["tickets"] == 0
        assert all(month["by_channel"][channel] > 0 for channel in ("walk_in", "appointment", "online"))
        assert month["served"] > 0.8 * written and month["no_show"] > 0 and month["cancelled"] > 0
        assert {row["username"] for row in month["officers"]} <= {"ani", "budi", "citra", "dedi", "eka", "fajar"}
        assert all(0 < row["utilisation"] <= 100 for row in month["counters"])
        assert month["satisfaction"]["responses"] > 0.2 * month["served"] and month["satisfaction"]["grade"]
        assert audit.verify(db).intact   # written through the store: every change has its audit row
    finally:
        db.close()
    again = run(instance_dir, "demo-history", "--days", "30")
    assert again.exit_code != 0 and "already has tickets" in again.output


def test_a_real_office_is_refused_unless_forced(instance_dir):
    (instance_dir / "demo-credentials.txt").unlink()
    refused = run(instance_dir, "demo-history", "--days", "3")
    assert refused.exit_code != 0 and "not the demo office" in refused.output
    forced = run(instance_dir, "demo-history", "--days", "3", "--force")
    assert forced.exit_code == 0, forced.output
