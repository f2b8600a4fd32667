"""Which views carry a rate limit, and that the others skip Flask-Limiter's work entirely
(shared/web/extensions.py): the limited ones still count every request."""
from __future__ import annotations

from flask_limiter.util import get_qualified_name

from shared.web.extensions import limiter
from tests.test_kiosk_api import take

# Floods a kiosk, a phone or a stranger could send; a signed-in officer's actions carry none.
LIMITED = {
    "booking.book", "booking.create_booking", "booking.join_line", "booking.join_online_line",
    "counter.api_login", "counter.login",
    "kiosk.check_in", "kiosk.checkin_arrive", "kiosk.issue_ticket", "kiosk.rate_from_phone", "kiosk.rate_ticket",
    "kiosk.screening", "kiosk.take_ticket",
}


def test_the_views_that_carry_a_limit(app):
    with app.test_request_context():
        carried = {endpoint for endpoint, view in app.view_functions.items()
                   if limiter.limit_manager.decorated_limits(get_qualified_name(view))}
    assert carried == LIMITED


def test_a_view_without_a_limit_skips_the_limiter_and_a_limited_one_is_counted(app, client, kiosk_headers,
                                                                                staff_headers, monkeypatch):
    resolved, real = [], limiter.limit_manager.resolve_limits

    def spy(flask_app, endpoint=None, *args, **kwargs):
        resolved.append(endpoint)
        return real(flask_app, endpoint, *args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", spy)
    take(client, kiosk_headers)
    officer = staff_headers()   # signs in: a limited view
    resolved.clear()
    assert client.get("/api/queue").status_code == 200
    assert client.post("/api/counters/1/call-next", headers=officer).status_code == 200
    assert resolved == []
    response = take(client, kiosk_headers)
    assert response.status_code == 201 and "kiosk.issue_ticket" in resolved
    assert int(response.headers["X-RateLimit-Remaining"]) < int(response.headers["X-RateLimit-Limit"])
