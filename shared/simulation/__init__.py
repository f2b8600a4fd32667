"""The day simulator behind `antrean simulate`: the real queue policy on a repeatable simulated day.

It exists because the numbers in `[policy]` are guesses until they meet a day that looks like the
office's own (docs/QUEUE-POLICY.md). Three modules, imported in one direction only
(scenario -> engine; report imports neither):

- `engine`: the model. The day's inputs (`Visitor`, `CounterPlan`, `Day`, `Stream`, `Bookings`, `Scenario`),
  drawing the visitors, the discrete-event run of one day (`run_day`), the summaries and
  `compare`, which runs one drawn day under several policies and returns the report dict.
- `scenario`: scenario files. Finding one (a path, or a name shipped in shared/scenarios/ such as
  `mpp`) and validating its TOML into a `Scenario`, with errors that name the file and field.
- `report`: presenting that report dict, as the plain-text table and as an accessible SVG chart
  (`--json` prints the dict as it is).

The names below are re-exported so callers keep writing `from shared import simulation` and
`simulation.compare(...)` or `from shared.simulation import run_day`.
"""
from .engine import (
    ABANDONED, NO_SHOW, REFERENCE_NAMES, SERVED, UNSERVED, Bookings, CounterPlan, CounterUse, Day, DayResult,
    Observer,
    Outcome, Scenario, Stream, Visitor, compare, draw_visitors, lognormal_parameters, percentile,
    reference_policies, run_day, summarise,
)
from .report import format_report, svg_chart
from .scenario import SCENARIOS, load_scenario, parse_scenario, scenario_path, shipped_scenarios

__all__ = [
    "ABANDONED", "NO_SHOW", "REFERENCE_NAMES", "SCENARIOS", "SERVED", "UNSERVED",
    "Bookings", "CounterPlan", "CounterUse", "Day", "DayResult", "Observer", "Outcome", "Scenario", "Stream", "Visitor",
    "compare", "draw_visitors", "format_report", "load_scenario", "lognormal_parameters", "parse_scenario",
    "percentile", "reference_policies", "run_day", "scenario_path", "shipped_scenarios", "summarise",
    "svg_chart",
]
