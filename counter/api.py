"""Staff endpoints of the JSON API: sign-in, counters and their actions."""
from __future__ import annotations

from flask import jsonify

from shared.domain.errors import DomainError, NotFound
from shared.services import accounts, counters
from shared.services import capacity as capacity_service
from shared.views import counters as counter_views
from shared.views import tickets as ticket_views
from shared.i18n import N_
from shared.web import context
from shared.web.auth import csrf_exempt, current_staff, issue_staff_token, login_rate_key, staff_required
from shared.web.extensions import limiter
from shared.web.requests import idempotency_key, json_body, text_field

from .blueprint import bp
from .actions import ACTIONS, FIELDS, action_fields, run_action

LOGIN_LIMIT = "10 per 5 minutes"


def _failed_login(response) -> bool:
    return response.status_code == 401


# Failed sign-ins on the API and the console form count together, per account and client
# address (`login_rate_key`): one address guessing cannot lock the account out elsewhere, nor
# lock out the rest of an office behind one router.
login_limit = limiter.shared_limit(LOGIN_LIMIT, scope="staff-login", key_func=login_rate_key, methods=["POST"],
                                   deduct_when=_failed_login)


@bp.post("/api/login")
@csrf_exempt
@login_limit
def api_login():
    """Staff: exchange username and password for a bearer token."""
    body = json_body()
    staff = accounts.sign_in(context.db(), text_field(body, "username"), text_field(body, "password", limit=200),
                             context.now(), via="api")
    if staff is None:
        raise DomainError(N_("Wrong username or password."), code="bad_credentials", kind="unauthorized")
    return jsonify({"token": issue_staff_token(staff), "role": staff.role})


@bp.get("/api/counters")
def list_counters():
    """Public: every counter, what it serves and whether it is open."""
    return jsonify(counter_views.counter_list(context.office(), context.db()))


@bp.get("/api/counters/<int:number>/waiting")
@staff_required()
def counter_waiting(number: int):
    """Staff: the tickets this counter may call, in calling order, and its current ticket."""
    office, db = context.office(), context.db()
    panel = counter_views.panel(office, db, number)
    current = None
    if panel["current"] is not None:
        current = dict(ticket_views.summary(office, panel["current"]), lane_check=panel["lane_check"])
    return jsonify({
        "current": current,
        "waiting": [ticket_views.summary(office, ticket) for ticket in panel["waiting"]],
        "waiting_total": panel["waiting_total"],
        "invited": [ticket_views.summary(office, ticket) for ticket in panel["invited"]],
        "officer": panel["holder"].username if panel["holder"] else None,
    })


@bp.post("/api/counters/<int:number>/<action>")
@staff_required()
def counter_action(number: int, action: str):
    """Staff: one counter action (calls, moves, admits, lane checks, counter states; see ACTIONS)."""
    if action not in ACTIONS:
        raise NotFound(N_("Not found."))
    fields = action_fields(action, json_body()) if action in FIELDS else {}
    outcome = run_action(action, number, current_staff(), fields, idempotency_key=idempotency_key())
    if outcome.status == 204:
        return "", 204
    return jsonify(outcome.body), outcome.status


@bp.post("/api/logout")
@staff_required()
def api_logout():
    """Staff: sign out; every counter this officer worked is free for another."""
    freed = counters.sign_out(context.office(), context.db(), staff=current_staff())
    # Every session, token and socket of this account ends, this token too.
    accounts.sign_out_everywhere(context.db(), current_staff(), context.now())
    return jsonify({"released": freed})


@bp.put("/api/capacity")
@staff_required("supervisor")
def set_capacity():
    """Supervisor: change the occupancy cap live (0 removes it)."""
    body = json_body()
    max_inside = body.get("max_inside")
    occupancy = capacity_service.set_max_inside(context.office(), context.db(), max_inside, staff=current_staff())
    return jsonify({"inside": occupancy.inside, "max": occupancy.max_inside})


@bp.get("/api/capacity")
def get_capacity():
    """Public: people inside now and the cap (extension)."""
    office = context.office()
    occupancy = capacity_service.occupancy(office, context.db(), office.today())
    return jsonify({"inside": occupancy.inside, "max": occupancy.max_inside})
