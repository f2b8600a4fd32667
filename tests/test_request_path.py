"""The trimmed request path (docs/PERFORMANCE.md): a bearer token's signature is checked once
but its age and its account on every request; a request without a session cookie gets an
empty session and no cookie; views without a rate limit never enter Flask-Limiter, not even
to reset its state at the end."""
from __future__ import annotations

import time

from flask_limiter._extension import LimiterContext
from itsdangerous import URLSafeTimedSerializer

from shared.web import auth
from shared.web.extensions import limiter
from tests.test_kiosk_api import take


def test_a_remembered_token_still_expires_and_still_ends_with_its_sessions(app, client, kiosk_headers,
                                                                           staff_headers, monkeypatch):
    officer = staff_headers("officer")
    take(client, kiosk_headers)
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 200
    assert len(app.extensions["antrean.verified_staff_tokens"]) == 1   # remembered after its first use
    later = time.time() + auth.STAFF_TOKEN_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    expired = client.post("/api/counters/1/call-next", headers=officer)
    assert expired.status_code == 401 and expired.get_json()["error"]["code"] == "unauthorized"
    monkeypatch.undo()
    assert client.post("/api/counters/1/recall", headers=officer).status_code == 200
    assert client.post("/api/logout", headers=officer).status_code == 200
    assert client.post("/api/counters/1/recall", headers=officer).status_code == 401   # signed out: at once


def test_a_token_signed_with_another_key_or_salt_is_never_remembered(app, client, staff_headers):
    staff_headers("officer")
    payload = {"u": 1, "v": 0}
    for forged in (URLSafeTimedSerializer("not-the-key", salt="staff-api").dumps(payload),
                   URLSafeTimedSerializer(app.secret_key, salt="another").dumps(payload)):
        response = client.post("/api/counters/1/call-next", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401
        assert forged not in app.extensions.get("antrean.verified_staff_tokens", {})


def test_without_a_session_cookie_no_session_is_signed_or_sent(app, client, kiosk_headers, monkeypatch):
    signed = []
    real = type(app.session_interface).get_signing_serializer

    def spy(self, flask_app):
        signed.append(1)
        return real(self, flask_app)

    monkeypatch.setattr(type(app.session_interface), "get_signing_serializer", spy)
    response = take(client, kiosk_headers)
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    assert client.get("/api/queue").status_code == 200
    assert signed == []
    client.get("/?lang=en")   # a browser choosing a language gets a signed session cookie
    assert signed and client.get_cookie(app.config["SESSION_COOKIE_NAME"]) is not None
    signed.clear()
    assert client.get("/").status_code == 200
    assert signed   # and it is read back, signature checked


def test_views_without_a_limit_never_enter_the_limiter(client, kiosk_headers, staff_headers, monkeypatch):
    entered, real = [], limiter.identify_request

    def spy():
        entered.append(1)
        return real()

    monkeypatch.setattr(limiter, "identify_request", spy)
    take(client, kiosk_headers)
    assert entered   # a kiosk's ticket is limited
    officer = staff_headers("officer")
    entered.clear()
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 200
    assert client.get("/api/queue").status_code == 200
    assert entered == []


def test_the_limiter_state_is_reset_after_limited_views_only(client, kiosk_headers, staff_headers, monkeypatch):
    resets, made, real_reset, real_make = [], [], LimiterContext.reset, LimiterContext.__init__

    def reset(self):
        resets.append(self)
        real_reset(self)

    def make(self, *args, **kwargs):
        made.append(self)
        real_make(self, *args, **kwargs)

    monkeypatch.setattr(LimiterContext, "reset", reset)
    monkeypatch.setattr(LimiterContext, "__init__", make)
    take(client, kiosk_headers)
    assert resets and resets[-1] in made   # a kiosk's ticket is limited: its state is emptied after it
    assert resets[-1].view_rate_limit is None and not resets[-1].seen_limits
    officer = staff_headers("officer")
    resets.clear(), made.clear()
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 200
    assert client.get("/api/queue").status_code == 200
    assert resets == [] and made == []
