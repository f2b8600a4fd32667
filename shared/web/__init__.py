"""The Flask layer shared by the three front ends: app factory, auth, errors, realtime."""
from .app import create_app  # noqa: F401
