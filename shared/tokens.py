"""Signed ticket tokens for QR links: unguessable, tamper-proof and expiring.

The token carries the ticket id and the moment it was issued, signed with the instance's
secret; expiry is checked against a `now` passed in, so tests need no sleeping.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer


class TicketTokens:
    """Makes and checks the token in a ticket's QR code and status URL."""

    def __init__(self, secret: str, lifetime: timedelta, salt: str = "ticket"):
        self._serializer = URLSafeSerializer(secret, salt=salt)
        self._lifetime = lifetime

    def make(self, ticket_id: int, issued_at: datetime) -> str:
        """A token for this ticket, valid for the configured lifetime from `issued_at`."""
        return self._serializer.dumps([ticket_id, int(issued_at.timestamp())])

    def read(self, token: str, now: datetime) -> int | None:
        """The ticket id, or None when the token is forged, malformed or expired."""
        try:
            ticket_id, issued = self._serializer.loads(token)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(ticket_id, int) or not isinstance(issued, int):
            return None
        if now.timestamp() - issued > self._lifetime.total_seconds():
            return None
        return ticket_id
