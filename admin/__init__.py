"""The admin's pages: staff accounts, kiosks and the office itself, for the admin role only."""
from .blueprint import bp

from . import account, api, office, views  # noqa: F401
