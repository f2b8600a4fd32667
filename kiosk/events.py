"""Socket.IO namespace `/ticket`: a visitor's phone follows one ticket live."""
from __future__ import annotations

from flask import request
from flask_socketio import emit, join_room

from shared.i18n import N_
from shared.views import tickets as ticket_views
from shared.web import context
from shared.web.extensions import socketio
from shared.web.realtime import TICKET, ticket_room
from shared.web.socket_errors import socket_error


# A ticket token is about 40 characters; anything much longer is not one.
MAX_TOKEN_LENGTH = 512


@socketio.on("watch", namespace=TICKET)
def watch(data=None, *_extra):
    """Phone → server `watch {"token"}`; server → that phone `ticket` now and on every change.

    Anything else (no object, no token, a token too long to be one, a forged or expired one)
    is answered with an `error` event, never with silence or a server fault."""
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        socket_error("invalid_request", N_("Send watch with the ticket's token."))
        return
    if len(token) > MAX_TOKEN_LENGTH:
        socket_error("too_large", N_("The request is too large."))
        return
    ticket_id = context.tokens().read(token, context.now())
    ticket = ticket_views.find(context.db(), ticket_id) if ticket_id is not None else None
    if ticket is None:
        socket_error("unknown_ticket", N_("This ticket link is not valid or has expired."))
        return
    join_room(ticket_room(ticket.id))
    payload = ticket_views.public_view(context.office(), context.db(), ticket)
    context.screens().watch(request.sid, ticket, payload)
    emit("ticket", payload)


@socketio.on("disconnect", namespace=TICKET)
def disconnect(*_args):
    """A phone went away: its watches end."""
    context.screens().forget(request.sid)
