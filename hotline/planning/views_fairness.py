"""Fairness: on-call hours per person over a period; the hotline's labour-rule settings."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.models import Hotline
from hotline.planning import bp
from hotline.planning.calendar_grid import local_midnight
from hotline.planning.errors import PlanningError
from hotline.planning.fairness import fairness as hours_by_person
from hotline.planning.forms import LabourRulesForm, PeriodForm
from hotline.planning.rules import labour_rules, set_labour_rules
from hotline.planning.views_common import (
    EDITORS,
    REVIEWERS,
    managed_hotline,
    may_manage,
    reviewed_hotline,
    show_planning_error,
)
from hotline.stats.oncall_hours import HourKind

HOUR_KINDS = {
    HourKind.WEEKDAY_DAY: _l("Weekday, day"),
    HourKind.WEEKDAY_NIGHT: _l("Weekday, night"),
    HourKind.WEEKEND: _l("Weekend"),
    HourKind.HOLIDAY: _l("Public holiday"),
}


@bp.get("/hotlines/<int:hotline_id>/fairness")
@role_required(*REVIEWERS)
def fairness(hotline_id: int) -> ResponseReturnValue:
    """Hours on call per person over a period (this month unless chosen), and the labour rules."""
    hotline = reviewed_hotline(hotline_id)
    rules = labour_rules(get_session(), hotline.id)
    return _page(hotline, LabourRulesForm(formdata=None, obj=rules), 200)


@bp.post("/hotlines/<int:hotline_id>/rules")
@role_required(*EDITORS)
def rules_save(hotline_id: int) -> ResponseReturnValue:
    """Save the hotline's labour rules (an empty field turns a rule off)."""
    hotline = managed_hotline(hotline_id)
    form = LabourRulesForm()
    if not form.validate_on_submit():
        return _page(hotline, form, 400)
    session = get_session()
    try:
        set_labour_rules(
            session,
            hotline.id,
            max_consecutive_days=form.max_consecutive_days.data,
            min_rest_hours=form.min_rest_hours.data,
            user_id=current_user.id,
        )
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error)
        return _page(hotline, form, 400)
    session.commit()
    flash(_("The labour rules are saved."), "success")
    return redirect(url_for("planning.fairness", hotline_id=hotline.id))


def _page(hotline: Hotline, rules_form: LabourRulesForm, status: int) -> ResponseReturnValue:
    zone = ZoneInfo(hotline.timezone)
    asked = "first_day" in request.args or "last_day" in request.args
    period = PeriodForm(formdata=request.args if asked else None, **_this_month(zone))
    report = None
    if not asked or period.validate():
        try:
            report = hours_by_person(
                get_session(),
                hotline.id,
                local_midnight(period.first_day.data, zone),
                local_midnight(period.last_day.data + timedelta(days=1), zone),
            )
        except PlanningError as error:
            show_planning_error(period, error, {"end": "last_day", "start": "first_day"})
    if asked and report is None:
        status = 400
    return render_template(
        "planning/fairness.html",
        hotline=hotline,
        period=period,
        report=report,
        kinds=HOUR_KINDS,
        rules_form=rules_form,
        may_manage=may_manage(hotline),
    ), status


def _this_month(zone: ZoneInfo) -> dict[str, date]:
    today = utcnow().astimezone(zone).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return {"first_day": first, "last_day": following - timedelta(days=1)}
