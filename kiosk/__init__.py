"""The ticket kiosk and the visitor's own screens: take a number, print it, follow it by phone."""
from .blueprint import bp

from . import api, feedback, views  # noqa: F401  (routes register on the blueprint)
