"""The counter console: officers sign in, call the next visitor and move tickets along."""
from .blueprint import bp

from . import api, audit, floor_api, floor_events, floor_views, reports, survey, views  # noqa: F401
