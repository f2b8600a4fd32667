"""Admin pages: staff accounts and kiosks, for the admin role only (1366×768 staff laptop).

Each form posts one change and comes back to its list (post/redirect/get), saying what was
done or why it was refused, in the page's language. A new kiosk's one-time link is shown in
the answer to its form, never in an address that could be bookmarked or logged.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from shared.domain.errors import DomainError
from shared.domain.model import ROLES
from shared.i18n import N_
from shared.services import accounts
from shared.web import context
from shared.web.auth import current_staff, staff_required

from .blueprint import bp
from .links import kiosk_link, kiosk_link_qr

ROLE_NAMES = {"officer": N_("Officer"), "supervisor": N_("Supervisor"), "admin": N_("Administrator")}


@bp.app_context_processor
def _roles() -> dict:
    return {"role_names": ROLE_NAMES}


@bp.get("/admin/")
@staff_required("admin")
def home():
    """The admin's start: the staff accounts."""
    return redirect(url_for("admin.users"))


@bp.get("/admin/users")
@staff_required("admin")
def users():
    """Staff accounts: add, change role, reset password, disable or remove."""
    return render_template("admin/users.html", users=accounts.list_staff(context.db()), roles=ROLES,
                           me=current_staff())


def _done(message: str, **values):
    flash(gettext(message, **values), "info")


def _refused(error: DomainError):
    flash(gettext(error.message, **error.details), "error")


@bp.post("/admin/users")
@staff_required("admin")
def add_user():
    username = request.form.get("username", "").strip()
    try:
        staff = accounts.create_staff(context.db(), username, request.form.get("password", ""),
                                      request.form.get("role", ""), context.now(), by=current_staff())
    except DomainError as error:
        _refused(error)
    else:
        _done(N_("Account %(username)s added as %(role)s. They can sign in now."), username=staff.username,
              role=gettext(ROLE_NAMES[staff.role]))
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<username>/role")
@staff_required("admin")
def change_role(username: str):
    return _change(username, N_("%(username)s is now %(role)s; their open sessions were ended."),
                   role=request.form.get("role", ""))


@bp.post("/admin/users/<username>/active")
@staff_required("admin")
def change_active(username: str):
    active = request.form.get("active") == "1"
    message = N_("%(username)s can sign in again.") if active else \
        N_("%(username)s is disabled and was signed out everywhere.")
    return _change(username, message, active=active)


def _change(username: str, message: str, **change):
    try:
        user = accounts.change_staff(context.db(), username, context.now(), by=current_staff(), **change)
    except DomainError as error:
        _refused(error)
    else:
        _done(message, username=user["username"], role=gettext(ROLE_NAMES[user["role"]]))
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<username>/password")
@staff_required("admin")
def reset_password(username: str):
    try:
        user = accounts.reset_password(context.db(), username, request.form.get("password", ""), context.now(),
                                       by=current_staff())
    except DomainError as error:
        _refused(error)
    else:
        _done(N_("New password set for %(username)s; their open sessions were ended."), username=user["username"])
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<username>/remove")
@staff_required("admin")
def remove_user(username: str):
    try:
        accounts.remove_staff(context.db(), username, context.now(), by=current_staff())
    except DomainError as error:
        _refused(error)
    else:
        _done(N_("Account %(username)s removed; it was signed out everywhere."), username=username)
    return redirect(url_for("admin.users"))


@bp.get("/admin/kiosks")
@staff_required("admin")
def kiosks():
    """Kiosks: register one with a one-time link, rename, retire."""
    return render_template("admin/kiosks.html", kiosks=accounts.list_kiosks(context.db(), context.now()))


@bp.post("/admin/kiosks")
@staff_required("admin")
def add_kiosk():
    try:
        kiosk, _token = accounts.create_kiosk(context.db(), request.form.get("name", ""), context.now(),
                                               by=current_staff())
    except DomainError as error:
        _refused(error)
        return redirect(url_for("admin.kiosks"))
    return _link_page(kiosk["id"], kiosk["name"])


@bp.post("/admin/kiosks/<int:kiosk_id>/link")
@staff_required("admin")
def new_link(kiosk_id: int):
    kiosk = accounts.kiosk_by_id(context.db(), kiosk_id)
    if kiosk is None:
        flash(gettext("There is no kiosk %(id)s.", id=kiosk_id), "error")
        return redirect(url_for("admin.kiosks"))
    return _link_page(kiosk["id"], kiosk["name"])


def _link_page(kiosk_id: int, name: str):
    """The kiosk's one-time link and its QR code, shown once, in this answer only."""
    token, expires = accounts.registration_link(context.db(), kiosk_id, context.now(), by=current_staff())
    url = kiosk_link(token)
    title = gettext("Registration link of %(name)s", name=name)
    response = render_template("admin/kiosk_link.html", name=name, url=url, qr=kiosk_link_qr(url, title),
                               expires=expires.astimezone(context.office().config.zone))
    return response, 201, {"Cache-Control": "no-store"}


@bp.post("/admin/kiosks/<int:kiosk_id>/name")
@staff_required("admin")
def rename_kiosk(kiosk_id: int):
    try:
        kiosk = accounts.rename_kiosk(context.db(), kiosk_id, request.form.get("name", ""), context.now(),
                                       by=current_staff())
    except DomainError as error:
        _refused(error)
    else:
        _done(N_("Kiosk renamed %(name)s."), name=kiosk["name"])
    return redirect(url_for("admin.kiosks"))


@bp.post("/admin/kiosks/<int:kiosk_id>/retire")
@staff_required("admin")
def retire_kiosk(kiosk_id: int):
    try:
        accounts.retire_kiosk(context.db(), kiosk_id, context.now(), by=current_staff())
    except DomainError as error:
        _refused(error)
    else:
        _done(N_("Kiosk retired: it can no longer issue tickets."))
    return redirect(url_for("admin.kiosks"))
