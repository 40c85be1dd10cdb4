"""Rotation pages: list, create, edit, delete, and "generate N weeks" with what it did."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from hotline.auth import role_required
from hotline.db import get_session, utcnow, writes_on_get
from hotline.i18n import error_sentence, page_text
from hotline.models import Hotline
from hotline.planning import bp
from hotline.planning.absences import cover_absence
from hotline.planning.calendar_grid import local_midnight
from hotline.planning.errors import NotFound, PlanningConflict, PlanningError
from hotline.planning.forms import (
    UNAVAILABILITY_LABELS,
    GenerateForm,
    RotationForm,
    VersionForm,
    chain_ids,
    days_text,
    offer_people,
)
from hotline.planning.models import Rotation
from hotline.planning.rotations import (
    INACTIVE,
    GenerationResult,
    RotationSpec,
    create_rotation,
    delete_rotation,
    generate_rotation,
    get_rotation,
    hotline_rotations,
    preview_generation,
    rotation_spec,
    rotation_zone,
    update_rotation,
)
from hotline.planning.views_common import (
    EDITORS,
    READERS,
    bad_request,
    managed_hotline,
    may_manage,
    people_choices,
    readable_hotline,
    show_planning_error,
    unsaved_status,
)

# The service names the shift length in hours; the form in a number and a unit.
FIELD_NAMES = {"shift_hours": "shift_length"}


@bp.get("/hotlines/<int:hotline_id>/rotations")
@role_required(*READERS)
def rotations(hotline_id: int) -> ResponseReturnValue:
    """The hotline's rotations: members, shift length, handoff, days covered, backups."""
    hotline = readable_hotline(hotline_id)
    return render_template(
        "planning/rotations.html",
        hotline=hotline,
        rotations=hotline_rotations(get_session(), hotline.id),
        may_manage=may_manage(hotline),
    )


@bp.route("/hotlines/<int:hotline_id>/rotations/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def rotation_new(hotline_id: int) -> ResponseReturnValue:
    """Add a rotation (its slots come with "generate")."""
    hotline = managed_hotline(hotline_id)
    form = RotationForm(start_date=utcnow().astimezone(ZoneInfo(hotline.timezone)).date())
    _offer(form)
    if (status := unsaved_status(form)) is not None:
        return _form_page(hotline, None, form, status)
    session = get_session()
    try:
        rotation = create_rotation(session, hotline.id, _spec(form), user_id=current_user.id)
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error, FIELD_NAMES)
        return _form_page(hotline, None, form, 400)
    session.commit()
    flash(_("Rotation %(name)s is created: generate its slots now.", name=rotation.name), "success")
    return redirect(
        url_for("planning.rotation_generate", hotline_id=hotline.id, rotation_id=rotation.id)
    )


@bp.route("/hotlines/<int:hotline_id>/rotations/<int:rotation_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def rotation_edit(hotline_id: int, rotation_id: int) -> ResponseReturnValue:
    """Change a rotation, unless somebody changed it since it was loaded."""
    hotline = managed_hotline(hotline_id)
    rotation = _rotation_of(hotline, rotation_id)
    form = RotationForm(obj=_Defaults(rotation))
    if not form.is_submitted():
        form.show_pattern(rotation.weekday_set)
        form.show_shift(rotation.shift_hours)
    _offer(form)
    if (status := unsaved_status(form)) is not None:
        return _form_page(hotline, rotation, form, status)
    session = get_session()
    try:
        update_rotation(
            session,
            rotation.id,
            _spec(form),
            version=_version(form.version.data),
            user_id=current_user.id,
        )
    except PlanningConflict as conflict:
        session.rollback()
        current = _fresh(rotation_id)
        if current is None:
            flash(error_sentence(conflict), "error")
            return redirect(url_for("planning.rotations", hotline_id=hotline.id))
        form.form_errors.append(error_sentence(conflict))
        return _form_page(hotline, current, form, 409)
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error, FIELD_NAMES)
        return _form_page(hotline, rotation, form, 400)
    session.commit()
    flash(
        _("Rotation %(name)s is saved: generate again to apply it.", name=rotation.name), "success"
    )
    return redirect(
        url_for("planning.rotation_generate", hotline_id=hotline.id, rotation_id=rotation.id)
    )


@bp.post("/hotlines/<int:hotline_id>/rotations/<int:rotation_id>/delete")
@role_required(*EDITORS)
def rotation_delete(hotline_id: int, rotation_id: int) -> ResponseReturnValue:
    """Delete a rotation and its slots from now on (past ones stay)."""
    hotline = managed_hotline(hotline_id)
    rotation = _rotation_of(hotline, rotation_id)
    form = VersionForm()
    session = get_session()
    try:
        if not form.validate_on_submit():
            raise PlanningConflict(_("Reload the page."))
        deleted = delete_rotation(
            session, rotation.id, version=int(form.version.data), user_id=current_user.id
        )
    except PlanningConflict as conflict:
        session.rollback()
        flash(error_sentence(conflict), "error")
        return redirect(url_for("planning.rotations", hotline_id=hotline.id))
    session.commit()
    flash(
        ngettext(
            "The rotation is deleted with its %(num)d coming slot.",
            "The rotation is deleted with its %(num)d coming slots.",
            deleted,
        ),
        "success",
    )
    return redirect(url_for("planning.rotations", hotline_id=hotline.id))


@bp.route(
    "/hotlines/<int:hotline_id>/rotations/<int:rotation_id>/generate", methods=["GET", "POST"]
)
@writes_on_get  # the preview generates in a savepoint and rolls it back
@role_required(*EDITORS)
def rotation_generate(hotline_id: int, rotation_id: int) -> ResponseReturnValue:
    """Preview (GET with ?weeks=) or write (POST) the rotation's slots for N weeks."""
    hotline = managed_hotline(hotline_id)
    rotation = _rotation_of(hotline, rotation_id)
    posted = request.method == "POST"
    asked = posted or "weeks" in request.args
    form = GenerateForm(formdata=(request.form if posted else request.args) if asked else None)
    if asked and not form.validate():
        return _generate_page(hotline, rotation, form, None, 400)
    if not asked:
        return _generate_page(hotline, rotation, form, None, 200)
    session = get_session()
    start = _start(rotation, form)
    try:
        if posted:
            result = generate_rotation(
                session, rotation.id, start=start, weeks=form.weeks.data, user_id=current_user.id
            )
            session.commit()
        else:
            result = preview_generation(session, rotation.id, start=start, weeks=form.weeks.data)
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error, {"start": "from_day"})
        return _generate_page(hotline, rotation, form, None, 400)
    return _generate_page(hotline, rotation, form, result, 200)


@bp.post("/hotlines/<int:hotline_id>/rotations/<int:rotation_id>/cover-absence")
@role_required(*EDITORS)
def rotation_cover_absence(hotline_id: int, rotation_id: int) -> ResponseReturnValue:
    """Regenerate the rotation over an absence: its slots stop ringing the absent person."""
    hotline = managed_hotline(hotline_id)
    rotation = _rotation_of(hotline, rotation_id)
    raw = request.form.get("unavailability_id", "")
    if not raw.isdigit():
        return bad_request(_("Say which period of unavailability to cover."))
    session = get_session()
    try:
        result = cover_absence(
            session, rotation.id, int(raw), now=utcnow(), user_id=current_user.id
        )
    except PlanningError as error:
        session.rollback()
        flash(_("Nothing was regenerated: %(reason)s.", reason=page_text(error)), "error")
        return redirect(
            url_for("planning.rotation_generate", hotline_id=hotline.id, rotation_id=rotation.id)
        )
    session.commit()
    zone = rotation_zone(rotation)
    form = GenerateForm(
        formdata=None,
        from_day=result.start.astimezone(zone).date(),
        weeks=round((result.end - result.start) / timedelta(weeks=1)),
    )
    return _generate_page(hotline, rotation, form, result, 200)


@bp.app_template_global()
def shift_text(hours: int) -> str:
    """A shift length as people say it: 1 week, 2 days, 12 h."""
    if hours % 168 == 0:
        return ngettext("%(num)d week", "%(num)d weeks", hours // 168)
    if hours % 24 == 0:
        return ngettext("%(num)d day", "%(num)d days", hours // 24)
    return _("%(hours)d h", hours=hours)


bp.add_app_template_global(days_text)


def _start(rotation: Rotation, form: GenerateForm) -> datetime:
    if form.from_day.data is None:
        return utcnow()
    return local_midnight(form.from_day.data, rotation_zone(rotation))


def _offer(form: RotationForm) -> None:
    people = people_choices()
    offer_people(form.members, people)
    offer_people(form.backups, people)


def _spec(form: RotationForm) -> RotationSpec:
    return RotationSpec(
        name=form.name.data or "",
        members=chain_ids(form.members),
        shift_hours=form.shift_hours(),
        handoff=form.handoff.data,
        start_date=form.start_date.data,
        timezone=form.timezone.data or None,
        weekdays=form.chosen_weekdays(),
        window_start=form.window_start.data,
        window_end=form.window_end.data,
        backup_count=form.backup_count.data,
        backups=chain_ids(form.backups),
    )


def _version(raw: str | None) -> int:
    if not raw or not raw.isdigit():
        raise PlanningConflict(_("Reload the page."))
    return int(raw)


class _Defaults:
    """A rotation's values in the shape RotationForm reads them."""

    def __init__(self, rotation: Rotation) -> None:
        spec = rotation_spec(rotation)
        self.name, self.handoff, self.start_date = spec.name, spec.handoff, spec.start_date
        self.timezone = spec.timezone or ""
        self.window_start, self.window_end = spec.window_start, spec.window_end
        self.backup_count = spec.backup_count
        self.members = [str(pid) for pid in spec.members]
        self.backups = [str(pid) for pid in spec.backups]
        self.version = str(rotation.version)


def _rotation_of(hotline: Hotline, rotation_id: int) -> Rotation:
    try:
        rotation = get_rotation(get_session(), rotation_id)
    except NotFound:
        abort(404)
    if rotation.hotline_id != hotline.id:
        abort(404)
    return rotation


def _fresh(rotation_id: int) -> Rotation | None:
    session = get_session()
    session.expire_all()
    return session.get(Rotation, rotation_id)


def _form_page(
    hotline: Hotline, rotation: Rotation | None, form: RotationForm, status: int
) -> ResponseReturnValue:
    page = render_template(
        "planning/rotation_form.html",
        hotline=hotline,
        rotation=rotation,
        form=form,
        delete_form=VersionForm(formdata=None, version=str(rotation.version)) if rotation else None,
    )
    return make_response(page, status)


def _generate_page(
    hotline: Hotline,
    rotation: Rotation,
    form: GenerateForm,
    result: GenerationResult | None,
    status: int,
) -> ResponseReturnValue:
    page = render_template(
        "planning/rotation_generate.html",
        hotline=hotline,
        rotation=rotation,
        form=form,
        result=result,
        zone=rotation_zone(rotation),
        skip_reasons={**UNAVAILABILITY_LABELS, INACTIVE: _("inactive")},
    )
    return make_response(page, status)
