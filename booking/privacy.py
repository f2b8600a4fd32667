"""The privacy notice (UU PDP 27/2022): what the office keeps about visitors, why, how long,
who sees it and how to ask. Public, linked from the booking pages and the phone's ticket page;
the retention period and the office's contact come from office.toml, so the notice always
says what the purge actually does."""
from __future__ import annotations

from flask import render_template

from shared.web import context

from .blueprint import bp


@bp.get("/privasi")
def privacy_page():
    """The privacy notice, in the visitor's language (Indonesian by default)."""
    return render_template("booking/privacy.html", privacy=context.office().config.privacy)
