"""Housekeeping that runs on a clock inside the serving process: lapsed invitations."""
from __future__ import annotations

import logging

from ..clock import utc_now
from ..office import Office

log = logging.getLogger(__name__)
TICK_SECONDS = 15


def start_ticker(socketio, office: Office) -> None:
    """Every few seconds, send invited visitors who did not come in back outside (and invite the next)."""

    def run() -> None:
        db = office.store.connect()
        while True:
            socketio.sleep(TICK_SECONDS)
            try:
                office.expire_invitations(db, utc_now())
            except Exception:  # keep ticking whatever one round does
                log.exception("invitation expiry failed")

    socketio.start_background_task(run)
