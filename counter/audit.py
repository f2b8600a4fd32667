"""The audit trail for supervisors: `GET /api/audit`, its CSV, and the `/counter/audit` page.

Reading only. The page lists a range newest first, filtered by kind of action or by ticket
number, and can walk the whole chain (`antrean audit verify` in the browser) to show whether
any row was edited, deleted or reordered.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date

from flask import Response, jsonify, render_template, request
from flask_babel import gettext

from shared.domain import statistics
from shared.domain.errors import InvalidRequest
from shared.domain.numbering import parse_number
from shared.i18n import N_
from shared.services import audit as audit_service
from shared.views import audit as audit_views
from shared.web import context
from shared.web.auth import staff_required
from shared.web.csv_export import safe_cell

from .blueprint import bp

PAGE_ROWS = 200
MAX_LIMIT = 20000
MAX_ROW_ID = 2**63 - 1
# The page's "kind" filter: an action prefix each.
KINDS = {
    "ticket.": N_("Tickets"), "staff.": N_("Sign-ins and passwords"), "counter.": N_("Counters"),
    "capacity.": N_("Capacity"), "announcement.": N_("Running text"), "alarm.": N_("Silent alarm"),
    "user.": N_("Staff accounts"), "kiosk.": N_("Kiosks"), "office.": N_("Office settings"),
    "privacy.": N_("Privacy"), "backup.": N_("Backups"),
}
ACTIONS = {
    "ticket.issued": N_("Ticket issued"), "ticket.updated": N_("Ticket changed"),
    "ticket.outside": N_("Waits outside"), "ticket.invited": N_("Invited in"), "ticket.waiting": N_("Waiting"),
    "ticket.called": N_("Called"), "ticket.serving": N_("Being served"), "ticket.done": N_("Served"),
    "ticket.no_show": N_("Did not come"), "ticket.cancelled": N_("Cancelled"),
    "staff.signed_in": N_("Signed in"), "staff.sign_in_failed": N_("Sign-in failed"),
    "staff.signed_out": N_("Signed out"), "staff.password_changed": N_("Changed own password"),
    "counter.state": N_("Counter state"), "counter.taken_over": N_("Counter taken over"),
    "counter.released": N_("Counter freed"), "counter.lines": N_("Other counters' lines"),
    "capacity.set": N_("Capacity cap"), "announcement.set": N_("Running text"),
    "alarm.raised": N_("Silent alarm raised"), "alarm.acknowledged": N_("Silent alarm answered"),
    "user.added": N_("Account added"), "user.changed": N_("Account changed"),
    "user.password_reset": N_("Password reset"), "user.removed": N_("Account removed"),
    "kiosk.added": N_("Kiosk added"), "kiosk.link_made": N_("Kiosk link made"),
    "kiosk.registered": N_("Kiosk registered"), "kiosk.renamed": N_("Kiosk renamed"),
    "kiosk.retired": N_("Kiosk retired"), "office.edited": N_("Office settings changed"),
    "privacy.purged": N_("Personal data removed"), "backup.taken": N_("Backup taken"),
    "backup.restored": N_("Backup restored"),
}
ACTORS = {"visitor": N_("Visitor"), "system": N_("Server"), "cli": N_("Server command line")}
CSV_COLUMNS = ("id", "at", "actor", "actor_kind", "action", "ticket", "ticket_date", "counter", "detail")


def _range() -> statistics.ReportRange:
    today = context.office().today()
    return statistics.parse_range(request.args.get("from") or today, request.args.get("to") or today)


def _int_arg(name: str, default: int | None, *, low: int = 0, high: int | None = None) -> int | None:
    text = request.args.get(name)
    if not text:
        return default
    # ASCII digits only ("²" passes str.isdigit but not int()), and within SQLite's 64-bit integers.
    high = MAX_ROW_ID if high is None else high
    if not (text.isascii() and text.isdigit()) or int(text) < low or int(text) > high:
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field=name)
    return int(text)


def _ticket_number() -> str | None:
    """A typed ticket number ("a2", "A-002") as printed, or None."""
    typed = (request.args.get("ticket") or "").strip()
    if not typed:
        return None
    parsed = parse_number(typed)
    if parsed is None:
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="ticket")
    return parsed


@bp.get("/api/audit")
@staff_required("supervisor")
def api_audit():
    """Supervisor: the range's audit rows, oldest first, `limit` at a time after the id `after`;
    a full page carries `X-Next-After` for the next one."""
    report_range = _range()
    limit = _int_arg("limit", audit_views.PAGE, low=1, high=MAX_LIMIT)
    rows = audit_views.entries(context.office(), context.db(), report_range.first, report_range.last,
                               after=_int_arg("after", 0), limit=limit, action=request.args.get("action") or None,
                               ticket=_ticket_number())
    response = jsonify(rows)
    if len(rows) == limit:
        response.headers["X-Next-After"] = str(rows[-1]["id"])
    return response


@bp.get("/api/audit.csv")
@staff_required("supervisor")
def api_audit_csv():
    """Supervisor: every audit row of the range as CSV, streamed a page at a time."""
    report_range = _range()
    office = context.office()

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in audit_views.export(office, report_range.first, report_range.last):
            cells = {**row, "detail": json.dumps(row["detail"], ensure_ascii=False, sort_keys=True)}
            writer.writerow([safe_cell(cells[column]) for column in CSV_COLUMNS])
            if buffer.tell() > 16384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    name = f"audit-{report_range.first}-{report_range.last}.csv"
    return Response(lines(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def describe(row: dict, services: dict[str, str]) -> str:
    """A row's detail as a short line of text for the page (never HTML: the template escapes it).

    A ticket change reads "Menunggu → Dipanggil · Perizinan Berusaha · rule:arrival": the
    statuses and service in words; who did it is already in its own column.
    """
    detail = dict(row["detail"])
    parts = []
    if row["action"].startswith("ticket."):
        def status(code):
            return gettext(ACTIONS[f"ticket.{code}"]) if f"ticket.{code}" in ACTIONS else code
        before, after = detail.pop("from", None), detail.pop("to", None)
        parts.append(f"{status(before)} → {status(after)}" if before else status(after))
        service = detail.pop("service", None)
        parts.append(services.get(service, service))
        detail.pop("staff", None)
        detail.pop("kiosk", None)
        if "note" in detail:
            parts.append(str(detail.pop("note")))
    for key, value in detail.items():
        parts.append(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return " · ".join(part for part in parts if part)


def _display_rows(rows: list[dict]) -> list[dict]:
    language = context.language()
    services = {service.code: service.names.get(language) or service.code
                for service in context.office().config.services}
    return [{**row, "action_label": gettext(ACTIONS[row["action"]]) if row["action"] in ACTIONS else row["action"],
             "actor_label": gettext(ACTORS[row["actor"]]) if row["actor"] in ACTORS else row["actor"],
             "text": describe(row, services)} for row in rows]


@bp.get("/counter/audit")
@staff_required("supervisor")
def audit_page():
    """Supervisor: the audit trail of a range, newest first, PAGE_ROWS at a time."""
    report_range = _range()
    kind = request.args.get("kind") or ""
    if kind and kind not in KINDS:
        raise InvalidRequest(N_("The field '%(field)s' is missing or not valid."), field="kind")
    ticket = _ticket_number()
    before = _int_arg("before", None, low=1)
    rows = audit_views.entries(context.office(), context.db(), report_range.first, report_range.last,
                               before=before, newest_first=True, limit=PAGE_ROWS + 1, action=kind or None,
                               ticket=ticket)
    older = rows[PAGE_ROWS - 1]["id"] if len(rows) > PAGE_ROWS else None
    query = {"from": report_range.first.isoformat(), "to": report_range.last.isoformat(), "kind": kind,
             "ticket": request.args.get("ticket", "")}
    verdict = audit_service.verify(context.db()) if request.args.get("verify") else None
    return render_template("counter/audit.html", rows=_display_rows(rows[:PAGE_ROWS]), older=older,
                           query=query, kinds=KINDS, verdict=verdict, today=date.fromisoformat(context.office().today()))
