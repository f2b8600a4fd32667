"""The ticket kiosk and the visitor's own screens: take a number, print it, follow it by phone."""
from flask import Blueprint

bp = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/kiosk")

from . import api, views  # noqa: E402,F401  (routes register on the blueprint)
