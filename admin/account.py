"""A staff member's own account: change one's password (any role)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from shared.domain.errors import DomainError
from shared.services import accounts
from shared.web import context
from shared.web.auth import current_staff, sign_out, staff_required

from .blueprint import bp


@bp.route("/account/password", methods=["GET", "POST"])
@staff_required()
def password():
    """Change one's own password. Every session of the account ends, this one too: sign in again."""
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("repeat", ""):
            flash(gettext("The two new passwords are not the same."), "error")
            return render_template("admin/password.html"), 422
        try:
            accounts.change_own_password(context.db(), current_staff(), request.form.get("current", ""), new,
                                         context.now())
        except DomainError as error:
            flash(gettext(error.message, **error.details), "error")
            return render_template("admin/password.html"), 422
        sign_out()
        flash(gettext("Password changed. Sign in with the new one."), "info")
        return redirect(url_for("counter.login"))
    return render_template("admin/password.html")
