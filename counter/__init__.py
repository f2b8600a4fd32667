"""The counter console: officers sign in, call the next visitor and move tickets along."""
from .blueprint import bp

from . import api, views  # noqa: F401
