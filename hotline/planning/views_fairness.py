"""Fairness: on-call hours per person over a period; the hotline's labour-rule settings."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session
from hotline.models import Hotline
from hotline.planning import bp
from hotline.planning.errors import PlanningError
from hotline.planning.forms import LabourRulesForm
from hotline.planning.rules import labour_rules, set_labour_rules
from hotline.planning.views_common import (
    EDITORS,
    REVIEWERS,
    managed_hotline,
    may_manage,
    reviewed_hotline,
    show_planning_error,
)


@bp.get("/hotlines/<int:hotline_id>/fairness")
@role_required(*REVIEWERS)
def fairness(hotline_id: int) -> ResponseReturnValue:
    """Hours on call per person over a period, and the labour rules."""
    hotline = reviewed_hotline(hotline_id)
    rules = labour_rules(get_session(), hotline.id)
    form = LabourRulesForm(formdata=None, obj=rules)
    return _page(hotline, form, 200)


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
    return render_template(
        "planning/fairness.html",
        hotline=hotline,
        rules_form=rules_form,
        may_manage=may_manage(hotline),
    ), status
