"""People pages (admins and managers): list, create, edit, and each person's history.

A manager reaches the people of their teams (on call for a hotline they manage)
and those on call for no hotline yet; they change someone's details or status
only when managing every hotline that person is on call for
(hotline.auth.access.can_plan_person, can_edit_person).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from hotline.auth import can_edit_person, can_plan_person, role_required, scoped_hotline_ids
from hotline.auth.forms import ActionForm, show_error
from hotline.db import get_session, utcnow
from hotline.models import Hotline, Person
from hotline.phone import is_fixed_line
from hotline.planning import audit, bp
from hotline.planning.absences import AbsentResponder, absent_responders, still_ringing
from hotline.planning.audit_lines import audit_line
from hotline.planning.calendar_grid import local_midnight
from hotline.planning.contacts import numbers_shown
from hotline.planning.errors import PlanningError
from hotline.planning.forms import (
    UNAVAILABILITY_LABELS,
    PersonCreateForm,
    PersonForm,
    UnavailabilityForm,
)
from hotline.planning.models import REGULAR, Rotation, Unavailability
from hotline.planning.number_checks import number_warnings
from hotline.planning.people import (
    create_person,
    people_within,
    person_hotlines,
    update_person,
)
from hotline.planning.unavailability import (
    add_unavailability,
    delete_unavailability,
    unavailability_ending_after,
)
from hotline.planning.validation import MAX_SLOT_LENGTH
from hotline.planning.views_common import EDITORS, show_planning_error

# The person's page lists every period not over yet, however far ahead, and those
# that ended within the last month (older ones stay in the table and the audit log).
UNAVAILABILITY_PAST = timedelta(days=31)
# The replacement form's date-and-time inputs, in the hotline's wall clock.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
# The person's page lists their latest changes; older ones stay in the audit log.
PERSON_HISTORY_SIZE = 50


@dataclass
class AbsenceFix:
    """One hotline's slots still ringing the person during one absence, and the fixes offered."""

    hotline: Hotline
    period: Unavailability
    places: list[AbsentResponder] = field(default_factory=list)
    rotations: dict[int, str] = field(default_factory=dict)  # id: name, to regenerate
    replace_url: str = ""


@bp.get("/people")
@role_required(*EDITORS)
def people() -> ResponseReturnValue:
    """The people the user may edit, with their mobile in national format."""
    scope = scoped_hotline_ids(current_user)  # a manager's hotlines; None: an admin's all
    found = people_within(get_session(), scope, now=utcnow())
    return render_template("planning/people.html", people=found, everyone=scope is None)


@bp.route("/people/new", methods=["GET", "POST"])
@role_required(*EDITORS)
def person_new() -> ResponseReturnValue:
    """Add a person."""
    form = PersonCreateForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("planning/person_new.html", form=form), status
    session = get_session()
    try:
        person = create_person(
            session, ref=form.ref.data, user_id=current_user.id, **_person_fields(form)
        )
    except PlanningError as error:
        session.rollback()
        show_error(form, error)
        return render_template("planning/person_new.html", form=form), 400
    session.commit()
    flash(_("%(name)s is added.", name=person.name), "success")
    _flash_number_warnings(person)
    return redirect(url_for("planning.person_edit", person_id=person.id))


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@role_required(*EDITORS)
def person_edit(person_id: int) -> ResponseReturnValue:
    """Change a person's name, mobile, e-mail, language and status."""
    session = get_session()
    person, hotlines = _person_in_reach(person_id)
    form = PersonForm(obj=person)
    if form.is_submitted() and (refusal := _edit_refusal(person, hotlines)):
        abort(403, _refused(refusal))
    if not form.validate_on_submit():
        return _edit_page(person, hotlines, form, 400 if form.is_submitted() else 200)
    try:
        update_person(session, person, user_id=current_user.id, **_person_fields(form))
    except PlanningError as error:
        session.rollback()
        show_error(form, error)
        return _edit_page(person, hotlines, form, 400)
    session.commit()
    flash(_("%(name)s is saved.", name=person.name), "success")
    _flash_number_warnings(person)
    return redirect(url_for("planning.person_edit", person_id=person.id))


@bp.post("/people/<int:person_id>/unavailability")
@role_required(*EDITORS)
def unavailability_add(person_id: int) -> ResponseReturnValue:
    """Record whole days when the person must not be put on call (leave, sickness)."""
    session = get_session()
    person, hotlines = _person_in_reach(person_id)
    form = UnavailabilityForm()
    if not form.validate_on_submit():
        return _edit_page(person, hotlines, PersonForm(formdata=None, obj=person), 400, form)
    zone = _people_zone()
    try:
        period = add_unavailability(
            session,
            person.id,
            starts_at=local_midnight(form.first_day.data, zone),
            ends_at=local_midnight(form.last_day.data + timedelta(days=1), zone),
            kind=form.kind.data,
            note=form.note.data,
            user_id=current_user.id,
        )
    except PlanningError as error:
        session.rollback()
        show_planning_error(form, error, {"starts_at": "first_day", "ends_at": "last_day"})
        return _edit_page(person, hotlines, PersonForm(formdata=None, obj=person), 400, form)
    session.commit()
    flash(_("The unavailability of %(name)s is recorded.", name=person.name), "success")
    still = still_ringing(
        session, period, now=utcnow(), hotline_ids=scoped_hotline_ids(current_user)
    )
    if not still:
        return redirect(url_for("planning.person_edit", person_id=person.id) + "#unavailability")
    flash(
        ngettext(
            "%(name)s is still on call in %(num)d slot during this period: regenerate "
            "the rotation or replace them below.",
            "%(name)s is still on call in %(num)d slots during this period: regenerate "
            "the rotation or replace them below.",
            len(still),
            name=person.name,
        ),
        "warning",
    )
    return redirect(url_for("planning.person_edit", person_id=person.id) + "#absent-slots")


@bp.post("/people/<int:person_id>/unavailability/<int:unavailability_id>/delete")
@role_required(*EDITORS)
def unavailability_delete(person_id: int, unavailability_id: int) -> ResponseReturnValue:
    """Remove an unavailability period: the person can be put on call again then."""
    session = get_session()
    person, _hotlines = _person_in_reach(person_id)
    period = session.get(Unavailability, unavailability_id)
    if period is None or period.person_id != person.id:
        abort(404)
    delete_unavailability(session, period.id, user_id=current_user.id)
    session.commit()
    flash(_("The period is removed."), "success")
    return redirect(url_for("planning.person_edit", person_id=person.id) + "#unavailability")


def _flash_number_warnings(person: Person) -> None:
    """Warn of a saved mobile that rings but misses alerts, or that somebody else has."""
    for warning in number_warnings(get_session(), person, current_user):
        flash(str(warning), "warning")


def _person_fields(form: PersonForm) -> dict[str, Any]:
    """The person as the form gives it, in the keywords of create_person and update_person."""
    return {
        "name": form.name.data or "",
        "mobile": form.mobile.data or "",
        "email": form.email.data,
        "language": form.language.data,
        "active": bool(form.active.data),
    }


def _person_in_reach(person_id: int) -> tuple[Person, list[Hotline]]:
    """The person and the hotlines they are on call for, if the user may plan for them.

    404 for an unknown person; 403, saying why, for one of other teams only.
    """
    person = get_session().get(Person, person_id) or abort(404)
    hotlines = person_hotlines(get_session(), person.id, now=utcnow())
    if not can_plan_person(current_user, [h.id for h in hotlines]):
        reason = _(
            "%(name)s is on call only for hotlines you do not manage: "
            "their managers or an administrator can do this.",
            name=person.name,
        )
        abort(403, _refused(reason))
    return person, hotlines


def _edit_refusal(person: Person, hotlines: list[Hotline]) -> str | None:
    """Why the user may not change the person's details or status; None when they may."""
    if can_edit_person(current_user, [h.id for h in hotlines]):
        return None
    others = [h.name for h in hotlines if h.id not in current_user.hotline_ids]
    return _(
        "%(name)s is also on call for %(hotlines)s, which you do not manage: only an "
        "administrator or a manager of all their hotlines can change their details or status.",
        name=person.name,
        hotlines=", ".join(others),
    )


def _refused(reason: str) -> str:
    """The reason of a refusal, then what it means for the change sent."""
    return " ".join((reason, _("Nothing was changed.")))


def _absent_places(person: Person, now: datetime, until: datetime) -> list[AbsentResponder]:
    """The places of slots between now and `until` that ring the person while unavailable,
    in reach."""
    return absent_responders(
        get_session(),
        now,
        until,
        hotline_ids=scoped_hotline_ids(current_user),
        person_id=person.id,
    )


def _absence_fixes(person: Person, places: list[AbsentResponder]) -> list[AbsenceFix]:
    """The places grouped by hotline and absence, each with its fixes."""
    fixes: dict[tuple[int, int], AbsenceFix] = {}
    for place in places:
        key = (place.slot.hotline_id, place.period.id)
        fix = fixes.setdefault(key, AbsenceFix(place.slot.hotline, place.period))
        fix.places.append(place)
        rotation_id = place.slot.rotation_id
        if place.slot.kind == REGULAR and rotation_id is not None:
            rotation = get_session().get(Rotation, rotation_id)
            if rotation is not None:
                fix.rotations[rotation.id] = rotation.name
    for fix in fixes.values():
        fix.replace_url = _replace_url(person, fix)
    return list(fixes.values())


def _replace_url(person: Person, fix: AbsenceFix) -> str:
    """The hotline's "replace a person" form, filled with the person and the span to cover."""
    zone = ZoneInfo(fix.hotline.timezone)
    # From now (to the minute, as the form reads it) when the absence has begun.
    now = utcnow().replace(second=0, microsecond=0)
    start = max(now, min(p.starts_at for p in fix.places))
    end = min(max(p.ends_at for p in fix.places), start + MAX_SLOT_LENGTH)
    return (
        url_for(
            "planning.overrides",
            hotline_id=fix.hotline.id,
            **{
                "replace-person": person.id,
                "replace-starts_at": _local_input(start, zone),
                "replace-ends_at": _local_input(end, zone),
            },
        )
        + "#replace"
    )


def _local_input(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(LOCAL_INPUT)


def _people_zone() -> ZoneInfo:
    # People belong to no hotline: their days are the app's (config TIMEZONE).
    return ZoneInfo(current_app.config["TIMEZONE"])


def whole_days(period: Unavailability, zone: ZoneInfo) -> tuple[date, date] | None:
    """The first and last day of a period running from midnight to midnight in `zone`.

    The form records whole days as [first day 00:00, day after the last 00:00); shown
    as such, "until 00:00 the day after" reads one day too long. None for a period
    set to the minute (through the API).
    """
    if period.starts_at != local_midnight(period.starts_at.astimezone(zone).date(), zone):
        return None
    day_after = period.ends_at.astimezone(zone).date()
    if period.ends_at != local_midnight(day_after, zone):
        return None
    return period.starts_at.astimezone(zone).date(), day_after - timedelta(days=1)


def _edit_page(
    person: Person,
    hotlines: list[Hotline],
    form: PersonForm,
    status: int,
    unavailability_form: UnavailabilityForm | None = None,
) -> ResponseReturnValue:
    now = utcnow()
    periods = unavailability_ending_after(get_session(), person.id, now - UNAVAILABILITY_PAST)
    # No slot rings the person while unavailable after the last period listed ends.
    until = max((p.ends_at for p in periods), default=now)
    places = _absent_places(person, now, until)
    # Slots of hotlines the manager does not manage are counted, not shown: their
    # managers see them in their own calendars.
    everywhere = absent_responders(get_session(), now, until, person_id=person.id)
    shown = numbers_shown(get_session(), current_user, [person.id], now=now)
    history = audit.person_history(get_session(), person.id, limit=PERSON_HISTORY_SIZE)
    return render_template(
        "planning/person_edit.html",
        person=person,
        hotlines=hotlines,
        edit_refusal=_edit_refusal(person, hotlines),
        landline=is_fixed_line(person.mobile),
        form=form,
        periods=periods,
        zone=_people_zone(),
        whole_days=whole_days,
        kinds=UNAVAILABILITY_LABELS,
        unavailability_form=unavailability_form or UnavailabilityForm(formdata=None),
        delete_form=ActionForm(formdata=None),
        absence_fixes=_absence_fixes(person, places),
        absent_elsewhere=len(everywhere) - len(places),
        history=[audit_line(e, _people_zone(), contacts_shown=shown) for e in history],
    ), status
