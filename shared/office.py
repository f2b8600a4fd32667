"""The office this server runs: its rules (office.toml), its database and its clock.

Services, views, the relay and the scheduler all take an `Office`, so every part reads
time from the same injected clock (tests hand in a `ManualClock`). The config is replaced
whole when the admin edits the office (`services.office_setup`): code reads `office.config`
when it needs it rather than keeping a copy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .clock import Clock, utc_now
from .domain.config import OfficeConfig
from .domain.officetime import business_date
from .store import Store


@dataclass
class Office:
    """One office: configuration, store and clock, handed to every service and view."""

    config: OfficeConfig
    store: Store
    clock: Clock = field(default=utc_now)
    # Which office.toml the config came from (a hash of the file): screens compare it to learn
    # that the office was edited while they ran. Only `services.office_setup.apply` changes both.
    config_version: str = ""

    def today(self, now: datetime | None = None) -> str:
        """The business date at `now` (default: the clock) in the office's time zone."""
        return business_date(now or self.clock(), self.config.zone)
