"""Signed ticket tokens: forged, tampered and expired tokens are refused."""
from datetime import datetime, timedelta, timezone

from shared.tokens import TicketTokens

ISSUED = datetime(2026, 11, 25, 1, 0, tzinfo=timezone.utc)


def test_round_trip_within_lifetime():
    tokens = TicketTokens("secret", timedelta(days=2))
    token = tokens.make(42, ISSUED)
    assert tokens.read(token, ISSUED + timedelta(days=1)) == 42


def test_expired_token_is_refused():
    tokens = TicketTokens("secret", timedelta(days=2))
    token = tokens.make(42, ISSUED)
    assert tokens.read(token, ISSUED + timedelta(days=2, seconds=1)) is None


def test_token_from_another_secret_is_refused():
    forged = TicketTokens("other secret", timedelta(days=2)).make(42, ISSUED)
    assert TicketTokens("secret", timedelta(days=2)).read(forged, ISSUED) is None


def test_tampered_and_garbage_tokens_are_refused():
    tokens = TicketTokens("secret", timedelta(days=2))
    token = tokens.make(42, ISSUED)
    assert tokens.read(token[:-2] + "xx", ISSUED) is None
    assert tokens.read("not-a-token", ISSUED) is None
    assert tokens.read("", ISSUED) is None


def test_ids_are_not_guessable_from_each_other():
    tokens = TicketTokens("secret", timedelta(days=2))
    assert tokens.make(1, ISSUED).split(".")[1] != tokens.make(2, ISSUED).split(".")[1]
