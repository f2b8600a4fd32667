"""The office edited while the server runs: from the admin's form or by hand in office.toml.

office.toml stays the single source of truth. The editor saves through `LiveConfig.save`,
which validates, writes the file (`shared/config_files.py`) and applies it; a hand edit is
noticed by a scheduler job (`check_file`, every few seconds: the file's size and mtime) and
applied the same way. Applying (`services.office_setup.apply`) swaps `office.config` inside
one write, after checking that nothing today's queue uses is taken away; an edit that fails
validation or that check is refused (the form shows why, next to the field) or, for a hand
edit, logged with its field-named error while the running configuration stays.

How the screens learn of it:

- displays and consoles get a fresh `queue` snapshot at once (the `QueueChanged` the swap
  raises), and a `config` event (`{"version"}`) on `/display` and the staff room of `/counter`:
  a display re-reads its setup (names, counters, services) without reloading, so its sound
  stays on; every snapshot also carries `config`, so a display that was away notices too;
- kiosks have no socket: every response carries `X-Antrean-Config`, the version of the file
  in force, and the kiosk shell's heartbeat reloads the start screen when it changes while
  no visitor is in the middle of a ticket.

Some settings are read once at start and need a restart: `[notifications]` (its subscriber
and jobs) is the one an edit cannot change live; the server logs that it needs a restart.
"""
from __future__ import annotations

import logging
import os
import threading
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app

from ..config_files import OfficeFile, read, version_of, write
from ..domain.config import ConfigError, OfficeConfig, parse_config
from ..domain.config_edits import ConfigInUse
from ..office import Office
from ..services import office_setup
from ..store import Connection
from ..tokens import TicketTokens
from .scheduler import Job

log = logging.getLogger(__name__)

HEADER = "X-Antrean-Config"
WATCH_EVERY_SECONDS = 5


@dataclass(frozen=True)
class Draft:
    """office.toml as the editor opens it: its version, and its contents when they parse.

    `raw` is None when the file is not valid TOML (only a hand edit can fix that);
    `error` says what is wrong when the file parses but is not a valid office.
    """

    version: str
    raw: dict | None
    error: str | None


class LiveConfig:
    """Saves edits to office.toml and applies them, and those made by hand, to the running office."""

    def __init__(self, app, office: Office, screens, path: Path):
        self.app = app
        self.office = office
        self.screens = screens
        self.path = Path(path)
        self._lock = threading.Lock()
        self._seen = self._stat()
        self._refused: str | None = None   # an invalid hand edit's version, already logged
        self._waiting: str | None = None   # a hand edit today's queue forbids for now, already logged
        self._started_notifications = office.config.notifications   # read once, at start
        office.config_version = version_of(self.path.read_bytes())

    # -- the editor -------------------------------------------------------------------------

    def draft(self) -> Draft:
        """The file as it is now, for the editor to start from."""
        data = self.path.read_bytes()
        try:
            raw = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            return Draft(version_of(data), None, f"not valid TOML: {error}")
        try:
            parse_config(raw)
        except ConfigError as error:
            return Draft(version_of(data), raw, str(error))
        return Draft(version_of(data), raw, None)

    def save(self, db: Connection, raw: dict, expected_version: str, *, by=None, section: str | None = None) -> OfficeFile:
        """Validate, write and apply an edited office (ConfigError, ConfigChanged, ConfigInUse)."""
        with self._lock:
            written: list[OfficeFile] = []

            def commit() -> str:
                written.append(write(self.path, raw, expected_version, self.office.clock()))
                return written[0].version

            config = parse_config(raw)   # refuse an invalid office before looking at the queue
            office_setup.apply(self.office, db, config, commit=commit, by=by, section=section)
            saved = written[0]
            self._seen = self._stat()
            self._refused = self._waiting = None
            self._applied(config, saved.version)
            return saved

    # -- hand edits -------------------------------------------------------------------------

    def check_file(self, db: Connection) -> bool:
        """Apply office.toml if it changed on disk since last seen; True when a change was applied."""
        with self._lock:
            seen = self._stat()
            if seen == self._seen:
                return False
            self._seen = seen
            try:
                data = self.path.read_bytes()
            except OSError as error:
                log.warning("office.toml cannot be read (%s); the running configuration stays", error)
                return False
            version = version_of(data)
            if version in (self.office.config_version, self._refused):
                return False
            try:
                found = read(self.path)
            except ConfigError as error:
                self._refuse(version, str(error))
                return False
            try:
                office_setup.apply(self.office, db, found.config, found.version)
            except ConfigInUse as error:
                # Safe later (the tickets served, the counter closed): look again next round.
                self._seen = None
                if self._waiting != version:
                    log.warning("office.toml was edited on disk but is not applied yet: %s; the running "
                                "configuration stays until then", "; ".join(
                                    f"{refusal.path(found.raw)}: {refusal.text()}" for refusal in error.refusals))
                self._waiting = version
                return False
            self._refused = self._waiting = None
            log.warning("office.toml was edited on disk: applied (version %s)", found.version)
            self._applied(found.config, found.version)
            return True

    def job(self) -> Job:
        """The scheduler job that notices hand edits."""
        return Job("apply office.toml edited by hand", WATCH_EVERY_SECONDS, lambda _office, db: self.check_file(db))

    def _refuse(self, version: str, reason: str) -> None:
        if self._refused != version:
            log.warning("office.toml was edited on disk but is not applied: %s; the running configuration stays",
                        reason)
        self._refused = version

    # -- after a change ---------------------------------------------------------------------

    def _applied(self, config: OfficeConfig, version: str) -> None:
        """What else depends on the config: token lifetimes, and every connected screen."""
        secret = self.app.config["SECRET_KEY"]
        self.app.extensions["antrean.tokens"] = TicketTokens(secret, timedelta(days=config.ticket_token_days))
        self.app.extensions["antrean.booking_tokens"] = TicketTokens(
            secret, timedelta(days=config.booking.window_days + 2), salt="booking")
        if config.notifications != self._started_notifications:
            log.warning("office.toml: [notifications] changed; restart the server to apply it")
        self.screens.config_changed(version)

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            found = os.stat(self.path)
        except OSError:
            return None
        return found.st_mtime_ns, found.st_size, found.st_ino


def current() -> LiveConfig:
    """The app's live configuration (for the office editor's pages)."""
    return current_app.extensions["antrean.live_config"]


def install(app, office: Office, screens, path: Path) -> LiveConfig:
    """Create the live configuration for the app; every response says which version is in force."""
    live = LiveConfig(app, office, screens, path)
    app.extensions["antrean.live_config"] = live

    @app.after_request
    def config_header(response):
        response.headers[HEADER] = office.config_version
        return response

    return live
