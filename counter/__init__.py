"""The counter console: officers sign in, call the next visitor and move tickets along."""
from flask import Blueprint

bp = Blueprint("counter", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/counter")

from . import api, views  # noqa: E402,F401
