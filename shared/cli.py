"""The `antrean` command: serve an office, register kiosks, manage staff accounts."""
from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import click

from . import simulation
from .clock import utc_now
from .domain.addresses import address_url, host_of, is_loopback, is_unspecified
from .domain.config import ConfigError, OfficeConfig, load_config
from .domain.errors import DomainError
from .instance import InstancePaths, ServingLockTaken, ensure_instance, exclusive_lock, hold_serving_lock
from .domain.model import ROLES
from .services import accounts
from .services import audit as audit_service
from .domain import audit as audit_rule
from .store import Store
from .store.schema import MIGRATIONS


def _open(instance: str):
    try:
        paths, created = ensure_instance(instance)
        load_config(paths.config)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    ctx = click.get_current_context()
    chosen = ctx.find_root().get_parameter_source("instance") != click.core.ParameterSource.DEFAULT
    if created and chosen and not ctx.find_root().obj.get("demo"):
        # A mistyped --instance must not pass unnoticed as a fresh office with demo accounts.
        click.echo(click.style(f"No office was found at {paths.root}: a NEW DEMO OFFICE with demo accounts was "
                               "created there.\nIf you meant an existing office, stop and check --instance "
                               "(pass --demo to create a demo office on purpose).", fg="red", bold=True),
                   err=True)
    store = Store(paths.database)
    store.migrate()
    return paths, created, store


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--instance", envvar="ANTREAN_INSTANCE", default="instance", show_default=True,
              help="The office's folder (office.toml, database, secret key).")
@click.option("--demo", is_flag=True, help="Create the demo office if the folder has no office yet.")
@click.pass_context
def main(ctx: click.Context, instance: str, demo: bool) -> None:
    """Antrean: queue and appointment system for a public-service office."""
    ctx.obj = {"instance": instance, "demo": demo}


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--async-mode", type=click.Choice(["gevent", "threading"]), default="gevent", show_default=True,
              help="gevent (measured best, see docs/PERFORMANCE.md) or threads.")
@click.option("--quiet", is_flag=True, help="No access log.")
@click.option("--secure-cookies", is_flag=True, envvar="ANTREAN_SECURE_COOKIES",
              help="Send cookies over https only (behind a TLS reverse proxy). Also ANTREAN_SECURE_COOKIES=1.")
@click.option("--behind-proxy", is_flag=True, envvar="ANTREAN_BEHIND_PROXY",
              help="Behind one reverse proxy (nginx) on this computer: take the client's address and scheme from "
                   "its X-Forwarded-For/-Proto headers. Also ANTREAN_BEHIND_PROXY=1.")
@click.option("--staff-idle-hours", type=click.FloatRange(min=0.1), envvar="ANTREAN_STAFF_IDLE_HOURS", default=10,
              show_default=True, help="A staff session unused this long ends. Also ANTREAN_STAFF_IDLE_HOURS.")
@click.option("--demo-history", "history_days", type=click.IntRange(0, 366), default=0, show_default=True,
              help="When this start creates the demo office, fill its last DAYS days (as `demo-history`), so "
                   "the reports have something to show.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, async_mode: str, quiet: bool, secure_cookies: bool,
          behind_proxy: bool, staff_idle_hours: float, history_days: int) -> None:
    """Serve the office (an empty or missing instance becomes the demo office)."""
    # The app reads these in the server's worker, which inherits this environment.
    os.environ["ANTREAN_SECURE_COOKIES"] = "1" if secure_cookies else "0"
    os.environ["ANTREAN_BEHIND_PROXY"] = "1" if behind_proxy else "0"
    os.environ["ANTREAN_STAFF_IDLE_HOURS"] = str(staff_idle_hours)
    # `antrean restore` refuses while this process (or its worker) lives; taken before the
    # database is opened and migrated, so a server never starts on a half-restored office.
    folder = InstancePaths(Path(ctx.obj["instance"]).resolve())
    held = folder.root.is_dir()
    if held:
        _hold_serving_lock(folder)
    paths, created, store = _open(ctx.obj["instance"])
    if not held:   # a new folder (the demo office) exists only now
        _hold_serving_lock(paths)
    seeded = _seed_history(paths, store, history_days) if created and history_days and paths.demo_note.exists() else 0
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    config = load_config(paths.config)
    click.echo(f"Antrean — {config.name}" + (" (new demo office)" if created else ""))
    click.echo(f"  Kiosk:    {base}/kiosk/app  (start the kiosk's browser here; it rides out restarts)")
    click.echo(f"  Counter:  {base}/counter/")
    click.echo(f"  Display:  {base}/display/")
    click.echo(f"  Booking:  {base}/booking (appointments and the online line, on a phone)")
    click.echo(f"  Reports:  {base}/counter/reports (supervisors)" +
               (f"; the demo's last {history_days} days hold {seeded} invented tickets" if seeded else ""))
    served_at = _phones_address(config, host, port)
    if paths.demo_note.exists() and created:
        # Shown once, when the demo office is made: never again in a log of a later start.
        for line in paths.demo_note.read_text().splitlines():
            click.echo(f"  {line}")
        token = paths.demo_note.read_text().rsplit("Demo kiosk token: ", 1)[-1].strip()
        click.echo(f"  Open the kiosk once with: {base}/kiosk/app#register={token}")
    elif paths.demo_note.exists():
        click.echo(f"  Sign in:  the demo logins and the kiosk token are in {paths.demo_note} (readable by you only;"
                   " open the kiosk once at /kiosk/app#register=<token>). Delete the file before real use.")
    sys.stdout.flush()
    from .server import OfficeServer

    OfficeServer(str(paths.root), host, port, async_mode=async_mode, access_log=not quiet,
                 public_url=served_at).run()


def _hold_serving_lock(paths: InstancePaths) -> None:
    try:
        hold_serving_lock(paths)
    except ServingLockTaken as error:
        raise click.ClickException(str(error)) from None


def _phones_address(config: OfficeConfig, host: str, port: int) -> str | None:
    """Say which address the QR codes and visitors' links will name, and warn when no phone
    could open it. Returns the address worked out from `--host` when office.toml sets none."""
    if config.public_url:
        click.echo(f"  Phones:   {config.public_url} (office.toml [office] public_url: in QR codes and links)")
        if is_loopback(host_of(config.public_url)):
            _warn(f"[office] public_url {config.public_url} is a loopback address: phones cannot open the QR "
                  "codes on tickets. Give this computer's address on the office network instead.")
        return None
    found = serving_address(host, port)
    if found:
        click.echo(f"  Phones:   {found} (this computer's network address, in QR codes and links; "
                   "set [office] public_url in office.toml to name another)")
    elif is_loopback(host):
        _warn(f"The server listens on {host} only and office.toml sets no [office] public_url: phones can "
              "open neither the pages nor the QR codes on tickets. Serve on the office network "
              "(--host 0.0.0.0, or `make run HOST=0.0.0.0`), or set public_url under [office] in office.toml.")
    else:
        _warn("No network address of this computer was found and office.toml sets no [office] public_url: "
              "QR codes name whatever address each kiosk opened the server at. Set public_url under "
              "[office] in office.toml.")
    return found


def _warn(text: str) -> None:
    click.echo(click.style(f"  Warning: {text}", fg="yellow", bold=True), err=True)


def serving_address(host: str, port: int) -> str | None:
    """Where phones can reach a server listening on `host:port`, when office.toml names none.

    On every network (`0.0.0.0`) it is this computer's address on the network it reaches others
    by; on one named address, that address; on a loopback address, nowhere (None).
    """
    if is_loopback(host):
        return None
    if is_unspecified(host):
        found = lan_address()
        return address_url(found, port) if found else None
    return address_url(host, port)


# Any address off this computer: connecting a UDP socket to it sends nothing, it only makes the
# system choose the network (and so the local address) it would use. TEST-NET-1, never routed.
_ROUTE_PROBE = ("192.0.2.1", 9)


def lan_address() -> str | None:
    """This computer's IPv4 address on its main network, or None without one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_ROUTE_PROBE)
            address = probe.getsockname()[0]
    except OSError:
        return None
    return None if is_loopback(address) or is_unspecified(address) else address


@main.group()
def kiosk() -> None:
    """Registered kiosk devices."""


@kiosk.command("add")
@click.argument("name")
@click.pass_context
def kiosk_add(ctx: click.Context, name: str) -> None:
    """Register a kiosk; prints its token alone on the last line."""
    _paths, _created, store = _open(ctx.obj["instance"])
    db = store.connect()
    try:
        token = accounts.register_kiosk(db, name, utc_now())
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    click.echo(f"Kiosk '{name}' registered. Open /kiosk/app#register=<token> on the kiosk (or /kiosk/register "
               "and enter the token), or make a one-time link in the browser under /admin/kiosks. Its token:")
    click.echo(token)


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted (hidden) when left out.")
@click.pass_context
def user_add(ctx: click.Context, name: str, role: str, password: str) -> None:
    """Create a staff account (or reset its password and role)."""
    _paths, _created, store = _open(ctx.obj["instance"])
    db = store.connect()
    try:
        staff = accounts.add_staff(db, name, password, role, utc_now())
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    click.echo(f"Staff account '{staff.username}' ({staff.role}) saved.")


@main.group()
def audit() -> None:
    """The office's tamper-evident audit trail."""


@audit.command("verify")
@click.option("--against", "backup_file", type=click.Path(exists=True, dir_okay=False),
              help="A backup: the trail must still hold the newest row it had, unchanged.")
@click.pass_context
def audit_verify(ctx: click.Context, backup_file: str | None) -> None:
    """Exit 0 when the audit chain is intact; otherwise name the first broken row and exit 1."""
    _paths, _created, store = _open(ctx.obj["instance"])
    against = None
    if backup_file:
        try:
            against = audit_service.head_of_backup(backup_file)
        except ValueError as error:
            raise click.ClickException(f"{backup_file}: {error}") from None
        if against is None:
            raise click.ClickException(f"{backup_file} holds no audit trail to compare with")
    db = store.connect()
    try:
        verdict = audit_service.verify(db, against=against)
    finally:
        db.close()
    if verdict.intact:
        click.echo(f"Audit trail intact: {verdict.rows} rows; head row {verdict.head_id}, hash {verdict.head_hash}")
        return
    click.echo(f"Audit trail BROKEN at row {verdict.broken.row_id}: {verdict.broken.explain()}. "
               f"{verdict.rows} rows before it are intact.", err=True)
    ctx.exit(1)


@main.command()
@click.argument("scenario")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the table.")
@click.option("--chart", type=click.Path(dir_okay=False, writable=True),
              help="Also write an SVG chart of p95 waits to this file.")
@click.option("--seed", type=int, default=None, help="Random seed for the day's visitors (default: the scenario's).")
def simulate(scenario: str, as_json: bool, chart: str | None, seed: int | None) -> None:
    """Compare FIFO, strict priority and the office policy on a simulated day (a file, or mpp, malang, booking)."""
    try:
        report = simulation.compare(simulation.load_scenario(scenario), seed=seed)
    except ConfigError as error:
        raise click.ClickException(str(error)) from None
    if chart:
        Path(chart).write_text(simulation.svg_chart(report), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    click.echo(simulation.format_report(report))
    if chart:
        click.echo(f"\nChart of p95 waits written to {chart}")


def _seed_history(paths, store: Store, days: int) -> int:
    from .office import Office
    from .services import history

    office = Office(load_config(paths.config), store, utc_now)
    db = store.connect()
    try:
        return history.seed_demo(office, db, days)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()


@main.command("demo-history")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366),
              help="How many days before today to fill.")
@click.option("--force", is_flag=True, help="Also on an office that is not the demo office.")
@click.pass_context
def demo_history(ctx: click.Context, days: int, force: bool) -> None:
    """Fill the demo office's past days with plausible tickets, so the reports have a month to show."""
    paths, _created, store = _open(ctx.obj["instance"])
    if not paths.demo_note.exists() and not force:
        raise click.ClickException("this is not the demo office: its history would mix invented tickets with "
                                   "real ones (pass --force if you really mean it)")
    written = _seed_history(paths, store, days)
    click.echo(f"{written} past tickets written over the last {days} days; see /counter/reports.")


@main.command()
@click.pass_context
def purge(ctx: click.Context) -> None:
    """Delete contacts and other personal data past [privacy] retention_days; statistics stay."""
    from .office import Office
    from .services import privacy

    paths, _created, store = _open(ctx.obj["instance"])
    office = Office(load_config(paths.config), store, utc_now)
    db = store.connect()
    try:
        counts = privacy.purge(office, db, by=audit_rule.CLI)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.close()
    click.echo(f"Removed past {office.config.privacy.retention_days} days of retention:")
    for kind, count in counts.as_dict().items():
        click.echo(f"  {kind.replace('_', ' ')}: {count}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@click.pass_context
def backup(ctx: click.Context, file: str) -> None:
    """Write a consistent copy of the database to FILE (safe while the server serves)."""
    from .services import backups

    _paths, _created, store = _open(ctx.obj["instance"])
    try:
        info = backups.backup(store, file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {info.path} ({info.size / 1e6:.1f} MB, schema version {info.version}, "
               "integrity_check ok).")
    head = audit_service.head_of_backup(info.path)
    if head is not None:
        # The trail's newest row as copied: `audit verify --against FILE` later proves it is still there.
        click.echo(f"Audit trail head in the backup: row {head[0]}, hash {head[1]}")
    audit_service.record_now(store, utc_now(), audit_rule.CLI, "backup.taken", file=info.path.name,
                             head=head[0] if head else None)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.pass_context
def restore(ctx: click.Context, file: str) -> None:
    """Replace the database with the backup FILE (stop the server first; the current one is kept aside)."""
    from .services import backups

    paths = InstancePaths(Path(ctx.obj["instance"]).resolve())
    if not paths.config.exists():
        raise click.ClickException(f"no office at {paths.root} (no office.toml): copy the office's folder "
                                   "(office.toml and secret_key) there first, then restore its database")
    try:
        lock = exclusive_lock(paths)
    except ServingLockTaken as error:
        raise click.ClickException(f"not restored: {error}") from None
    try:
        aside = backups.restore(paths.database, file, utc_now())
    except backups.BackupError as error:
        raise click.ClickException(f"not restored: {error}; the current database is unchanged") from None
    finally:
        lock.close()
    if backups.check(paths.database) == len(MIGRATIONS):
        # Recorded in the restored trail; an older backup is brought up to date (and its trail
        # started) by the next `serve`, which this command leaves to it.
        audit_service.record_now(Store(paths.database), utc_now(), audit_rule.CLI, "backup.restored",
                                 file=Path(file).name)
    kept = f" The previous database is kept as {aside}." if aside else ""
    click.echo(f"Restored {file} as the office's database.{kept}\n"
               "Start the server again (`antrean serve`): it brings an older backup's schema up to date.")


if __name__ == "__main__":  # pragma: no cover
    main()
