"""The wall display: who is called to which counter, pushed live over Socket.IO."""
from .blueprint import bp

from . import api, speech, views  # noqa: F401
