"""Admin endpoints of the JSON API: staff accounts and kiosks (and a staff member's own password)."""
from __future__ import annotations

from flask import jsonify

from shared.domain.errors import InvalidRequest
from shared.domain.officetime import to_office_iso
from shared.i18n import N_
from shared.services import accounts
from shared.web import context
from shared.web.auth import current_staff, staff_required
from shared.web.requests import json_body, text_field

from .blueprint import bp
from .links import kiosk_link


@bp.get("/api/users")
@staff_required("admin")
def api_list_users():
    """Admin: every staff account not removed (extension)."""
    return jsonify(accounts.list_staff(context.db()))


@bp.post("/api/users")
@staff_required("admin")
def api_add_user():
    """Admin: a new staff account; 409 `user_exists`, 422 `weak_password`."""
    body = json_body()
    staff = accounts.create_staff(context.db(), text_field(body, "username", limit=40), _password(body),
                                  text_field(body, "role", limit=20), context.now(), by=current_staff())
    return jsonify({"username": staff.username, "role": staff.role}), 201


@bp.put("/api/users/<username>")
@staff_required("admin")
def api_change_user(username: str):
    """Admin: change a role and/or disable or enable an account; its sessions end (extension)."""
    body = json_body()
    role = text_field(body, "role", required=False, limit=20)
    active = body.get("active")
    if role is None and active is None:
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="role")
    return jsonify(accounts.change_staff(context.db(), username, context.now(), role=role, active=active,
                                         by=current_staff()))


@bp.post("/api/users/<username>/password")
@staff_required("admin")
def api_reset_password(username: str):
    """Admin: set a new password; the account's sessions, tokens and sockets end (extension)."""
    return jsonify(accounts.reset_password(context.db(), username, _password(json_body()), context.now(),
                                           by=current_staff()))


@bp.delete("/api/users/<username>")
@staff_required("admin")
def api_remove_user(username: str):
    """Admin: remove an account; its sessions, tokens and sockets end at once."""
    accounts.remove_staff(context.db(), username, context.now(), by=current_staff())
    return "", 204


@bp.post("/api/password")
@staff_required()
def api_change_own_password():
    """Staff: change one's own password; every session and token of the account ends (extension)."""
    body = json_body()
    accounts.change_own_password(context.db(), current_staff(), text_field(body, "current", limit=200),
                                 _password(body, "new"), context.now())
    return "", 204


@bp.get("/api/kiosks")
@staff_required("admin")
def api_list_kiosks():
    """Admin: every kiosk not retired (extension)."""
    return jsonify(accounts.list_kiosks(context.db(), context.now()))


@bp.post("/api/kiosks")
@staff_required("admin")
def api_add_kiosk():
    """Admin: register a kiosk; its token is shown this once."""
    kiosk, token = accounts.create_kiosk(context.db(), text_field(json_body(), "name", limit=60), context.now(),
                                         by=current_staff())
    return jsonify({"id": kiosk["id"], "name": kiosk["name"], "token": token}), 201


@bp.put("/api/kiosks/<int:kiosk_id>")
@staff_required("admin")
def api_rename_kiosk(kiosk_id: int):
    """Admin: rename a kiosk (extension)."""
    return jsonify(accounts.rename_kiosk(context.db(), kiosk_id, text_field(json_body(), "name", limit=60),
                                         context.now(), by=current_staff()))


@bp.post("/api/kiosks/<int:kiosk_id>/link")
@staff_required("admin")
def api_new_kiosk_link(kiosk_id: int):
    """Admin: a one-time registration link to open on the kiosk (extension)."""
    token, expires = accounts.registration_link(context.db(), kiosk_id, context.now(), by=current_staff())
    return jsonify({"url": kiosk_link(token), "expires_at": to_office_iso(expires, context.office().config.zone)}), 201


@bp.delete("/api/kiosks/<int:kiosk_id>")
@staff_required("admin")
def api_retire_kiosk(kiosk_id: int):
    """Admin: retire a kiosk; its token and its browsers' sessions stop at once."""
    accounts.retire_kiosk(context.db(), kiosk_id, context.now(), by=current_staff())
    return "", 204


def _password(body: dict, name: str = "password") -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
    return value
