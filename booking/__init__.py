"""Appointments and the online line for the public: book a time, or join the line from home."""
from .blueprint import bp

from . import api, privacy, views  # noqa: F401  (routes register on the blueprint)
