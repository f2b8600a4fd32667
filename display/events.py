"""Socket.IO namespace `/display`: public, read-only; the server pushes, clients only listen."""
from flask_socketio import emit

from shared.web import context
from shared.web.extensions import socketio
from shared.web.realtime import DISPLAY


@socketio.on("connect", namespace=DISPLAY)
def connect(auth=None):
    """Display connects (`auth: {"since": last seq}` after a reconnect) → server replays the
    calls it missed that still stand, then sends a full `snapshot`."""
    screens, db = context.screens(), context.db()
    since = auth.get("since") if isinstance(auth, dict) else None
    for call in screens.missed_calls(db, since):
        emit("called", call)
    emit("snapshot", screens.snapshot(db))
