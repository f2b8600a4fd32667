"""Socket.IO events that fail are answered with an `error` event, never with silence.

A client may send an event with any arguments; a handler that still fails is a real fault,
logged once with its traceback (as an HTTP 500 is), and the client hears `error` instead of
the event loop printing a traceback. A frame Socket.IO cannot decode never reaches a handler:
`answer_malformed_frames` answers it (a refused connect, or `error` on a joined namespace) with
one log line; what python-engineio itself refuses is reduced to one log line by
`shared.redaction.MalformedFrames`, installed by `quiet_frames`. A number too long to be exact is
not undecodable: `FrameJSON` hands it to the handler, which refuses it as any other wrong value.
"""
from __future__ import annotations

import json
import logging
import re

from flask import request
from flask_babel import gettext
from flask_socketio import emit
from socketio import packet

from ..i18n import N_
from ..redaction import MalformedFrames
from .extensions import socketio

SOCKET_LOGGERS = ("engineio.server", "socketio.server")
FAILED = N_("Something went wrong on the server. Please try again.")
MALFORMED = N_("The message could not be read.")
# A frame's packet type and namespace, read without its data: `40/display,…`, `451-/ticket,…`.
FRAME_HEAD = re.compile(r"([0-6])(?:\d{1,10}-)?(/[^,]*)?")
# What a decoder raises on text it cannot read (JSON cut short, an id of 101 digits, a bare
# object where a list belongs, nesting past the recursion limit).
DECODING = (ValueError, TypeError, IndexError, KeyError, RecursionError)

log = logging.getLogger(__name__)

# Python reads a long run of digits as an int in quadratic time, so python-engineio refuses a
# frame holding one longer than this; FrameJSON reads it as a float instead, in linear time.
EXACT_DIGITS = 100


def _frame_int(digits: str) -> int | float:
    return int(digits) if len(digits) <= EXACT_DIGITS else float(digits)


class FrameJSON:
    """The JSON module the Socket.IO server reads frames with (its `json=` option).

    python-engineio's own refuses a whole frame for an integer over 100 digits: the phone or
    display that sent `watch {"token": 1000…}` or connected with `{"since": 1000…}` heard nothing
    at all (no `error`, no answer to its connect) while the frame was logged as malformed. Read as
    a float (`inf` past 308 digits), such a number reaches the handler, which answers it like any
    other value of the wrong type: an `error` event, a refused connect, or a full snapshot."""

    @staticmethod
    def dumps(*args, **kwargs) -> str:
        return json.dumps(*args, **kwargs)

    @staticmethod
    def loads(*args, **kwargs):
        kwargs.setdefault("parse_int", _frame_int)
        return json.loads(*args, **kwargs)


def quiet_frames() -> None:
    """Reduce the Socket.IO libraries' records of malformed frames to one line each."""
    for name in SOCKET_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(item, MalformedFrames) for item in logger.filters):
            logger.addFilter(MalformedFrames())


def socket_error(code: str, message: str) -> None:
    """Tell the client its event was refused: `error {"error": {"code", "message"}}`, as the API."""
    emit("error", {"error": {"code": code, "message": gettext(message)}})


@socketio.on_error_default
def handler_failed(error: Exception) -> None:
    """An event handler raised: a real fault, logged once with its traceback; the client hears it."""
    log.error("Socket.IO handler failed on %s", request.namespace, exc_info=error)
    socket_error("server_error", FAILED)


def answer_malformed_frames(app, server) -> None:
    """Answer the frames the Socket.IO server cannot decode, instead of dropping them in silence.

    python-socketio raised from its message dispatch, so the sender heard nothing: a CONNECT
    with an auth of digits (`40/display,1000…`, read as a 101-digit packet id) left the client
    waiting for an answer that never came. Now the frame is decoded first: an undecodable one
    costs one log line and is answered, a CONNECT with a refusal, anything else with `error` on
    a namespace the client has joined. Other clients never notice."""
    dispatch = server._handle_eio_message

    def guarded(eio_sid, data):
        if not isinstance(data, bytes) and eio_sid not in server._binary_packet:
            try:
                _dispatchable(server, eio_sid, server.packet_class(encoded_packet=data))
            except DECODING as error:
                _answer(app, server, eio_sid, data, error)
                return
        dispatch(eio_sid, data)

    server._handle_eio_message = guarded   # what Flask-SocketIO's test client calls
    server.eio.on("message", guarded)      # what a real connection's messages reach


def _dispatchable(server, eio_sid: str, pkt) -> None:
    """Raise for a decoded packet the server's dispatch would choke on: a type a client may not
    send, an event that is not `[name, …]` (`42/ticket,{}`, `42/ticket,[]`, `42/ticket,[5]`), or
    a binary packet announcing no attachment (the connection's next frames would all be taken
    for attachments) or outside a joined namespace."""
    binary = pkt.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK)
    if pkt.packet_type not in (packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK) and not binary:
        raise ValueError("a packet type a client may not send")
    if pkt.packet_type in (packet.EVENT, packet.BINARY_EVENT) and not (
            isinstance(pkt.data, list) and pkt.data and isinstance(pkt.data[0], str)):
        raise ValueError("an event that is not [name, ...]")
    if binary and (pkt.attachment_count < 1 or not server.manager.sid_from_eio_sid(eio_sid, pkt.namespace or "/")):
        raise ValueError("a binary packet without attachments or outside a joined namespace")


def _answer(app, server, eio_sid: str, data, error: Exception) -> None:
    log.warning("malformed Socket.IO frame answered: %s: %.80s", type(error).__name__, str(error))
    head = FRAME_HEAD.match(data) if isinstance(data, str) else None
    if head is None:
        return
    kind, namespace = int(head.group(1)), (head.group(2) or "/").split("?", 1)[0]
    environ = server.environ.get(eio_sid)
    context = app.request_context(environ) if environ else app.test_request_context()
    with context:
        message = gettext(MALFORMED)
    if kind == packet.CONNECT:
        server._send_packet(eio_sid, server.packet_class(packet.CONNECT_ERROR, data={"message": message},
                                                         namespace=namespace))
    elif server.manager.sid_from_eio_sid(eio_sid, namespace):
        server._send_packet(eio_sid, server.packet_class(packet.EVENT, namespace=namespace, data=[
            "error", {"error": {"code": "invalid_request", "message": message}}]))
