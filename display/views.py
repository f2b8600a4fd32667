"""The wall display page."""
from flask import render_template

from shared.web import context

from .blueprint import bp


@bp.get("/display/")
def wall():
    """Full-screen display of calls and waiting counts; all data arrives over Socket.IO."""
    config = context.office().config
    setup = {
        "office": config.name,
        "utcOffsetZone": config.timezone,
        "services": {s.code: {**s.names.as_dict(), "prefix": s.prefix} for s in config.services},
        "counters": {str(c.number): c.name for c in config.counters},
        "lanes": {lane: names.as_dict() for lane, names in config.lane_names.items()},
    }
    return render_template("display/wall.html", setup=setup)
