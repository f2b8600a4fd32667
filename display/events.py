"""Socket.IO namespace `/display`: public, read-only; the server pushes, clients only listen."""
from flask_socketio import emit

from shared.web import context
from shared.web.extensions import socketio
from shared.web.realtime import DISPLAY


@socketio.on("connect", namespace=DISPLAY)
def connect(auth=None):
    """Display connects (`auth: {"since": last seq}` after a reconnect) → server replays the
    calls it missed that still stand, then sends a full `snapshot`."""
    since = auth.get("since") if isinstance(auth, dict) else None
    missed, snapshot = context.screens().on_connect(context.db(), since)
    for call in missed:
        emit("called", call)
    emit("snapshot", snapshot)
