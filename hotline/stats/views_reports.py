"""The per-agent table as CSV, and the monthly on-call (astreinte) report with its CSV."""

from __future__ import annotations

from datetime import date

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.i18n import current_language
from hotline.stats import bp
from hotline.stats.agents import agent_table
from hotline.stats.astreinte import MIN_REST_HOURS, AstreinteLine, astreinte_report
from hotline.stats.errors import StatsInputError
from hotline.stats.exports import agents_csv, astreinte_csv
from hotline.stats.forms import (
    AgentsExportForm,
    AstreinteForm,
    month_name,
    month_of,
    show_current_month,
)
from hotline.stats.oncall_hours import DayHours, HourKind
from hotline.stats.periods import Period
from hotline.stats.views_common import (
    READERS,
    Scope,
    checked_scope,
    csv_response,
    is_agent,
    offer_people,
    show_stats_error,
)

HOUR_KINDS = {
    HourKind.WEEKDAY_DAY: _l("Weekday, day"),
    HourKind.WEEKDAY_NIGHT: _l("Weekday, night"),
    HourKind.WEEKEND: _l("Weekend"),
    HourKind.HOLIDAY: _l("Public holiday"),
}


@bp.get("/agents.csv")
@role_required(*READERS)
def agents_download() -> ResponseReturnValue:
    """The per-agent table of the dashboard's period as CSV (agents: their own line)."""
    session = get_session()
    form = AgentsExportForm(request.args)
    scope, valid = checked_scope(session, form)
    if valid and scope is not None:
        try:
            period = form.period_in(scope.tz)
        except StatsInputError as error:
            show_stats_error(form, error)
        else:
            rows = agent_table(session, period, scope.hotline_id)
            if scope.agent:
                rows = [row for row in rows if row.person_id == scope.own_calls_of]
            return csv_response([agents_csv(rows, current_language())], "agents", period)
    return render_template(
        "stats/index.html",
        form=form,
        scope=scope,
        period=None,
        board=None,
        agents=[],
        charts=None,
        args=form.period_args(),
    ), (400 if form.errors or form.form_errors else 200)


@bp.get("/astreinte")
@role_required(*READERS)
def astreinte() -> ResponseReturnValue:
    """Hours on call and at work per person for a month, split the way compensation counts them."""
    session = get_session()
    form, scope, lines = _report(session)
    return render_template(
        "stats/astreinte.html",
        form=form,
        scope=scope,
        lines=lines,
        kinds=HOUR_KINDS,
        day_hours=DayHours(),
        min_rest=MIN_REST_HOURS,
        args=_report_args(form),
        month_shown=_month_shown(form),
    ), (400 if form.errors or form.form_errors else 200)


@bp.get("/astreinte.csv")
@role_required(*READERS)
def astreinte_download() -> ResponseReturnValue:
    """The on-call report of the month as CSV in the user's locale."""
    session = get_session()
    form, scope, lines = _report(session)
    if lines is None or scope is None:
        return astreinte()
    year, month = month_of(form.month.data) or (0, 0)
    text = astreinte_csv(lines, form.month.data, current_language())
    return csv_response([text], "astreinte", Period.month(year, month, scope.tz))


def _report(session: Session) -> tuple[AstreinteForm, Scope | None, list[AstreinteLine] | None]:
    form = AstreinteForm(request.args)
    offer_people(form.person, session, _("Everyone"))
    scope, valid = checked_scope(session, form)
    if scope is None or not valid:
        return form, scope, None
    if not form.month.data:
        show_current_month(form.month, Period.today(scope.tz, utcnow()).start)
    year, month = month_of(form.month.data) or (0, 0)
    person_id = form.person_id()
    if scope.agent:
        if scope.own_calls_of is None:
            return form, scope, []
        person_id = current_user.person_id
    try:
        lines = astreinte_report(
            session, year, month, scope.tz, hotline_id=scope.hotline_id, person_id=person_id
        )
    except StatsInputError as error:
        show_stats_error(form, error)
        return form, scope, None
    return form, scope, lines


def _month_shown(form: AstreinteForm) -> str:
    """The month the report shows, by name ("" when the month given is wrong)."""
    year, month = month_of(form.month.data) or (0, 0)
    return month_name(date(year, month, 1)) if year else ""


def _report_args(form: AstreinteForm) -> dict[str, str]:
    args = {"month": form.month.data or ""}
    if form.hotline.data:
        args["hotline"] = form.hotline.data
    if form.person.data and not is_agent():
        args["person"] = form.person.data
    return args
