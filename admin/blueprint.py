"""The `admin` blueprint object, apart from the package so its route modules import it without a cycle."""
from flask import Blueprint

from shared.i18n import N_

bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/admin")

# The admin's sections in the top bar, in order: (endpoint, label). A module adding a section
# appends to this list when it is imported.
SECTIONS: list[tuple[str, str]] = [("admin.users", N_("Staff")), ("admin.kiosks", N_("Kiosks"))]


@bp.app_context_processor
def _sections() -> dict:
    return {"admin_sections": SECTIONS}
