"""The counter's survey tablet, and the IKM table an office submits.

The tablet is a page opened once by the counter's officer and left facing the visitor: when
the officer marks a visitor done it shows four large faces for that visitor; one tap rates,
it says thank you, then waits for the next. It follows the counter's own Socket.IO namespace
(every queue change re-fetches its small panel), so it needs no event of its own.
"""
from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from shared.domain import satisfaction as rule
from shared.domain import statistics
from shared.domain.errors import DomainError
from shared.i18n import N_, translate
from shared.services import feedback as feedback_service
from shared.views import satisfaction as satisfaction_views
from shared.web import context
from shared.web.auth import current_staff, staff_required
from shared.web.csv_export import safe_cell

from .blueprint import bp

def _tablet_context(number: int) -> dict:
    office = context.office()
    if office.config.counter(number) is None or not office.config.survey.tablet:
        abort(404)
    state = satisfaction_views.tablet_state(office, context.db(), number, context.now())
    return {"number": number, "state": state, "scores": rule.SCORES, "labels": rule.SCORE_LABELS,
            "desk": office.config.counter(number)}


@bp.get("/counter/<int:number>/survey")
@staff_required()
def survey_tablet(number: int):
    """The survey tablet of one counter (opened by its officer, facing the visitor)."""
    return render_template("counter/survey_tablet.html", **_tablet_context(number))


@bp.get("/counter/<int:number>/survey/panel")
@staff_required()
def survey_tablet_panel(number: int):
    """The tablet's live part, re-fetched whenever the queue changes."""
    return render_template("counter/_survey_tablet_panel.html", **_tablet_context(number))


@bp.post("/counter/<int:number>/survey")
@staff_required()
def survey_tablet_rate(number: int):
    """One tap on a face: the visitor just served rates the visit (once; a phone may have won)."""
    if not context.office().config.survey.tablet:
        abort(404)
    form = request.form
    ticket = form.get("ticket", "")
    score = form.get("score", "")
    try:
        feedback_service.rate(
            context.office(), context.db(), int(ticket) if ticket.isdigit() else 0,
            score=int(score) if score.isdigit() and len(score) == 1 else None,
            channel="tablet", counter=number, staff=current_staff())
    except DomainError as error:
        flash(gettext(error.message, **error.details), "error")
        return redirect(url_for("counter.survey_tablet", number=number))
    return redirect(url_for("counter.survey_tablet", number=number, thanks=1))


# -- the table an office submits ------------------------------------------------------------

@bp.get("/api/reports/ikm.csv")
@staff_required("supervisor")
def ikm_csv():
    """Supervisor: per service and overall, respondents, each element's NRR, the weighted NRR,
    the IKM and its grade for `from`–`to` (business dates). No comments: nothing personal."""
    report_range = statistics.parse_range(request.args.get("from"), request.args.get("to"))
    date_from, date_to = report_range.first.isoformat(), report_range.last.isoformat()
    office = context.office()
    rows = satisfaction_views.ikm_table(office, context.db(), date_from, date_to)
    language = context.language()
    names = {service.code: service.names.get(language) for service in office.config.services}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["service", "service_name", "mode", "respondents",
                     *[f"nrr_{code}" for code in rule.ELEMENT_CODES], "weighted_nrr", "ikm", "grade", "grade_label"])
    for row in rows:
        nrr = row["nrr"] or {}
        writer.writerow([
            row["service"] or "ALL", safe_cell(names.get(row["service"], translate(N_("Whole office"), language))),
            office.config.survey.mode, row["respondents"],
            *[_cell(nrr.get(code), 3) for code in rule.ELEMENT_CODES], _cell(row["weighted_nrr"], 3),
            _cell(row["ikm"], 2), row["grade"] or "", translate(row["grade_label"], language) if row["grade_label"] else "",
        ])
    filename = f"ikm-{date_from}-{date_to}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _cell(value, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"
