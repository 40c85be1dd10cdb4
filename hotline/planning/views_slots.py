"""Slot pages (managers): add a slot by hand, edit one with its loaded version, delete one."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session
from hotline.models import Hotline
from hotline.planning import audit, bp
from hotline.planning.audit_lines import audit_line
from hotline.planning.errors import NotFound, PlanningConflict, PlanningError
from hotline.planning.forms import (
    SlotForm,
    VersionForm,
    chain_ids,
    offer_people,
    wall_clock,
)
from hotline.planning.models import Slot
from hotline.planning.slots import SlotEdit, create_slot, delete_slot, get_slot, update_slot
from hotline.planning.views_common import (
    EDITORS,
    flash_absences,
    flash_rule_warnings,
    managed_hotline,
    people_choices,
    show_planning_error,
    unsaved_status,
)


@bp.route("/hotlines/<int:hotline_id>/slots/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def slot_new(hotline_id: int) -> ResponseReturnValue:
    """Add a regular slot by hand (rotations never rewrite it)."""
    hotline = managed_hotline(hotline_id)
    form = SlotForm(zone=ZoneInfo(hotline.timezone), version="0")
    offer_people(form.chain, people_choices())
    if (status := unsaved_status(form)) is not None:
        return _new_page(hotline, form, status)
    session = get_session()
    try:
        edit = create_slot(session, hotline.id, user_id=current_user.id, **_slot_fields(form))
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error)
        return _new_page(hotline, form, 400)
    return _saved(hotline, edit, _("The slot is added."))


@bp.route("/hotlines/<int:hotline_id>/slots/<int:slot_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def slot_edit(hotline_id: int, slot_id: int) -> ResponseReturnValue:
    """Change a slot's times, chain and note, unless somebody changed it since it was loaded."""
    hotline = managed_hotline(hotline_id)
    slot = _slot_of(hotline, slot_id)
    zone = ZoneInfo(hotline.timezone)
    form = SlotForm(
        zone=zone,
        current={"starts_at": slot.starts_at, "ends_at": slot.ends_at},
        starts_at=wall_clock(slot.starts_at, zone),
        ends_at=wall_clock(slot.ends_at, zone),
        chain=[str(r.person_id) for r in slot.responders],
        note=slot.note,
        version=str(slot.version),
    )
    offer_people(form.chain, people_choices())
    if (status := unsaved_status(form)) is not None:
        return _edit_page(hotline, slot, form, status)
    session = get_session()
    try:
        edit = update_slot(
            session,
            slot.id,
            version=int(form.version.data),
            user_id=current_user.id,
            **_slot_fields(form),
        )
    except PlanningConflict as conflict:
        session.rollback()
        return _conflict(hotline, slot_id, str(conflict), form)
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error)
        return _edit_page(hotline, slot, form, 400)
    return _saved(hotline, edit, _("The slot is saved."))


@bp.post("/hotlines/<int:hotline_id>/slots/<int:slot_id>/delete")
@role_required(*EDITORS)
def slot_delete(hotline_id: int, slot_id: int) -> ResponseReturnValue:
    """Remove a slot, unless somebody changed it since it was loaded."""
    hotline = managed_hotline(hotline_id)
    slot = _slot_of(hotline, slot_id)
    form = VersionForm()
    session = get_session()
    if not form.validate_on_submit():
        flash(_("Reload the page."), "error")
        return redirect(url_for("planning.slot_edit", hotline_id=hotline.id, slot_id=slot.id))
    month = slot.starts_at.astimezone(ZoneInfo(hotline.timezone)).strftime("%Y-%m")
    try:
        delete_slot(session, slot.id, version=int(form.version.data), user_id=current_user.id)
    except PlanningConflict as conflict:
        session.rollback()
        return _conflict(hotline, slot_id, str(conflict), None)
    session.commit()
    flash(_("The slot is removed."), "success")
    return redirect(url_for("planning.calendar", hotline_id=hotline.id, month=month))


def _slot_fields(form: SlotForm) -> dict[str, Any]:
    """The slot as the form gives it, in the keywords of create_slot and update_slot."""
    return {
        "starts_at": form.utc("starts_at"),
        "ends_at": form.utc("ends_at"),
        "chain": chain_ids(form.chain),
        "note": form.note.data,
        "despite_absence": form.despite_absence.data,
    }


def _slot_of(hotline: Hotline, slot_id: int) -> Slot:
    """The hotline's slot; a POST about a slot gone meanwhile is a conflict, not a 404."""
    try:
        slot = get_slot(get_session(), slot_id)
    except NotFound:
        if request.method == "POST":
            message = _("This slot was removed meanwhile: nothing of yours was saved.")
            abort(_conflict(hotline, slot_id, message, None))
        abort(404)
    if slot.hotline_id != hotline.id:
        abort(404)
    return slot


def _conflict(
    hotline: Hotline, slot_id: int, message: str, form: SlotForm | None
) -> ResponseReturnValue:
    """409: somebody changed or removed the slot meanwhile; show it as it is now, keep nothing."""
    session = get_session()
    session.expire_all()
    current = session.get(Slot, slot_id)
    if current is None or form is None:
        page = render_template(
            "planning/conflict.html", hotline=hotline, slot=current, message=message
        )
        return make_response(page, 409)
    return _edit_page(hotline, current, form, 409, conflict=message)


def _saved(hotline: Hotline, edit: SlotEdit, message: str) -> ResponseReturnValue:
    get_session().commit()
    flash(message, "success")
    flash_absences(edit.absent)
    flash_rule_warnings(edit.warnings)
    month = edit.slot.starts_at.astimezone(ZoneInfo(hotline.timezone)).strftime("%Y-%m")
    return redirect(url_for("planning.calendar", hotline_id=hotline.id, month=month))


def _new_page(hotline: Hotline, form: SlotForm, status: int) -> ResponseReturnValue:
    return render_template("planning/slot_form.html", hotline=hotline, form=form, slot=None), status


def _edit_page(
    hotline: Hotline, slot: Slot, form: SlotForm, status: int, conflict: str | None = None
) -> ResponseReturnValue:
    zone = ZoneInfo(hotline.timezone)
    changes = audit.entity_history(get_session(), audit.SLOT, slot.id)
    return render_template(
        "planning/slot_form.html",
        hotline=hotline,
        form=form,
        slot=slot,
        conflict=conflict,
        history=[audit_line(e, zone) for e in changes],
        delete_form=VersionForm(formdata=None, version=str(slot.version)),
    ), status
