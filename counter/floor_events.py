"""Socket.IO namespace `/floor`: the supervisors' live floor and the silent alarm.

A supervisor's floor connects with the session cookie (or `auth: {"token"}`); officers,
kiosks and strangers are refused. The server puts it in the supervisors' room and sends
the whole floor at once; from then on the screens' subscriber pushes `floor` after every
change, and `alarm` the moment an officer presses the silent alarm.
"""
from flask import request
from flask_socketio import emit, join_room

from shared.web import context
from shared.web.auth import connect_staff
from shared.web.extensions import socketio
from shared.web.realtime import FLOOR, SUPERVISOR_ROOM


@socketio.on("connect", namespace=FLOOR)
def connect(auth=None):
    """Supervisor or admin only; then `floor` (the body of `GET /api/floor`)."""
    if connect_staff(auth, "supervisor") is None:  # closes when the supervisor's sessions end
        return False
    join_room(SUPERVISOR_ROOM)
    context.screens().floor_joined(request.sid)
    emit("floor", context.screens().floor(context.db()))
    return True


@socketio.on("disconnect", namespace=FLOOR)
def disconnect(*_args):
    """Stop computing the floor for a screen that is gone."""
    context.screens().floor_left(request.sid)
