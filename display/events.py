"""Socket.IO namespace `/display`: public, read-only; the server pushes, clients only listen."""
from flask import current_app
from flask_socketio import emit

from shared.web import context
from shared.web.extensions import socketio
from shared.web.realtime import DISPLAY


@socketio.on("connect", namespace=DISPLAY)
def connect(*_args):
    """Display connects → server sends it a full `snapshot` (also after every reconnect)."""
    emit("snapshot", current_app.extensions["antrean.publisher"].snapshot(context.db(), context.now()))
