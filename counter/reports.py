"""The office's numbers for supervisors: the reports page, its summary API, the CSV and the PDF.

Every route reads the same query (`from`, `to` business dates; optional `service`, `lane`,
`channel`, `counter` filters) and the same view, so the page, the JSON, the CSV and the PDF
always agree. Reading only: no CSRF, no writes.
"""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response, jsonify, render_template, request, url_for
from flask_babel import gettext

from shared.domain import statistics
from shared.domain.errors import InvalidRequest
from shared.domain.model import CHANNELS
from shared.i18n import LANGUAGES, N_, translate
from shared.views import reports as report_views
from shared.web import context
from shared.web.auth import staff_required
from shared.web.csv_export import safe_cell

from .blueprint import bp

CHANNEL_NAMES = {"walk_in": N_("Walk-in"), "appointment": N_("Appointment"), "online": N_("Online line")}
PRESET_NAMES = {"today": N_("Today"), "week": N_("This week"), "month": N_("This month"),
                "last_month": N_("Last month"), "semester": N_("This semester"),
                "last_semester": N_("Last semester")}


def _filters() -> statistics.Filters:
    """The filters in the query string, each checked against the office (unknown → 400)."""
    config = context.office().config
    args = request.args
    allowed = {"service": {service.code for service in config.services}, "lane": set(config.lanes),
               "channel": set(CHANNELS)}
    values: dict = {}
    for name, choices in allowed.items():
        value = args.get(name) or None
        if value is not None and value not in choices:
            raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
        values[name] = value
    counter = args.get("counter") or None
    if counter is not None and not (counter.isdigit() and config.counter(int(counter))):
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="counter")
    return statistics.Filters(counter=int(counter) if counter else None, **values)


def _range(default_preset: str | None = None) -> tuple[statistics.ReportRange, str | None]:
    """The dates asked for; on the page a preset (or, without one, this month) fills them in."""
    preset = request.args.get("preset")
    today = date.fromisoformat(context.office().today())
    if preset in statistics.PRESETS:
        return statistics.preset_range(preset, today), preset
    if default_preset and not request.args.get("from") and not request.args.get("to"):
        return statistics.preset_range(default_preset, today), default_preset
    return statistics.parse_range(request.args.get("from"), request.args.get("to")), None


def _names(language: str) -> dict:
    """Services, lanes, channels and counters as `language` names them."""
    config = context.office().config
    return {
        "services": {service.code: service.names.get(language) for service in config.services},
        "lanes": {lane: config.lane_name(lane, language) for lane in config.lanes},
        "channels": {channel: translate(text, language) for channel, text in CHANNEL_NAMES.items()},
        "counters": {counter.number: counter.name for counter in config.counters},
    }


@bp.get("/api/reports/summary")
@staff_required("supervisor")
def api_report_summary():
    """Supervisor: the range's figures (`from`, `to`; optional service, lane, channel, counter)."""
    report_range, _ = _range()
    return jsonify(report_views.summary(context.office(), context.db(), report_range, _filters()))


@bp.get("/api/reports/tickets.csv")
@staff_required("supervisor")
def api_report_tickets_csv():
    """Supervisor: one row per ticket of the range, codes and office-time ISO times, no personal data."""
    report_range, _ = _range()
    rows = report_views.ticket_rows(context.office(), context.db(), report_range, _filters(), context.language())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(report_views.CSV_COLUMNS)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    name = f"antrean-tickets-{report_range.first}-{report_range.last}.csv"
    return Response(out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'},
                    content_type="text/csv; charset=utf-8")


@bp.get("/api/reports/report.pdf")
@staff_required("supervisor")
def api_report_pdf():
    """Supervisor: the range's report as an A4 PDF with its charts, in the request's language."""
    report_range, _ = _range()
    office = context.office()
    filters = _filters()
    figures = report_views.summary(office, context.db(), report_range, filters)
    survey = report_views.survey(office, context.db(), report_range, filters)
    chosen = request.args.get("lang")
    language = chosen if chosen in LANGUAGES else context.language()
    # Imported here: reportlab's charts and page layout (~6 MB) serve a few downloads a month,
    # not every worker all day (docs/PERFORMANCE.md, memory).
    from shared.report_pdf import render_report

    pdf = render_report(office.config, figures, _names(language), language, survey=survey)
    name = f"antrean-report-{report_range.first}-{report_range.last}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@bp.get("/counter/reports")
@staff_required("supervisor")
def reports_page():
    """The reports page: a range (quick choices or custom dates), filters, figures, charts, tables."""
    report_range, preset = _range(default_preset="month")
    filters = _filters()
    figures = report_views.summary(context.office(), context.db(), report_range, filters)
    survey = report_views.survey(context.office(), context.db(), report_range, filters)
    query = {"from": figures["from"], "to": figures["to"],
             **{key: value for key, value in figures["filters"].items() if value is not None}}
    names = _names(context.language())
    chart_texts = {"served": gettext("Served"), "no_show": gettext("No-show"), "cancelled": gettext("Cancelled"),
                   "other": gettext("Not finished"), "tickets": gettext("Tickets"),
                   "utilisation": gettext("Utilisation (%)")}
    return render_template(
        "counter/reports.html", figures=figures, names=names, preset=preset, presets=PRESET_NAMES,
        query=query, csv_url=url_for("counter.api_report_tickets_csv", **query),
        pdf_url=url_for("counter.api_report_pdf", lang=context.language(), **query),
        survey=survey, ikm_csv_url=url_for("counter.ikm_csv", **{key: query[key] for key in ("from", "to")}),
        heat=statistics.heat_rows(figures["heat_map"]), weekdays=[gettext(day) for day in statistics.WEEKDAY_NAMES],
        chart_data={"figures": figures, "names": names, "texts": chart_texts,
                    "order": {"services": list(figures["by_service"]), "channels": list(CHANNELS)}},
    )

