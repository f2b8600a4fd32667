"""Flask extensions, created once here and bound to the app in `create_app`."""
import functools

from flask import current_app, request
from flask.globals import request_ctx
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
# Where Flask-Limiter keeps a request's state: on the request context, made on first use.
LIMITER_STATE = "_limiter_request_context"


def _carries_no_limit() -> bool:
    """Whether this request's view carries no rate limit (asked of Flask-Limiter once per endpoint).

    Only views decorated with a limit are limited (there are no default or application
    limits), yet Flask-Limiter resolves the limits of every request: ~0.2 ms, a sixth of a
    call-next's time in the worker (docs/PERFORMANCE.md). `limit_limited_views_only` asks this
    before each of Flask-Limiter's hooks."""
    known = current_app.extensions.setdefault("antrean.limited_endpoints", {})
    endpoint = request.endpoint
    limited = known.get(endpoint)
    if limited is None:
        view = current_app.view_functions.get(endpoint) if endpoint else None
        limited = known[endpoint] = view is not None and bool(
            limiter.limit_manager.decorated_limits(get_qualified_name(view)))
    return not limited


def limit_limited_views_only(app) -> None:
    """Run Flask-Limiter's request hooks only for views that carry a limit.

    A request filter would be reached only after Flask-Limiter's context and managers (~3 % of
    a call-next in the worker), and its after-request hook, which adds the limit headers and
    counts conditional limits, finds nothing to do for a view without one: such a view skips
    both. Its teardown, which resets the request's limiter state, would build that state only
    to empty it (~1 % of a call-next): it runs only when a hook made some. Views with a limit
    run all three unchanged (tests/test_rate_limits.py)."""
    before = app.before_request_funcs.setdefault(None, [])
    for index, hook in enumerate(before):
        if hook == limiter._check_request_limit:
            def check_limited(check=hook):
                if _carries_no_limit():
                    return None
                return check()

            before[index] = check_limited
    after = app.after_request_funcs.setdefault(None, [])
    for index, hook in enumerate(after):
        if isinstance(hook, functools.partial) and hook.args[:1] == (limiter,):
            def headers_if_limited(response, add_headers=hook):
                if _carries_no_limit():
                    return response
                return add_headers(response)

            after[index] = headers_if_limited
    teardown = app.teardown_request_funcs.setdefault(None, [])
    for index, hook in enumerate(teardown):
        if hook == limiter._Limiter__release_context:
            def release_if_made(error=None, release=hook):
                if hasattr(request_ctx._get_current_object(), LIMITER_STATE):
                    release(error)

            teardown[index] = release_if_made
