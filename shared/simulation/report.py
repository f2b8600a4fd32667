"""Presenting a report: the dict `engine.compare` returns, as a text table or an SVG chart.

`antrean simulate` prints the table for a person at a terminal, writes the chart with `--chart`,
and with `--json` prints the dict itself. Both renderers read only that dict (the JSON report's
shape), so they import nothing from the engine and stay apart from how the figures were made.
"""
from __future__ import annotations

import html
import math


def _minutes(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def format_report(report: dict) -> str:
    """The plain-text table `antrean simulate` prints, per policy and lane, for a person at a terminal."""
    max_wait = report["max_wait_min"]
    lines = [
        f"Scenario {report['scenario']}: {report['office']}",
        f"{report['date']}, open {report['open']}–{report['close']}, {report['visitors']} visitors, "
        f"{report['counters']} counters, seed {report['seed']}; waits in minutes (call − arrival, served visitors)",
    ]
    if "bookings" in report:
        lines.append(_booking_line(report["bookings"]))
    for name, summary in report["policies"].items():
        over = "n/a" if summary["over_max_wait"] is None else summary["over_max_wait"]
        limit = "off" if max_wait is None else f"{max_wait:g} min"
        lines += ["", f"{name}: utilisation {summary['utilisation']:.2f}, over max wait ({limit}): {over}, "
                      f"last call {summary['last_call']}",
                  f"  {'lane':<15}{'served':>7}{'abandoned':>10}{'no-show':>8}{'unserved':>9}"
                  f"{'p50':>7}{'p95':>7}{'max':>7}"]
        rows = list(summary["lanes"].items()) + [("priority (all)", summary["groups"]["priority"]),
                                                  ("everyone", summary["groups"]["all"])]
        channels = summary.get("channels")
        if channels:
            rows += [("walk-in", channels["walk_in"]), ("appointment", channels["appointment"])]
        for lane, row in rows:
            lines.append(f"  {lane:<15}{row['served']:>7}{row['abandoned']:>10}{row['no_show']:>8}"
                         f"{row['unserved']:>9}{_minutes(row['p50']):>7}{_minutes(row['p95']):>7}"
                         f"{_minutes(row['max']):>7}")
        if channels:
            lines.append(_window_line(channels["appointment"]))
        counters = ", ".join(f"{number}: {share:.2f}" for number, share in summary["counters"].items())
        lines.append(f"  utilisation per counter: {counters}")
    return "\n".join(lines)


def _booking_line(bookings: dict) -> str:
    """What became of the bookings, and whether the fullest slot fits the places the office file allows."""
    line = (f"bookings: {bookings['booked']} booked ({bookings['share']:.0%} of visitors), "
            f"{bookings['never_came']} never came, {bookings['walked_in']} came too late and walked in, "
            f"{bookings['checked_in']} checked in")
    fullest = bookings["fullest_slot"]
    if fullest:
        line += (f"; fullest slot: {fullest['service']} {fullest['slot']}, {fullest['booked']} booked "
                 f"({fullest['bookable']} bookable)")
    return line


def _window_line(row: dict) -> str:
    """The booking's promise, kept or not: calls in the window, before it, and after it (and by how much)."""
    early, grace = row["window_min"]
    share = "—" if row["in_window_share"] is None else f"{row['in_window_share']:.1%}"
    late = row["late_by"]
    after = f"after it {row['after_window']}"
    if row["after_window"]:
        after += f" (late by p50 {_minutes(late['p50'])}, max {_minutes(late['max'])})"
    return (f"  appointments called in their window ({-early:g} min before to {grace:g} after the slot): "
            f"{row['in_window']} of {row['visitors']} ({share}); before it {row['before_window']}, {after}, "
            f"never called {row['visitors'] - row['called']}")


_GROUP_LABELS = {"priority": "priority (all)", "walk_in": "walk-in"}
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")  # Okabe–Ito, safe for colour blindness


def svg_chart(report: dict) -> str:
    """A p95-wait bar chart as a hand-written SVG, with title and labels a screen reader can read."""
    policies = list(report["policies"])
    first = next(iter(report["policies"].values()))
    lanes = list(first["lanes"]) + ["priority"] + list(first.get("channels", ()))

    def p95(policy: str, lane: str) -> float | None:
        summary = report["policies"][policy]
        if lane == "priority":
            return summary["groups"]["priority"]["p95"]
        return summary["lanes"][lane]["p95"] if lane in summary["lanes"] else summary["channels"][lane]["p95"]

    values = [p95(policy, lane) or 0.0 for policy in policies for lane in lanes]
    top = _nice_ceiling(max(values + [1.0]))
    width, height = 120 + 110 * len(lanes), 360
    left, right, upper, lower = 60, 20, 50, 80
    plot_w, plot_h = width - left - right, height - upper - lower
    group_w = plot_w / len(lanes)
    bar_w = min(28.0, (group_w - 20) / len(policies))

    def y(value: float) -> float:
        return upper + plot_h * (1 - value / top)

    title = f"p95 wait per lane — {report['scenario']} ({report['visitors']} visitors, seed {report['seed']})"
    summary_text = "; ".join(
        f"{lane}: " + ", ".join(f"{policy} {_minutes(p95(policy, lane))} min" for policy in policies) for lane in lanes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12">',
        f'<title id="chart-title">{html.escape(title)}</title>',
        f'<desc id="chart-desc">{html.escape("95th percentile of minutes waited, by lane and policy. ")}'
        f'{html.escape(summary_text)}</desc>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="22" font-size="14" font-weight="bold" fill="#000">{html.escape(title)}</text>',
    ]
    for step in range(5):
        value = top * step / 4
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                   f'stroke="#dddddd"/>')
        out.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" fill="#000">{value:g}</text>')
    out.append(f'<text x="14" y="{upper + plot_h / 2:.1f}" transform="rotate(-90 14 {upper + plot_h / 2:.1f})" '
               f'text-anchor="middle" fill="#000">p95 wait (minutes)</text>')
    for index, lane in enumerate(lanes):
        start = left + index * group_w + (group_w - bar_w * len(policies)) / 2
        for position, policy in enumerate(policies):
            value = p95(policy, lane)
            x = start + position * bar_w
            shown = value or 0.0
            label = f"{policy}, {lane}: {_minutes(value)} min"
            out.append(f'<rect x="{x:.1f}" y="{y(shown):.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{upper + plot_h - y(shown):.1f}" fill="{_COLOURS[position % len(_COLOURS)]}">'
                       f'<title>{html.escape(label)}</title></rect>')
            out.append(f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{y(shown) - 4:.1f}" text-anchor="middle" '
                       f'font-size="10" fill="#000">{_minutes(value)}</text>')
        out.append(f'<text x="{left + (index + 0.5) * group_w:.1f}" y="{upper + plot_h + 18}" text-anchor="middle" '
                   f'fill="#000">{html.escape(_GROUP_LABELS.get(lane, lane))}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{upper + plot_h}" y2="{upper + plot_h}" stroke="#000"/>')
    legend_y = height - 28
    for position, policy in enumerate(policies):
        x = left + position * 150
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="12" height="12" '
                   f'fill="{_COLOURS[position % len(_COLOURS)]}"/>')
        out.append(f'<text x="{x + 18}" y="{legend_y}" fill="#000">{html.escape(policy)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice_ceiling(value: float) -> float:
    """A round axis maximum (1, 2, 2.5 or 5 times a power of ten) so the gridlines read easily."""
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power
