"""Counter console pages: sign in, pick a counter, and work the queue."""
from __future__ import annotations

import secrets
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from shared.domain import lane_checks
from shared.domain.errors import DomainError
from shared.i18n import N_
from shared.services import accounts, counters
from shared.views import counters as counter_views
from shared.web import context
from shared.web.auth import current_staff, sign_in, sign_out, staff_required

from .blueprint import bp
from .actions import ACTIONS, CALLS, COUNTER_STATE_OF, action_fields, run_action
from .api import login_limit

ACTION_DONE = {
    "recall": N_("Called again."), "start": N_("Service started."), "done": N_("Marked as done."),
    "no-show": N_("Marked as not present."), "release": N_("The counter is free for another officer."),
    "take-over": N_("You now hold this counter."),
}

# How the console explains the queue policy's choice to the officer.
RULE_NAMES = {
    "max_wait": N_("waited longest (maximum wait reached)"),
    "appointment": N_("appointment time has come"),
    "fairness": N_("fairness: general visitor after several priority calls"),
    "reserved_lane": N_("lane reserved for this counter"),
    "assisting": N_("helping other lanes (none of this counter's lanes wait)"),
    "priority_lane": N_("priority lane"),
    "service_priority": N_("priority service"),
    "arrival": N_("first come, first served"),
    "out_of_order": N_("called out of order by staff"),
    "admitted": N_("let in at the counter (came in without scanning)"),
}

# The fixed reasons for moving a ticket to the general lane (`domain.lane_checks.MOVE_REASONS`).
MOVE_REASONS = {
    lane_checks.NOT_ELIGIBLE: N_("Not eligible for this lane"),
    lane_checks.VISITOR_ASKED: N_("The visitor asked for the general lane"),
}

COUNTER_STATE_DONE = {
    "open": N_("The counter is open."), "pause": N_("The counter is on a break."), "close": N_("The counter is closed."),
}


@bp.route("/counter/login", methods=["GET", "POST"])
@login_limit
def login():
    """Staff sign-in form."""
    if request.method == "POST":
        staff = accounts.sign_in(context.db(), request.form.get("username", ""), request.form.get("password", ""),
                                 context.now(), via="page")
        if staff is not None:
            sign_in(staff)
            # A supervisor lands on the floor they steer; an officer picks the counter they work at.
            return redirect(url_for("counter.floor" if staff.has_role("supervisor") else "counter.pick"))
        return render_template("counter/login.html", failed=True), 401
    return render_template("counter/login.html", failed=False)


@bp.post("/counter/logout")
def logout():
    """Sign out (a POST with CSRF, so no link can sign an officer out); their counters are freed."""
    staff = current_staff()
    if staff is not None:
        counters.sign_out(context.office(), context.db(), staff=staff)
        # Every session, token and socket of this account ends, not only this browser's.
        accounts.sign_out_everywhere(context.db(), staff, context.now())
    sign_out()
    return redirect(url_for("counter.login"))


@bp.get("/counter/")
@staff_required()
def pick():
    """Choose the counter to work at."""
    return render_template("counter/pick.html", counters=counter_views.counter_list(context.office(), context.db()),
                           me=current_staff())


@bp.get("/counter/<int:number>")
@staff_required()
def console(number: int):
    """The console of one counter: current ticket, actions and the waiting list."""
    return render_template("counter/console.html", **_panel_context(number))


@bp.get("/counter/<int:number>/panel")
@staff_required()
def panel(number: int):
    """The live part of the console, re-fetched when the queue changes."""
    return render_template("counter/_panel.html", **_panel_context(number))


@bp.post("/counter/<int:number>/<action>")
@staff_required()
def act(number: int, action: str):
    """A console button: perform the action, then show the console again."""
    if action not in ACTIONS:
        return redirect(url_for("counter.console", number=number))
    try:
        fields = action_fields(action, request.form)
        outcome = run_action(action, number, current_staff(), fields,
                             idempotency_key=(request.form.get("request_key") or "")[:100] or None)
        ticket = outcome.body
    except DomainError as error:
        # Staff read what to do about a fault, not the visitors' "please tell the staff".
        flash(gettext(getattr(error, "staff_message", None) or error.message, **error.details), "error")
    else:
        if action in COUNTER_STATE_OF:
            message = gettext(COUNTER_STATE_DONE[action])
        elif action in CALLS:
            message = _called_message(ticket) if ticket else gettext("Nobody is waiting.")
            if outcome.previous and outcome.previous["status"] == "no_show":
                # The officer must see that the visitor who never came lost their turn (and can return).
                flash(gettext("%(number)s never came to the counter: marked absent. They can come back "
                              "within %(minutes)s minutes with the same ticket.",
                              number=outcome.previous["number"],
                              minutes=int(context.office().config.policy.no_show_return.total_seconds() // 60)),
                      "warning")
        elif action == "transfer":
            target = context.office().config.service(ticket["service"])
            message = gettext("%(number)s sent to %(service)s.", number=ticket["number"],
                              service=target.names.get(context.language()))
        elif action == "return":
            message = gettext("%(number)s is back in the queue.", number=ticket["number"])
        elif action == "admit":
            message = gettext("%(number)s may come in.", number=ticket["number"])
        elif action == "confirm-lane":
            message = gettext("%(number)s: lane %(lane)s confirmed.", number=ticket["number"],
                              lane=context.office().config.lane_name(ticket["lane"], context.language()))
        elif action == "move-to-general":
            message = gettext("%(number)s moved to the general lane.", number=ticket["number"])
        else:
            message = gettext(ACTION_DONE[action])
        flash(message, "info")
    return redirect(url_for("counter.console", number=number))


def _called_message(ticket: dict) -> str:
    """"Called A-004 — fairness: …, Umum, waited 12 min": the officer sees why this visitor."""
    reason = ticket.get("reason")
    if not reason:
        return gettext("Called %(number)s.", number=ticket["number"])
    return gettext("Called %(number)s: %(rule)s · %(lane)s · waited %(minutes)s min.",
                   number=ticket["number"], rule=gettext(RULE_NAMES[reason["rule"]]),
                   lane=context.office().config.lane_name(reason["lane"], context.language()),
                   minutes=reason["waited_min"])


def _panel_context(number: int) -> dict:
    office, db = context.office(), context.db()
    panel = counter_views.panel(office, db, number)
    me = current_staff()
    current, check = panel["current"], panel["lane_check"]
    return {
        **panel,
        "current_is_priority": current is not None and office.config.policy.is_priority(current.lane),
        "lane_check": dict(check, time=f"{datetime.fromisoformat(check['at']):%H:%M}") if check else None,
        "move_reasons": MOVE_REASONS,
        "held_by_other": panel["holder"] is not None and panel["holder"].staff_id != me.id,
        "me": me,
        "rule_names": RULE_NAMES,
        "now": context.now(),
        "services": office.config.services,
        "request_key": secrets.token_urlsafe(12),
    }
