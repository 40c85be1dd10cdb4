"""The hotline-scoped half of the role checks (the role itself is checked by role_required)."""

from __future__ import annotations

from flask_login import current_user

from hotline.api.errors import forbidden, not_found
from hotline.auth import ADMIN, can_edit_person, can_manage, can_plan_person, can_read_planning
from hotline.db import get_session, utcnow
from hotline.models import Hotline, Person
from hotline.planning.people import person_hotlines


def readable_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the token's user may read its planning."""
    if not can_read_planning(current_user, hotline_id):
        raise forbidden(f"you may not read the planning of hotline {hotline_id}")
    return _hotline(hotline_id)


def managed_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the token's user edits its planning (admin, or its manager)."""
    if not can_manage(current_user, hotline_id):
        raise forbidden(f"you do not manage hotline {hotline_id}")
    return _hotline(hotline_id)


def plannable_person(person_id: int) -> Person:
    """The person, if the token's user may read them and record their leave (their teams')."""
    person, hotline_ids = _person(person_id)
    if not can_plan_person(current_user, hotline_ids):
        raise forbidden(f"person {person_id} is on call only for hotlines you do not manage")
    return person


def editable_person(person_id: int) -> Person:
    """The person, if the token's user manages every hotline they are on call for."""
    person, hotline_ids = _person(person_id)
    if not can_plan_person(current_user, hotline_ids):
        raise forbidden(f"person {person_id} is on call only for hotlines you do not manage")
    if not can_edit_person(current_user, hotline_ids):
        others = ", ".join(str(h) for h in sorted(hotline_ids - current_user.hotline_ids))
        raise forbidden(
            f"person {person_id} is also on call for hotlines you do not manage ({others}): "
            "only an admin or a manager of all their hotlines may change them"
        )
    return person


def require_admin() -> None:
    if current_user.role != ADMIN:
        raise forbidden("only an admin may do this")


def _hotline(hotline_id: int) -> Hotline:
    hotline = get_session().get(Hotline, hotline_id)
    if hotline is None:
        raise not_found("hotline", hotline_id)
    return hotline


def _person(person_id: int) -> tuple[Person, set[int]]:
    person = get_session().get(Person, person_id)
    if person is None:
        raise not_found("person", person_id)
    return person, {h.id for h in person_hotlines(get_session(), person.id, now=utcnow())}
