"""Socket.IO namespace `/counter`: staff consoles hear about calls and queue changes."""
from flask_socketio import join_room

from shared.web.auth import connect_staff
from shared.web.extensions import socketio
from shared.web.realtime import COUNTER, STAFF_ROOM


@socketio.on("connect", namespace=COUNTER)
def connect(auth=None):
    """Console connects with its session cookie (or `auth: {"token"}`); refused otherwise.
    It closes when its officer's sessions end (sign-out, new password, removal…)."""
    if connect_staff(auth) is None:
        return False
    join_room(STAFF_ROOM)
    return True
