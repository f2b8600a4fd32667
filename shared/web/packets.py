"""The Socket.IO packets the server sends: JSON text, never binary attachments.

python-socketio walks every payload it sends, each nested dict and list, looking for `bytes`
to send as binary attachments. Antrean's screens are only ever sent JSON, and a call sends one
message to each of ~300 phones: that walk was ~4 ms of the worker's ~28 ms per call with 2,000
sockets (docs/PERFORMANCE.md). `TextPacket` is python-socketio's own switch for a serializer
without binary events (its msgpack packet uses it too). Frames a client sends are read as
before, binary attachments included.
"""
from __future__ import annotations

from socketio import packet


class TextPacket(packet.Packet):
    """A Socket.IO packet whose payload is sent as JSON text, without looking for bytes in it."""

    uses_binary_events = False
