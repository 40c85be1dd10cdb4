"""Statistics: call records turned into KPIs, trends, per-agent and on-call reports.

Every figure over calls is computed by the database (GROUP BY, window and
percentile functions); Python only folds the few rows that come back. The
functions take a session and a `Period` (local days in a time zone) and
raise `StatsInputError` with a readable message on bad input. Entry points:

- periods.parse_period / Period: the period picker (today, 7d, 30d, month, custom)
- dashboard.dashboard: summary + daily trend + heatmap + per-agent table
  (or kpis.summary, trend.daily_trend, heatmap.weekly_heatmap, agents.agent_table)
- calls.list_calls / iter_calls / count_calls with CallFilters; timeline.call_timeline
- astreinte.astreinte_report: the monthly on-call report
- exports.calls_csv / agents_csv / astreinte_csv: CSV in the reader's locale
- sample.generate_sample: synthetic calls (`hotline stats sample`)
- views*.py: the pages (dashboard, call list and timeline, CSV downloads,
  on-call report) on the `stats` blueprint below; shift_takes.take_figures:
  shift-take confirmations per person for the per-agent table
"""

from __future__ import annotations

from flask import Blueprint, Flask

# The statistics pages; see hotline/stats/views*.py.
bp = Blueprint(
    "stats",
    __name__,
    url_prefix="/stats",
    template_folder="templates",
    static_folder="static",
)


def init_app(app: Flask) -> None:
    """Register the statistics pages."""
    # Imported here: the CLI and the sample generator import hotline.stats.* and
    # need neither the forms nor the views.
    from hotline.stats import views  # noqa: F401 - registers the routes on bp

    app.register_blueprint(bp)
