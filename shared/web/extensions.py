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
