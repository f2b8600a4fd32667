"""Socket.IO namespace `/ticket`: a visitor's phone follows one ticket live."""
from __future__ import annotations

from flask import request
from flask_socketio import emit, join_room

from flask_babel import gettext
from shared.views import tickets as ticket_views
from shared.web import context
from shared.web.extensions import socketio
from shared.web.realtime import TICKET, ticket_room


@socketio.on("watch", namespace=TICKET)
def watch(data):
    """Phone → server `watch {"token"}`; server → that phone `ticket` now and on every change."""
    token = data.get("token") if isinstance(data, dict) else None
    ticket_id = context.tokens().read(token, context.now()) if isinstance(token, str) else None
    ticket = ticket_views.find(context.db(), ticket_id) if ticket_id is not None else None
    if ticket is None:
        emit("error", {"error": {"code": "unknown_ticket", "message": gettext("This ticket link is not valid or has expired.")}})
        return
    join_room(ticket_room(ticket.id))
    payload = ticket_views.public_view(context.office(), context.db(), ticket)
    context.screens().watch(request.sid, ticket, payload)
    emit("ticket", payload)


@socketio.on("disconnect", namespace=TICKET)
def disconnect(*_args):
    """A phone went away: its watches end."""
    context.screens().forget(request.sid)
