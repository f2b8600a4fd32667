"""The wall display: who is called to which counter, pushed live over Socket.IO."""
from flask import Blueprint

bp = Blueprint("display", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/display")

from . import api, views  # noqa: E402,F401
