"""People who can be rung: admins and managers, as on the people pages."""

from __future__ import annotations

from flask import Response
from sqlalchemy import select

from hotline.api import bp
from hotline.api.errors import not_found
from hotline.api.operations import operation
from hotline.api.requests import body, query
from hotline.api.schemas import Paging, PersonCreate, PersonOut, PersonPage, PersonUpdate
from hotline.api.serialise import person_out
from hotline.api.views.common import EDITORS, answer, page_of
from hotline.auth import role_required
from hotline.db import get_session
from hotline.models import Person
from hotline.planning.people import create_person, update_person

TAGS = ("people",)


@bp.get("/people")
@role_required(*EDITORS)
@operation("List people", response=PersonPage, query=Paging, tags=TAGS)
def people() -> Response:
    """Everybody who can be put in a chain, by name."""
    rows, fields = page_of(select(Person).order_by(Person.name, Person.id), query(Paging))
    return answer(PersonPage(items=[person_out(p) for p in rows], **fields))


@bp.get("/people/<id:person_id>")
@role_required(*EDITORS)
@operation("Get a person", response=PersonOut, tags=TAGS)
def person(person_id: int) -> Response:
    return answer(person_out(_person(person_id)))


@bp.post("/people")
@role_required(*EDITORS)
@operation(
    "Add a person", response=PersonOut, status=201, body=PersonCreate, errors=(422,), tags=TAGS
)
def person_create() -> Response:
    """Add a person; the mobile may be typed in any usual form and is stored E.164."""
    sent = body(PersonCreate)
    session = get_session()
    created = create_person(session, **sent.model_dump())
    session.commit()
    return answer(person_out(created), 201)


@bp.patch("/people/<id:person_id>")
@role_required(*EDITORS)
@operation("Change a person", response=PersonOut, body=PersonUpdate, errors=(422,), tags=TAGS)
def person_update(person_id: int) -> Response:
    """Change the fields sent; the others keep their values."""
    found = _person(person_id)
    sent = body(PersonUpdate)
    current = {
        "name": found.name,
        "mobile": found.mobile,
        "email": found.email,
        "language": found.language,
        "active": found.active,
    }
    session = get_session()
    update_person(session, found, **{**current, **sent.model_dump(exclude_unset=True)})
    session.commit()
    return answer(person_out(found))


def _person(person_id: int) -> Person:
    found = get_session().get(Person, person_id)
    if found is None:
        raise not_found("person", person_id)
    return found
