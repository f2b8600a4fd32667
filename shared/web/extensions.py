"""Flask extensions, created once here and bound to the app in `create_app`."""
from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_qualified_name, get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])


@limiter.request_filter
def _carries_no_limit() -> bool:
    """Let a request through the limiter at once when its view carries no limit.

    Only views decorated with a limit are limited (there are no default or application
    limits), yet Flask-Limiter resolves the limits of every request: ~0.2 ms, a sixth of a
    call-next's time in the worker (docs/PERFORMANCE.md). Whether a view carries one is asked
    of Flask-Limiter once per endpoint; the limited views are checked exactly as before."""
    known = current_app.extensions.setdefault("antrean.limited_endpoints", {})
    endpoint = request.endpoint
    limited = known.get(endpoint)
    if limited is None:
        view = current_app.view_functions.get(endpoint) if endpoint else None
        limited = known[endpoint] = view is not None and bool(
            limiter.limit_manager.decorated_limits(get_qualified_name(view)))
    return not limited


def limit_limited_views_only(app) -> None:
    """Call Flask-Limiter's before-request check only for views that carry a limit.

    The request filter above still walks Flask-Limiter's context and limit managers first
    (~3 % of a call-next in the worker); a view with no limit now skips the check outright.
    Views with a limit run it unchanged (tests/test_rate_limits.py)."""
    hooks = app.before_request_funcs.setdefault(None, [])
    for index, hook in enumerate(hooks):
        if hook == limiter._check_request_limit:
            def check_limited(check=hook):
                if _carries_no_limit():
                    return None
                return check()

            hooks[index] = check_limited
