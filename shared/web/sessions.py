"""The browser session: Flask's signed cookie, opened only when the request carries one.

Most requests carry no session cookie: the JSON API's bearer-token calls (counters, kiosks),
displays, visitors' phones. Flask would still build the cookie's signing serializer for each
of them, only to find nothing to read: ~5 % of a call-next's time in the worker
(docs/PERFORMANCE.md). Such a request gets the empty session it would have got anyway; one
with a cookie is opened, checked and saved exactly as Flask does.
"""
from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without the signing set-up where there is no cookie."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
