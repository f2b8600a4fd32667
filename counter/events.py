"""Socket.IO namespace `/counter`: staff consoles hear about calls and queue changes."""
from flask_socketio import join_room

from shared.web.auth import current_staff, staff_from_token
from shared.web.extensions import socketio
from shared.web.realtime import COUNTER, STAFF_ROOM


@socketio.on("connect", namespace=COUNTER)
def connect(auth=None):
    """Console connects with its session cookie (or `auth: {"token"}`); refused otherwise."""
    staff = current_staff()
    if staff is None and isinstance(auth, dict) and isinstance(auth.get("token"), str):
        staff = staff_from_token(auth["token"])
    if staff is None:
        return False
    join_room(STAFF_ROOM)
    return True
