"""The `booking` blueprint object, apart from the package so its route modules import it without a cycle."""
from flask import Blueprint

bp = Blueprint("booking", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/booking")
