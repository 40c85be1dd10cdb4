"""Statistics pages: the dashboard of a period, and the charting library's script.

The call list and timeline live in views_calls.py, the CSV downloads and the
on-call report in views_reports.py; they are imported at the bottom so their
routes register on the same blueprint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel.dates import get_day_names
from flask import Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from hotline.auth import role_required, signed_in
from hotline.db import get_session
from hotline.i18n import format_local_date, page_locale
from hotline.stats import bp
from hotline.stats.agents import AgentRow, agent_table
from hotline.stats.charting import charts_csp, plotly_bundle
from hotline.stats.dashboard import Dashboard, dashboard
from hotline.stats.errors import StatsInputError
from hotline.stats.forms import AgentDashboardForm, DashboardForm
from hotline.stats.periods import Period
from hotline.stats.shift_takes import TakeFigures, take_figures
from hotline.stats.views_common import READERS, Scope, checked_scope, is_agent, show_stats_error
from hotline.voice.models import Outcome

# The trend's stacked bars, bottom to top, named as the dashboard's tiles.
OUTCOME_TOTALS = {
    Outcome.ANSWERED: _l("Calls answered"),
    Outcome.VOICEMAIL: _l("Messages left"),
    Outcome.MISSED: _l("Calls missed"),
    Outcome.ABANDONED: _l("Calls abandoned"),
    Outcome.FAILED: _l("To the emergency number"),
}
TREND_OUTCOMES = tuple(OUTCOME_TOTALS)
PLOTLY_CACHE_SECONDS = 365 * 24 * 3600  # the URL names the version


@dataclass(frozen=True)
class AgentLine:
    row: AgentRow
    takes: TakeFigures | None


@bp.get("/")
@role_required(*READERS)
def index() -> ResponseReturnValue:
    """The figures of a period: summary, trend, heatmaps, per-agent table (agents: their own)."""
    session = get_session()
    form = (AgentDashboardForm if is_agent() else DashboardForm)(request.args)
    scope, valid = checked_scope(session, form)
    board: Dashboard | None = None
    agents: list[AgentLine] = []
    period: Period | None = None
    if valid and scope is not None:
        try:
            period = form.period_in(scope.tz)
            board, agents = _figures(session, scope, period, form.target_seconds())
        except StatsInputError as error:
            show_stats_error(form, error)
    failed = bool(form.errors or form.form_errors)
    page = render_template(
        "stats/index.html",
        form=form,
        scope=scope,
        period=period,
        board=board,
        agents=agents,
        charts=_charts(board) if board else None,
        plotly=plotly_bundle(),
        args=form.period_args(),
    )
    response = Response(page, 400 if failed else 200)
    response.headers["Content-Security-Policy"] = charts_csp()
    return response


def _figures(
    session: Session, scope: Scope, period: Period, target: int
) -> tuple[Dashboard | None, list[AgentLine]]:
    """Reviewers: the whole dashboard; agents: only their own line of the per-agent table."""
    if scope.agent:
        if scope.own_calls_of is None:
            return None, []
        rows = [
            row
            for row in agent_table(session, period, scope.hotline_id)
            if row.person_id == scope.own_calls_of
        ]
        board = None
    else:
        board = dashboard(session, period, scope.hotline_id, target)
        rows = board.agents
    takes = take_figures(session, period, scope.hotline_id)
    return board, [AgentLine(row, takes.get(row.person_id)) for row in rows]


def _charts(board: Dashboard) -> dict[str, Any]:
    """What stats.js needs to draw the charts, with labels in the page's language."""
    days = [format_local_date(day.day, None, "EEE d MMM") for day in board.trend]
    names = get_day_names("abbreviated", locale=page_locale())
    return {
        "trend": {
            "title": _("Calls per day"),
            "days": days,
            "series": [
                {
                    "outcome": outcome.value,
                    "name": str(OUTCOME_TOTALS[outcome]),
                    "values": [getattr(day, outcome.value) for day in board.trend],
                }
                for outcome in TREND_OUTCOMES
            ],
        },
        "heatmaps": [
            {
                "id": "calls",
                "title": _("Calls by hour and weekday"),
                "z": board.heatmap.calls,
            },
            {
                "id": "misses",
                "title": _("Calls no agent took, by hour and weekday"),
                "z": board.heatmap.misses,
            },
        ],
        "weekdays": [names[i] for i in range(7)],
        "hours": [_("%(hour)02dh", hour=hour) for hour in range(24)],
        "count_label": _("Calls"),
    }


# -- the charting library ----------------------------------------------------------------------


@bp.get("/assets/plotly.min.js")
@signed_in
def plotly_js() -> ResponseReturnValue:
    """The charting library, served from the installed plotly package; cached for a year."""
    bundle = plotly_bundle()
    if bundle is None:
        abort(404)
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(bundle.gzipped if compressed else bundle.plain, mimetype="text/javascript")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.set_etag(bundle.etag + ("-gz" if compressed else ""))
    # Set before the app's hook, which marks signed-in responses no-store by default.
    response.headers["Cache-Control"] = f"public, max-age={PLOTLY_CACHE_SECONDS}, immutable"
    return response.make_conditional(request)


from hotline.stats import views_calls, views_reports  # noqa: E402,F401 - registers their routes
