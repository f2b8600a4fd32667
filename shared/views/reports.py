"""The office's numbers for a range of business dates: the summary, the ticket rows, the labels.

`summary` is the body of `GET /api/reports/summary` (the contract's keys first, then the
documented extensions the reports page, its charts and the PDF draw from); `ticket_rows` are
the CSV export's rows. Both read the range in one snapshot through `db.reports` and leave the
arithmetic to `shared.domain.statistics`.
"""
from __future__ import annotations

from datetime import timedelta

from ..domain import statistics
from ..domain.model import CHANNELS, DONE, NO_SHOW, CANCELLED
from ..domain.officetime import to_office_iso
from ..domain.statistics import Filters, ReportRange, Visit
from ..office import Office
from ..store import Connection
from . import satisfaction as satisfaction_views

CSV_COLUMNS = ("number", "date", "service", "service_name", "lane", "channel", "issued", "called", "served", "done", "status",
               "counter", "wait_min", "service_min")


def dates(report_range: ReportRange) -> list[str]:
    return [(report_range.first + timedelta(days=offset)).isoformat() for offset in range(report_range.days)]


def _read(db: Connection, report_range: ReportRange, filters: Filters) -> list[Visit]:
    with db.snapshot():
        return db.reports.visits(report_range.first.isoformat(), report_range.last.isoformat(), filters)


def survey(office: Office, db: Connection, report_range: ReportRange, filters: Filters, *,
           comments: bool = True) -> dict:
    """The range's satisfaction survey (`shared.views.satisfaction`): it follows the service and
    counter filters; a rating is tied to neither lane nor channel, so those filters leave it whole."""
    return satisfaction_views.summary(office, db, report_range.first.isoformat(), report_range.last.isoformat(),
                                      service=filters.service, counter=filters.counter, comments=comments)


def satisfaction(office: Office, db: Connection, report_range: ReportRange, filters: Filters) -> dict:
    """The summary's `{"responses", "ikm"}` (ikm null without responses), and the grade."""
    found = survey(office, db, report_range, filters, comments=False)
    return {"responses": found["responses"], "ikm": found["ikm"], "grade": found["grade"]}


def summary(office: Office, db: Connection, report_range: ReportRange, filters: Filters = Filters()) -> dict:
    """The range's figures (see `shared.domain.statistics` for each definition)."""
    config = office.config
    visits = _read(db, report_range, filters)
    found = statistics.figures(visits, config.zone)
    by_service = {service.code: 0 for service in config.services} | found.by_service
    by_lane = {lane: 0 for lane in config.lanes} | found.by_lane
    names = db.reports.usernames(sorted(found.officers))
    return {
        "tickets": found.tickets,
        "served": found.served,
        "no_show": found.no_show,
        "by_service": by_service,
        "by_lane": by_lane,
        "by_channel": found.by_channel,
        "wait_min": found.wait,
        "service_min": found.service,
        "satisfaction": satisfaction(office, db, report_range, filters),
        # Documented extensions.
        "from": report_range.first.isoformat(),
        "to": report_range.last.isoformat(),
        "filters": {"service": filters.service, "lane": filters.lane, "channel": filters.channel,
                    "counter": filters.counter},
        "cancelled": found.cancelled,
        "channel_share": {channel: statistics.share(found.by_channel[channel], found.tickets) for channel in CHANNELS},
        "by_day": [{"date": day, "tickets": sum(found.by_day.get(day, {}).values()),
                    "served": found.by_day.get(day, {}).get(DONE, 0),
                    "no_show": found.by_day.get(day, {}).get(NO_SHOW, 0),
                    "cancelled": found.by_day.get(day, {}).get(CANCELLED, 0)} for day in dates(report_range)],
        "heat_map": found.heat,
        "counters": [{"counter": number, **work.figures()} for number, work in sorted(found.counters.items())],
        "officers": [{"username": names.get(staff_id, str(staff_id)), **work.figures()}
                     for staff_id, work in sorted(found.officers.items(), key=lambda item: names.get(item[0], ""))],
    }


def ticket_rows(office: Office, db: Connection, report_range: ReportRange,
                filters: Filters = Filters(), language: str = "id") -> list[tuple]:
    """One row per ticket in `CSV_COLUMNS` order: codes (and the service's name in `language`),
    office-time ISO times, minutes; no contact, token, comment or staff name (the export
    leaves the supervisors' room)."""
    config = office.config
    zone = config.zone

    def name(code: str) -> str:
        service = config.service(code)
        return service.names.get(language) if service else code

    rows = []
    for visit in _read(db, report_range, filters):
        line = statistics.timeline(visit.changes)
        rows.append((
            visit.number, visit.business_date, visit.service, name(visit.service), visit.lane, visit.channel,
            to_office_iso(visit.issued_at, zone), to_office_iso(line.first_call_at, zone),
            to_office_iso(line.served_at, zone) if visit.status == DONE else None,
            to_office_iso(line.done_at, zone) if visit.status == DONE else None,
            visit.status, visit.counter, statistics.rounded(line.wait_minutes),
            statistics.rounded(line.service_minutes) if visit.status == DONE else None,
        ))
    return rows
