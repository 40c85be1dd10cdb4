"""Hotline settings (admins): number, name, zone, language, ringing, fallback, default chain."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from hotline.auth import ADMIN, role_required
from hotline.auth.forms import show_error
from hotline.db import get_session
from hotline.models import Hotline
from hotline.planning import bp
from hotline.planning.errors import PlanningError
from hotline.planning.forms import HotlineForm, chain_ids, offer_people
from hotline.planning.hotline_settings import (
    HotlineSettings,
    create_hotline,
    default_chain_ids,
    update_hotline,
)
from hotline.planning.people import list_people
from hotline.planning.views_common import managed_hotline, unsaved_status


@bp.route("/hotlines/new", methods=["GET", "POST"])
@role_required(ADMIN)
def hotline_new() -> ResponseReturnValue:
    """Add a hotline."""
    form = _form(None)
    if (status := unsaved_status(form)) is not None:
        return _page(None, form, status)
    session = get_session()
    try:
        hotline = create_hotline(session, _settings(form), user_id=current_user.id)
    except PlanningError as error:
        session.rollback()
        show_error(form, error)
        return _page(None, form, 400)
    session.commit()
    flash(_("Hotline %(name)s is created.", name=hotline.name), "success")
    return redirect(url_for("planning.hotline", hotline_id=hotline.id))


@bp.route("/hotlines/<int:hotline_id>/settings", methods=["GET", "POST"])
@role_required(ADMIN)
def hotline_settings(hotline_id: int) -> ResponseReturnValue:
    """Change a hotline's settings and default chain."""
    hotline = managed_hotline(hotline_id)
    form = _form(hotline)
    if (status := unsaved_status(form)) is not None:
        return _page(hotline, form, status)
    session = get_session()
    try:
        update_hotline(session, hotline, _settings(form), user_id=current_user.id)
    except PlanningError as error:
        session.rollback()
        show_error(form, error)
        return _page(hotline, form, 400)
    session.commit()
    flash(_("The settings of %(name)s are saved.", name=hotline.name), "success")
    return redirect(url_for("planning.hotline_settings", hotline_id=hotline.id))


def _form(hotline: Hotline | None) -> HotlineForm:
    if hotline is None:
        form = HotlineForm()
    else:
        chain = [str(pid) for pid in default_chain_ids(get_session(), hotline.id)]
        # Posted values win over the stored ones (WTForms reads formdata first).
        form = HotlineForm(obj=hotline, default_chain=chain)
    offer_people(form.default_chain, [(p.id, p.name) for p in list_people(get_session())])
    return form


def _settings(form: HotlineForm) -> HotlineSettings:
    return HotlineSettings(
        number=form.number.data or "",
        name=form.name.data or "",
        timezone=form.timezone.data or "",
        language=form.language.data,
        ring_timeout=form.ring_timeout.data,
        screening=bool(form.screening.data),
        fallback_number=form.fallback_number.data or None,
        greeting=form.greeting.data or None,
        default_chain=chain_ids(form.default_chain),
    )


def _page(hotline: Hotline | None, form: HotlineForm, status: int) -> ResponseReturnValue:
    return render_template("planning/hotline_settings.html", hotline=hotline, form=form), status
