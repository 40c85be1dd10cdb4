"""Override pages: replace a person for a span, swap two shifts, remove an override."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.i18n import format_local, page_text
from hotline.models import Hotline
from hotline.planning import audit, bp
from hotline.planning.errors import NotFound, PlanningConflict, PlanningError
from hotline.planning.forms import ReplaceForm, SwapForm, VersionForm
from hotline.planning.models import OVERRIDE, Slot
from hotline.planning.overrides import remove_override, replace_person, swap_shifts
from hotline.planning.slots import get_slot, slots_between
from hotline.planning.views_common import (
    EDITORS,
    READERS,
    flash_absences,
    flash_rule_warnings,
    managed_hotline,
    may_manage,
    people_choices,
    readable_hotline,
    show_planning_error,
)

# How far ahead the page lists overrides and offers shifts to swap.
AHEAD = timedelta(weeks=12)
# Both forms share a page: prefixes keep their fields' names and ids apart.
REPLACE, SWAP = "replace", "swap"
REPLACE_FIELDS = {"person_id": "person", "replacement_id": "replacement"}
SWAP_FIELDS = {"first_slot_id": "first", "second_slot_id": "second"}


@dataclass(frozen=True)
class OverrideRow:
    slot: Slot
    before: list[dict[str, Any]]  # what was in force over its span when it was made
    action: str | None  # override or swap


@bp.get("/hotlines/<int:hotline_id>/overrides")
@role_required(*READERS)
def overrides(hotline_id: int) -> ResponseReturnValue:
    """The coming overrides with what they replaced; the forms to add more.

    ?replace-person=&replace-starts_at=&replace-ends_at= fill the replacement form
    (the person's page links here for a colleague who fell ill).
    """
    hotline = readable_hotline(hotline_id)
    replace = None
    if may_manage(hotline) and any(key.startswith(REPLACE + "-") for key in request.args):
        replace = ReplaceForm(
            formdata=request.args, zone=ZoneInfo(hotline.timezone), prefix=REPLACE
        )
        replace.offer(people_choices())
    return _page(hotline, replace, None, 200)


@bp.post("/hotlines/<int:hotline_id>/overrides/replace")
@role_required(*EDITORS)
def override_replace(hotline_id: int) -> ResponseReturnValue:
    """Put somebody in a person's place wherever that person is on call in a span."""
    hotline = managed_hotline(hotline_id)
    form = ReplaceForm(zone=ZoneInfo(hotline.timezone), prefix=REPLACE)
    form.offer(people_choices())
    if not form.validate_on_submit():
        return _page(hotline, form, None, 400)
    session = get_session()
    try:
        result = replace_person(
            session,
            hotline.id,
            person_id=int(form.person.data),
            replacement_id=int(form.replacement.data),
            starts_at=form.utc("starts_at"),
            ends_at=form.utc("ends_at"),
            note=form.note.data,
            despite_absence=form.despite_absence.data,
            user_id=current_user.id,
        )
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error, REPLACE_FIELDS)
        return _page(hotline, form, None, 400)
    session.commit()
    flash(
        ngettext(
            "The replacement is in force: %(num)d override written.",
            "The replacement is in force: %(num)d overrides written.",
            len(result.slots),
        ),
        "success",
    )
    for short in result.short:
        flash(_("Fewer responders: %(warning)s.", warning=page_text(short)), "warning")
    flash_absences(result.absent)
    flash_rule_warnings(result.warnings)
    return redirect(url_for("planning.overrides", hotline_id=hotline.id))


@bp.post("/hotlines/<int:hotline_id>/overrides/swap")
@role_required(*EDITORS)
def override_swap(hotline_id: int) -> ResponseReturnValue:
    """Swap two shifts between the people on call in them."""
    hotline = managed_hotline(hotline_id)
    form = SwapForm(prefix=SWAP)
    form.offer(_swappable(hotline))
    if not form.validate_on_submit():
        return _page(hotline, None, form, 400)
    session = get_session()
    try:
        result = swap_shifts(
            session,
            int(form.first.data),
            int(form.second.data),
            note=form.note.data,
            despite_absence=form.despite_absence.data,
            user_id=current_user.id,
        )
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error, SWAP_FIELDS)
        return _page(hotline, None, form, 400)
    session.commit()
    flash(_("The two shifts are swapped."), "success")
    flash_absences(result.absent)
    flash_rule_warnings(result.warnings)
    return redirect(url_for("planning.overrides", hotline_id=hotline.id))


@bp.post("/hotlines/<int:hotline_id>/overrides/<int:slot_id>/delete")
@role_required(*EDITORS)
def override_delete(hotline_id: int, slot_id: int) -> ResponseReturnValue:
    """Remove an override: the regular assignment under it rings again."""
    hotline = managed_hotline(hotline_id)
    session = get_session()
    form = VersionForm()
    try:
        slot = get_slot(session, slot_id)
    except NotFound:
        return _conflict(hotline, _("This override was removed meanwhile."))
    if slot.hotline_id != hotline.id or slot.kind != OVERRIDE:
        abort(404)
    try:
        if not form.validate_on_submit():
            raise PlanningConflict(_("Reload the page."))
        remove_override(session, slot.id, version=int(form.version.data), user_id=current_user.id)
    except PlanningConflict as conflict:
        session.rollback()
        return _conflict(hotline, str(conflict))
    session.commit()
    flash(_("The override is removed: the regular planning rings again."), "success")
    return redirect(url_for("planning.overrides", hotline_id=hotline.id))


def _swappable(hotline: Hotline) -> list[tuple[int, str]]:
    """The coming shifts, labelled with their times and who holds them."""
    now = utcnow()
    zone = ZoneInfo(hotline.timezone)
    choices = []
    for slot in slots_between(get_session(), hotline.id, now, now + AHEAD):
        if not slot.responders:
            continue
        label = "{} – {} · {}".format(
            format_local(slot.starts_at, zone, "EEE d MMM HH:mm"),
            format_local(slot.ends_at, zone, "EEE d MMM HH:mm"),
            slot.responders[0].person.name,
        )
        if slot.kind == OVERRIDE:
            label += " (" + _("override") + ")"
        choices.append((slot.id, label))
    return choices


def _rows(hotline: Hotline) -> list[OverrideRow]:
    session = get_session()
    now = utcnow()
    rows = []
    for slot in slots_between(session, hotline.id, now, now + AHEAD):
        if slot.kind != OVERRIDE:
            continue
        made = next(iter(audit.entity_history(session, audit.SLOT, slot.id)), None)
        before = (made.before or {}).get("in_force", []) if made is not None else []
        rows.append(OverrideRow(slot, before, made.action if made is not None else None))
    return rows


def _page(
    hotline: Hotline, replace: ReplaceForm | None, swap: SwapForm | None, status: int
) -> ResponseReturnValue:
    manage = may_manage(hotline)
    if manage and replace is None:
        replace = ReplaceForm(formdata=None, zone=ZoneInfo(hotline.timezone), prefix=REPLACE)
        replace.offer(people_choices())
    if manage and swap is None:
        swap = SwapForm(formdata=None, prefix=SWAP)
        swap.offer(_swappable(hotline))
    page = render_template(
        "planning/overrides.html",
        hotline=hotline,
        rows=_rows(hotline),
        replace_form=replace,
        swap_form=swap,
        delete_form=VersionForm(formdata=None),
        may_manage=manage,
        weeks=AHEAD.days // 7,
    )
    return make_response(page, status)


def _conflict(hotline: Hotline, message: str) -> ResponseReturnValue:
    page = render_template("planning/conflict.html", hotline=hotline, slot=None, message=message)
    return make_response(page, 409)
