"""The office's report as an A4 PDF: the figures, the charts (reportlab graphics) and the tables.

It draws the same summary the reports page and `GET /api/reports/summary` show, already
computed, so the PDF never disagrees with the page. Flask-free: texts are translated with
`shared.i18n.translate` into the language asked for (Indonesian by default), and every text
the office or a visitor wrote is escaped before it reaches a paragraph, never read as markup.
"""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .domain.config import OfficeConfig
from .domain.statistics import WEEKDAY_NAMES, heat_rows
from .i18n import N_, translator

MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN
INK = colors.HexColor("#111111")
PRIMARY = colors.HexColor("#0b3d91")
SERIES = {"served": colors.HexColor("#1b5e20"), "no_show": colors.HexColor("#a4161a"),
          "cancelled": colors.HexColor("#6b6b6b"), "other": PRIMARY}
PALETTE = [colors.HexColor(code) for code in ("#0b3d91", "#c77800", "#1b5e20", "#7b1fa2", "#a4161a", "#00695c")]
# The page's heat-map shades (counter/static/reports.css), lightest to darkest.
SHADES = ["#f4f6fa", "#d6e0f0", "#a9bde0", "#4a6aae", "#2f5597", "#0b2a66"]
GRID = colors.HexColor("#5a5a5a")

TEXTS = {
    "title": N_("Queue report"), "period": N_("Period: %(first)s to %(last)s"),
    "filters": N_("Filters: %(filters)s"), "all": N_("all tickets"),
    "figures": N_("Figures"), "tickets": N_("Tickets"), "served": N_("Served"), "no_show": N_("No-show"),
    "cancelled": N_("Cancelled"), "other": N_("Not finished"), "wait": N_("Wait (min) p50 / p90"),
    "service": N_("Service (min) p50 / p90"), "ikm": N_("Satisfaction (IKM)"), "responses": N_("Responses"),
    "per_day": N_("Tickets per day"), "channels": N_("Channels"), "share": N_("Share"),
    "per_service": N_("Tickets per service"), "per_lane": N_("Tickets per lane"),
    "peak": N_("Peak hours"), "peak_note": N_("Tickets taken per hour and weekday, in office time; darker is busier."),
    "hour": N_("Hour"), "counters": N_("Counters"), "officers": N_("Officers"), "counter": N_("Counter"),
    "officer": N_("Officer"), "serving": N_("Serving (min)"), "idle": N_("Idle (min)"), "span": N_("Span (min)"),
    "utilisation": N_("Utilisation"),
    "span_note": N_("Working span: from the first call of each day to the last finish. Idle time is the span "
                    "minus the serving time; utilisation is serving time ÷ span."),
    "definitions": N_("Wait: from arrival inside to the first call. Service: from start to done (from the call "
                      "when start was not pressed). Percentiles are nearest-rank."),
    "nobody": N_("Nobody was served in this period."), "page": N_("Page %(page)s"),
    "survey": N_("Satisfaction survey (IKM)"), "whole": N_("Whole office"), "grade": N_("Grade"),
    "service_col": N_("Service"), "comments": N_("Comments"), "no_comments": N_("No comments in this period."),
    "survey_note": N_("The community satisfaction index of PermenPANRB 14/2017: A 88.31–100, B 76.61–88.30, "
                      "C 65.00–76.60, D below 65.00. Ratings follow the service and counter filters."),
    "more_comments": N_("%(count)s more comments: see the reports page."),
}
# The PDF lists this many comments (newest first as the survey gives them); the page shows all.
COMMENTS_SHOWN = 60


def _number(value, unit: str = "") -> str:
    if value is None:
        return "–"
    return (f"{value:.1f}" if isinstance(value, float) else str(value)) + unit


class _Report:
    """One report being laid out: the translated texts, the styles and the flowables so far."""

    def __init__(self, config: OfficeConfig, figures: dict, names: dict, language: str):
        self.config, self.figures, self.names = config, figures, names
        self.say = translator(language)
        styles = getSampleStyleSheet()
        self.title = ParagraphStyle("title", parent=styles["Title"], fontSize=18, textColor=PRIMARY, alignment=0)
        self.heading = ParagraphStyle("heading", parent=styles["Heading2"], fontSize=13, textColor=PRIMARY,
                                      spaceBefore=8, spaceAfter=4)
        self.body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9, leading=12, textColor=INK)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=8.5, leading=10.5)
        self.head_left = ParagraphStyle("head", parent=self.cell, fontName="Helvetica-Bold")
        self.head_right = ParagraphStyle("head_right", parent=self.head_left, alignment=2)
        self.label = ParagraphStyle("label", parent=self.head_left, fontSize=8, textColor=GRID)
        self.story: list = []

    def t(self, key: str, **values) -> str:
        return self.say(TEXTS[key], **values)

    def para(self, text: str, style=None) -> Paragraph:
        return Paragraph(escape(text), style or self.body)

    def table(self, rows: list[list], widths: list[float] | None = None, header: bool = True,
              align_first_left: bool = True) -> Table:
        if header:   # header texts wrap inside their column instead of running into the next
            rows = [[Paragraph(escape(str(text)), self.head_left if index == 0 else self.head_right)
                     for index, text in enumerate(rows[0])], *rows[1:]]
        table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=1 if header else 0)
        style = [("FONT", (0, 0), (-1, -1), "Helvetica", 8.5), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                 ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
        if header:
            style += [("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5), ("LINEBELOW", (0, 0), (-1, 0), 1, INK)]
        if not align_first_left:
            style.append(("ALIGN", (0, 0), (0, -1), "RIGHT"))
        table.setStyle(TableStyle(style))
        return table

    # -- sections ---------------------------------------------------------------------------

    def heading_block(self) -> None:
        figures, names = self.figures, self.names
        self.story.append(self.para(f"{self.t('title')} · {self.config.name}", self.title))
        self.story.append(self.para(self.t("period", first=figures["from"], last=figures["to"])))
        chosen = figures["filters"]
        parts = [names[table].get(chosen[key] if key != "counter" else chosen[key], str(chosen[key]))
                 for key, table in (("service", "services"), ("lane", "lanes"), ("channel", "channels"),
                                    ("counter", "counters")) if chosen[key] is not None]
        self.story.append(self.para(self.t("filters", filters=", ".join(parts) or self.t("all"))))

    def figures_block(self) -> None:
        figures = self.figures
        satisfaction = figures["satisfaction"]
        pairs = [
            (self.t("tickets"), str(figures["tickets"])), (self.t("served"), str(figures["served"])),
            (self.t("no_show"), str(figures["no_show"])), (self.t("cancelled"), str(figures["cancelled"])),
            (self.t("wait"), f"{_number(figures['wait_min']['p50'])} / {_number(figures['wait_min']['p90'])}"),
            (self.t("service"), f"{_number(figures['service_min']['p50'])} / {_number(figures['service_min']['p90'])}"),
            (self.t("ikm"), "–" if satisfaction["ikm"] is None
             else f"{satisfaction['ikm']:.2f} {satisfaction.get('grade') or ''}".rstrip()),
            (self.t("responses"), str(satisfaction["responses"])),
        ]
        rows = []
        for start in (0, 4):
            rows.append([Paragraph(escape(label), self.label) for label, _ in pairs[start:start + 4]])
            rows.append([value for _, value in pairs[start:start + 4]])
        table = Table(rows, colWidths=[WIDTH / 4] * 4, hAlign="LEFT")
        table.setStyle(TableStyle([
            ("FONT", (0, 1), (-1, 1), "Helvetica-Bold", 16), ("FONT", (0, 3), (-1, 3), "Helvetica-Bold", 16),
            ("BOX", (0, 0), (-1, -1), 0.8, GRID), ("LINEBEFORE", (1, 0), (-1, -1), 0.4, GRID),
            ("LINEBELOW", (0, 1), (-1, 1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 8), ("BOTTOMPADDING", (0, 3), (-1, 3), 8),
        ]))
        self.story += [Paragraph(escape(self.t("figures")), self.heading), table, Spacer(1, 3),
                       self.para(self.t("definitions"), self.cell)]

    def per_day_chart(self) -> None:
        days = self.figures["by_day"]
        drawing = Drawing(WIDTH, 62 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 30, 24, WIDTH - 40, 62 * mm - 52
        keys = ("served", "no_show", "cancelled", "other")
        chart.data = [[(day["tickets"] - day["served"] - day["no_show"] - day["cancelled"]) if key == "other"
                       else day[key] for day in days] for key in keys]
        every = max(1, len(days) // 16)
        chart.categoryAxis.categoryNames = [day["date"][8:] if index % every == 0 else ""
                                            for index, day in enumerate(days)]
        chart.categoryAxis.style = "stacked"
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.forceZero = True
        chart.barSpacing = 0.5
        for index, key in enumerate(keys):
            chart.bars[index].fillColor = SERIES[key]
            chart.bars[index].strokeColor = None
        drawing.add(chart)
        drawing.add(self.legend([(SERIES[key], self.t(key)) for key in keys], 30, 62 * mm - 20, columns=len(keys)))
        self.story.append(KeepTogether([Paragraph(escape(self.t("per_day")), self.heading), drawing]))

    def legend(self, pairs: list, x: float, y: float, columns: int = 1) -> Legend:
        legend = Legend()
        legend.x, legend.y = x, y
        legend.alignment = "right"
        legend.columnMaximum = 1 if columns > 1 else len(pairs)
        legend.fontName, legend.fontSize = "Helvetica", 7.5
        legend.colorNamePairs = pairs
        legend.dxTextSpace, legend.deltax = 4, 95
        legend.boxAnchor = "sw" if columns > 1 else "nw"
        return legend

    def channels_and_services(self) -> None:
        figures, names = self.figures, self.names
        channels = list(figures["by_channel"])
        pie_box = Drawing(WIDTH * 0.42, 52 * mm)
        if figures["tickets"]:
            pie = Pie()
            pie.x, pie.y, pie.width, pie.height = 6, 18, 36 * mm, 36 * mm
            pie.data = [figures["by_channel"][code] for code in channels]
            pie.labels = [_number(figures["channel_share"][code], " %") if figures["by_channel"][code] else ""
                          for code in channels]
            pie.simpleLabels = 1
            pie.slices.fontSize = 7
            pie.slices.strokeColor = colors.white
            for index in range(len(channels)):
                pie.slices[index].fillColor = PALETTE[index]
            pie_box.add(pie)
        else:
            pie_box.add(String(6, 25 * mm, "–", fontSize=20))
        pie_box.add(self.legend([(PALETTE[index], f"{names['channels'].get(code, code)}: {figures['by_channel'][code]}")
                                 for index, code in enumerate(channels)], 42 * mm, 44 * mm))
        services = list(figures["by_service"])
        bars_box = Drawing(WIDTH * 0.58, 52 * mm)
        bars = HorizontalBarChart()
        bars.x, bars.y, bars.width, bars.height = 92, 8, WIDTH * 0.58 - 104, 52 * mm - 14
        bars.data = [[figures["by_service"][code] for code in reversed(services)]]
        bars.categoryAxis.categoryNames = [names["services"].get(code, code)[:24] for code in reversed(services)]
        bars.categoryAxis.labels.fontSize = 7
        bars.valueAxis.labels.fontSize = 7
        bars.valueAxis.valueMin = 0
        bars.valueAxis.forceZero = True
        bars.bars[0].fillColor = PRIMARY
        bars.barLabelFormat = "%d"
        bars.barLabels.fontSize = 7
        bars.barLabels.nudge = 8
        bars_box.add(bars)
        row = Table([[Paragraph(escape(self.t("channels")), self.heading),
                      Paragraph(escape(self.t("per_service")), self.heading)], [pie_box, bars_box]],
                    colWidths=[WIDTH * 0.42, WIDTH * 0.58], hAlign="LEFT")
        row.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        lanes = [[self.t("per_lane"), self.t("tickets")]] + [
            [names["lanes"].get(code, code), str(count)] for code, count in figures["by_lane"].items()]
        self.story += [KeepTogether([row]), self.table(lanes, [70 * mm, 25 * mm])]

    def heat_map(self) -> None:
        weekdays = [self.say(day) for day in WEEKDAY_NAMES]
        rows = [[self.t("hour"), *weekdays]]
        shades = []
        for row_index, (hour, cells) in enumerate(heat_rows(self.figures["heat_map"]), start=1):
            rows.append([f"{hour:02d}:00", *[str(value) for value, _ in cells]])
            for column, (_value, level) in enumerate(cells, start=1):
                shades.append(("BACKGROUND", (column, row_index), (column, row_index), colors.HexColor(SHADES[level])))
                if level >= 3:
                    shades.append(("TEXTCOLOR", (column, row_index), (column, row_index), colors.white))
        table = Table(rows, colWidths=[18 * mm] + [20 * mm] * 7, hAlign="LEFT", repeatRows=1)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), "Helvetica", 8), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"), ("GRID", (1, 1), (-1, -1), 1.2, colors.white),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), *shades,
        ]))
        self.story += [KeepTogether([Paragraph(escape(self.t("peak")), self.heading),
                                     self.para(self.t("peak_note"), self.cell), Spacer(1, 3), table])]

    def workload(self) -> None:
        figures, names = self.figures, self.names
        counters = figures["counters"]
        drawing = Drawing(WIDTH, 40 * mm)
        if counters:
            chart = VerticalBarChart()
            chart.x, chart.y, chart.width, chart.height = 30, 16, WIDTH - 40, 40 * mm - 24
            chart.data = [[row["utilisation"] or 0 for row in counters]]
            chart.categoryAxis.categoryNames = [names["counters"].get(row["counter"], str(row["counter"]))[:14]
                                                for row in counters]
            chart.categoryAxis.labels.fontSize = 7
            chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
            chart.valueAxis.labels.fontSize = 7
            chart.bars[0].fillColor = PALETTE[1]
            chart.barLabelFormat = "%.0f %%"
            chart.barLabels.fontSize = 7
            chart.barLabels.nudge = 6
            drawing.add(chart)
        heads = [self.t("served"), self.t("serving"), self.t("idle"), self.t("span"), self.t("utilisation")]

        def rows(items: list[dict], label) -> list[list[str]]:
            return [[label(item), str(item["served"]), _number(item["serving_min"]), _number(item["idle_min"]),
                     _number(item["span_min"]), _number(item["utilisation"], " %")] for item in items]

        widths = [50 * mm] + [24 * mm] * 5
        blocks = [Paragraph(escape(self.t("counters")), self.heading), drawing,
                  self.para(self.t("span_note"), self.cell), Spacer(1, 3)]
        counter_rows = rows(counters, lambda item: names["counters"].get(item["counter"], str(item["counter"])))
        officer_rows = rows(figures["officers"], lambda item: item["username"])
        blocks.append(self.table([[self.t("counter"), *heads], *(counter_rows or [[self.t("nobody")]])], widths))
        self.story.append(KeepTogether(blocks))
        self.story += [Paragraph(escape(self.t("officers")), self.heading),
                       self.table([[self.t("officer"), *heads], *(officer_rows or [[self.t("nobody")]])], widths)]

    def satisfaction(self, survey: dict) -> None:
        """The IKM per service and per counter with its grade, then the comments, as text."""
        names = self.names

        def ikm(row: dict) -> str:
            return "–" if row["ikm"] is None else f"{row['ikm']:.2f}"

        def grade(row: dict) -> str:
            return f"{row['grade']} ({self.say(row['grade_label'])})" if row["grade"] else "–"

        def rows(items: list[dict], label) -> list[list[str]]:
            return [[label(item), str(item["respondents"]), ikm(item), grade(item)] for item in items]

        whole = [self.t("whole"), str(survey["respondents"]), ikm(survey), grade(survey)]
        heads = [self.t("responses"), "IKM", self.t("grade")]
        widths = [70 * mm, 28 * mm, 28 * mm, 40 * mm]
        tables = [self.table([[self.t("service_col"), *heads],
                              *rows(survey["by_service"], lambda item: names["services"].get(item["service"],
                                                                                                item["service"])),
                              whole], widths),
                  self.table([[self.t("counter"), *heads],
                              *rows(survey["by_counter"], lambda item: names["counters"].get(
                                  item["counter"], str(item["counter"]))), whole], widths)]
        for table in tables:   # the whole office's line under its services' or counters'
            table.setStyle(TableStyle([("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8.5),
                                       ("LINEABOVE", (0, -1), (-1, -1), 1, INK)]))
        self.story.append(KeepTogether([Paragraph(escape(self.t("survey")), self.heading),
                                        self.para(self.t("survey_note"), self.cell), Spacer(1, 3), tables[0]]))
        self.story += [Spacer(1, 6), tables[1]]
        comments = survey["comments"]
        self.story.append(Paragraph(escape(self.t("comments")), self.heading))
        if not comments:
            self.story.append(self.para(self.t("no_comments")))
        for note in comments[:COMMENTS_SHOWN]:
            where = " · ".join(filter(None, (note["date"], names["services"].get(note["service"], note["service"]),
                                             names["counters"].get(note["counter"]) if note["counter"] else None,
                                             f"{note['score']}/4")))
            self.story.append(Paragraph(f"<font color='#5a5a5a'>{escape(where)}</font><br/>{escape(note['text'])}",
                                        self.cell))
            self.story.append(Spacer(1, 3))
        if len(comments) > COMMENTS_SHOWN:
            self.story.append(self.para(self.t("more_comments", count=len(comments) - COMMENTS_SHOWN), self.cell))

    def footer(self, canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(GRID)
        canvas.drawString(MARGIN, 9 * mm, f"{self.config.name} · {self.figures['from']} – {self.figures['to']}")
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, self.t("page", page=document.page))
        canvas.restoreState()


def render_report(config: OfficeConfig, figures: dict, names: dict, language: str = "id",
                  survey: dict | None = None) -> bytes:
    """The report as PDF bytes. `figures` is `shared.views.reports.summary`; `names` maps codes
    to the language's names (services, lanes, channels, counters); `survey` is
    `shared.views.reports.survey` (the IKM per service and counter, and the comments)."""
    report = _Report(config, figures, names, language)
    report.heading_block()
    report.figures_block()
    report.per_day_chart()
    report.channels_and_services()
    report.heat_map()
    report.workload()
    if survey is not None:
        report.satisfaction(survey)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN + 4 * mm, title=report.t("title"), author=config.name)
    document.build(report.story, onFirstPage=report.footer, onLaterPages=report.footer)
    return out.getvalue()
