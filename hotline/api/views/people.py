"""People who can be rung: admins and managers, as on the people pages.

A manager reaches the people on call for a hotline they manage and those on
call for none yet; they change someone only when managing every hotline that
person is on call for (hotline.auth.access.can_plan_person, can_edit_person).
To put someone of another team in a chain (borrowing a backup), /people/choices
lists everybody as the web forms' pickers do: id, name and status, no contact details.
"""

from __future__ import annotations

from flask import Response
from flask_login import current_user
from sqlalchemy import select

from hotline.api import bp
from hotline.api.access import editable_person, plannable_person
from hotline.api.operations import operation
from hotline.api.requests import body, query
from hotline.api.schemas import (
    Paging,
    PersonChoiceOut,
    PersonChoicePage,
    PersonCreate,
    PersonOut,
    PersonPage,
    PersonSaved,
    PersonUpdate,
)
from hotline.api.serialise import person_out, person_saved
from hotline.api.views.common import EDITORS, answer, page_of
from hotline.auth import role_required, scoped_hotline_ids
from hotline.db import get_session, utcnow
from hotline.models import Person
from hotline.planning.number_checks import number_warnings
from hotline.planning.people import create_person, update_person, within_hotlines

TAGS = ("people",)
MOBILE_WARNINGS = (
    "A landline, or a mobile other active people already have (a shared on-call phone), "
    "is saved; the answer's warnings say so: SMS alerts cannot reach a landline, and a "
    "shared phone gets the alerts of each, and the call records cannot tell who held it."
)


@bp.get("/people")
@role_required(*EDITORS)
@operation(
    "List people",
    description="A manager gets the people of their teams and those of no team yet, with "
    "their contact details; GET /api/v1/people/choices lists everybody to put in a chain.",
    response=PersonPage,
    query=Paging,
    tags=TAGS,
)
def people() -> Response:
    """The people on call for a hotline the user manages or for none yet (admins: all), by name."""
    reach = within_hotlines(scoped_hotline_ids(current_user), now=utcnow())
    statement = select(Person).where(reach).order_by(Person.name, Person.id)
    rows, fields = page_of(statement, query(Paging))
    return answer(PersonPage(items=[person_out(p) for p in rows], **fields))


@bp.get("/people/choices")
@role_required(*EDITORS)
@operation(
    "List everybody who can be put in a chain",
    description="As the web forms' pickers: every person, active ones first, each with id, "
    "name and status only, so a team can borrow a backup from another team. Contact details "
    "come from GET /api/v1/people/{person_id}, for the people in the user's reach.",
    response=PersonChoicePage,
    query=Paging,
    tags=TAGS,
)
def people_choices() -> Response:
    statement = select(Person).order_by(Person.active.desc(), Person.name, Person.id)
    rows, fields = page_of(statement, query(Paging))
    items = [PersonChoiceOut(id=p.id, name=p.name, active=p.active) for p in rows]
    return answer(PersonChoicePage(items=items, **fields))


@bp.get("/people/<id:person_id>")
@role_required(*EDITORS)
@operation("Get a person", response=PersonOut, tags=TAGS)
def person(person_id: int) -> Response:
    return answer(person_out(plannable_person(person_id)))


@bp.post("/people")
@role_required(*EDITORS)
@operation(
    "Add a person",
    description=MOBILE_WARNINGS,
    response=PersonSaved,
    status=201,
    body=PersonCreate,
    errors=(422,),
    tags=TAGS,
)
def person_create() -> Response:
    """Add a person; the mobile may be typed in any usual form and is stored E.164."""
    sent = body(PersonCreate)
    session = get_session()
    created = create_person(session, **sent.model_dump(), user_id=current_user.id)
    session.commit()
    return answer(person_saved(created, number_warnings(session, created, current_user)), 201)


@bp.patch("/people/<id:person_id>")
@role_required(*EDITORS)
@operation(
    "Change a person",
    description=MOBILE_WARNINGS,
    response=PersonSaved,
    body=PersonUpdate,
    errors=(422,),
    tags=TAGS,
)
def person_update(person_id: int) -> Response:
    """Change the fields sent; the others keep their values."""
    found = editable_person(person_id)
    sent = body(PersonUpdate)
    current = {
        "name": found.name,
        "mobile": found.mobile,
        "email": found.email,
        "language": found.language,
        "active": found.active,
    }
    session = get_session()
    changed = {**current, **sent.model_dump(exclude_unset=True)}
    update_person(session, found, **changed, user_id=current_user.id)
    session.commit()
    return answer(person_saved(found, number_warnings(session, found, current_user)))
