"""What every planning page shares: role lists, hotline lookup with its access check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth import (
    ADMIN,
    AGENT,
    MANAGER,
    SUPERVISOR,
    can_manage,
    can_read_planning,
    can_review,
    require_manage,
    require_review,
)
from hotline.auth.access import declared_roles
from hotline.db import get_session
from hotline.i18n import page_text
from hotline.models import Hotline, Person
from hotline.planning import bp
from hotline.planning.forms import MORE_PLACES, UNAVAILABILITY_LABELS, add_place, editable_number
from hotline.planning.rules import RuleWarning
from hotline.planning.unavailability import AbsentPlace

READERS = (ADMIN, MANAGER, SUPERVISOR, AGENT)
REVIEWERS = (ADMIN, MANAGER, SUPERVISOR)
EDITORS = (ADMIN, MANAGER)


def _hotline(hotline_id: int) -> Hotline:
    return get_session().get(Hotline, hotline_id) or abort(404)


def readable_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the user may read its planning (403 otherwise, 404 if unknown)."""
    if not can_read_planning(current_user, hotline_id):
        abort(403)
    return _hotline(hotline_id)


def reviewed_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the user reviews all of it (admin, its manager or supervisor)."""
    require_review(hotline_id)
    return _hotline(hotline_id)


def managed_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the user edits its planning (admin, or its manager)."""
    require_manage(hotline_id)
    return _hotline(hotline_id)


def may_manage(hotline: Hotline) -> bool:
    return can_manage(current_user, hotline.id)


@bp.app_template_filter("phone")
def phone_filter(e164: str | None) -> str:
    """A stored E.164 number as people write it: national at home, international abroad."""
    return editable_number(e164) if e164 else ""


def bad_request(message: str) -> ResponseReturnValue:
    """The error page with `message`, status 400 (a bad query parameter)."""
    return render_template("errors/error.html", code=400, message=message), 400


# Who may open each page of a hotline, beyond the roles its view declares.
HOTLINE_PAGES: dict[str, Callable[..., bool]] = {
    "planning.hotline": can_read_planning,
    "planning.calendar": can_read_planning,
    "planning.gaps": can_read_planning,
    "planning.rotations": can_read_planning,
    "planning.overrides": can_read_planning,
    "planning.fairness": can_review,
    "planning.audit_log": can_review,
    "planning.hotline_settings": can_manage,
}


@bp.app_template_global()
def planning_pages(hotline: Hotline) -> set[str]:
    """The endpoints of `hotline`'s pages the signed-in user may open (for the links)."""
    views = current_app.view_functions
    user = current_user._get_current_object()  # one lookup, not one per check
    return {
        endpoint
        for endpoint, allowed in HOTLINE_PAGES.items()
        if endpoint in views
        and user.role in (declared_roles(views[endpoint]) or ())
        and allowed(user, hotline.id)
    }


@bp.app_template_global()
def duration(span: timedelta) -> str:
    """A length of time as hours and minutes ("52 h 30"), the way planners count."""
    minutes = int(span.total_seconds() // 60)
    return _("%(hours)d h %(minutes)02d", hours=minutes // 60, minutes=minutes % 60)


def people_choices() -> list[tuple[int, str]]:
    """Everyone who can be put in a chain, as (id, name); inactive people say so."""
    from hotline.planning.people import list_people

    inactive = _("inactive")
    return [
        (p.id, p.name if p.active else f"{p.name} ({inactive})") for p in list_people(get_session())
    ]


def unsaved_status(form: Any) -> int | None:
    """The status to show a chain form again with, or None when it is ready to save.

    200 when the manager asked for one more place in a chain (nothing is saved) or
    the form is not submitted yet; 400 when the submitted form does not validate.
    """
    if form.is_submitted() and add_place(form, request.form.get(MORE_PLACES)):
        return 200
    if not form.validate_on_submit():
        return 400 if form.is_submitted() else 200
    return None


def show_planning_error(form: Any, error: Exception, renames: dict[str, str] | None = None) -> None:
    """Show a service's error at the form's field (renamed when the form calls it otherwise)."""
    from hotline.auth.forms import show_error

    field = getattr(error, "field", None)
    if renames and field in renames:
        error.field = renames[field]  # type: ignore[attr-defined]
    show_error(form, error)


def flash_absences(places: Iterable[AbsentPlace]) -> None:
    """Warn of each piece a saved change rings somebody recorded as unavailable."""
    for place in places:
        flash(
            _(
                "On call while unavailable: %(name)s, %(slot)s.",
                name=place.person_name,
                slot=page_text(place),
            ),
            "warning",
        )


def flash_rule_warnings(warnings: Iterable[RuleWarning]) -> None:
    """Warn of each labour rule a saved change breaks (it is saved all the same)."""
    for warning in warnings:
        flash(_("Labour rule: %(warning)s", warning=page_text(warning)), "warning")


@bp.app_template_filter("iso_local")
def iso_local(text: str, zone: str, fmt: str = "EEE d MMM HH:mm") -> str:
    """An instant stored as ISO text (audit snapshots) in the hotline's zone and language."""
    from datetime import datetime

    from hotline.i18n import format_local

    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return str(text)
    return format_local(moment, zone, fmt) if moment.tzinfo is not None else str(text)


@bp.app_template_filter("signed")
def signed(value: float, percent: bool = False) -> str:
    """A deviation with its sign (+6, −2.5, +33 %); zero has none.

    The minus sign is the typographic one (U+2212), as wide as the plus, not a hyphen.
    """
    from flask_babel import format_decimal, format_percent

    rounded = round(value, 2 if percent else 1)
    # The locale's own percent pattern: French puts a no-break space before the sign.
    text = format_percent(abs(rounded)) if percent else format_decimal(abs(rounded), "0.#")
    if (round(rounded * 100) if percent else round(rounded * 10)) == 0:
        return text
    return ("+" if rounded > 0 else "\N{MINUS SIGN}") + text


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names of the given people, looked up in one query."""
    ids = set(ids)
    if not ids:
        return {}
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {person_id: name for person_id, name in rows}


def absence_labels(hotline: Hotline) -> dict[str, str]:
    """What a mark says of each kind of absence: why only to the hotline's managers."""
    # Whether a colleague is sick or on leave is theirs and their managers' business.
    if not may_manage(hotline):
        return {kind: _("absent") for kind in UNAVAILABILITY_LABELS}
    return {
        kind: _("absent: %(reason)s", reason=str(label).lower())
        for kind, label in UNAVAILABILITY_LABELS.items()
    }
