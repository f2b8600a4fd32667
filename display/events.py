"""Socket.IO namespace `/display`: public, read-only; the server pushes, clients only listen."""
from flask_socketio import emit

from shared.web import context
from shared.web.extensions import socketio
from shared.web.realtime import DISPLAY

# The event log's sequence is an SQLite rowid: it never passes 2**63 - 1.
LAST_SEQ = 2**63 - 1


@socketio.on("connect", namespace=DISPLAY)
def connect(auth=None):
    """Display connects (`auth: {"since": last seq}` after a reconnect) → server replays the
    calls it missed that still stand, then sends a full `snapshot`."""
    missed, snapshot = context.screens().on_connect(context.db(), _since(auth))
    for call in missed:
        emit("called", call)
    emit("snapshot", snapshot)


def _since(auth) -> int | None:
    """The `seq` a reconnecting display says it had, or None (a full snapshot, nothing replayed)
    for anything the log cannot hold: a number past SQLite's 64 bits overflowed the query and the
    display got an `error` instead of its snapshot."""
    since = auth.get("since") if isinstance(auth, dict) else None
    if isinstance(since, int) and not isinstance(since, bool) and 0 <= since <= LAST_SEQ:
        return since
    return None
