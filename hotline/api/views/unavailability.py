"""People's unavailability (leave, sickness): admins and managers, as on the people pages.

A manager reaches the periods of the people on call for a hotline they manage,
and of those on call for none yet.

A period belongs to a person, not to a hotline: times without an offset are read
in the app's time zone (config TIMEZONE).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response, current_app
from flask_login import current_user
from sqlalchemy import select

from hotline.api import bp
from hotline.api.access import plannable_person
from hotline.api.errors import bad_request, not_found
from hotline.api.operations import operation
from hotline.api.requests import body, query
from hotline.api.schemas import (
    UnavailabilityCreate,
    UnavailabilityOut,
    UnavailabilityPage,
    UnavailabilityRange,
    UnavailabilitySaved,
    UnavailabilityUpdate,
)
from hotline.api.serialise import unavailability_out, unavailability_saved
from hotline.api.times import parse_instant
from hotline.api.views.common import EDITORS, answer, no_content, page_of
from hotline.auth import role_required, scoped_hotline_ids
from hotline.db import get_session, utcnow
from hotline.planning.absences import still_ringing
from hotline.planning.models import Unavailability
from hotline.planning.unavailability import (
    add_unavailability,
    delete_unavailability,
    update_unavailability,
)

TAGS = ("unavailability",)
STILL_ON_CALL = (
    "Rotation generation skips the person over the period, but no slot already planned "
    "changes: the answer lists in still_on_call the places of slots not ended yet that "
    "still ring the person during the period (hotline, slot, place in the chain), as the "
    "person's page does, until the rotation is regenerated or the person replaced."
)


@bp.get("/people/<id:person_id>/unavailability")
@role_required(*EDITORS)
@operation("List a person's unavailability", response=UnavailabilityPage,
           query=UnavailabilityRange, tags=TAGS)  # fmt: skip
def unavailability_list(person_id: int) -> Response:
    """The person's periods overlapping [from, to), by start."""
    plannable_person(person_id)
    asked = query(UnavailabilityRange)
    zone = app_zone()
    start = utcnow() if asked.start is None else parse_instant(asked.start, zone, "from")
    statement = (
        select(Unavailability)
        .where(Unavailability.person_id == person_id, Unavailability.ends_at > start)
        .order_by(Unavailability.starts_at, Unavailability.id)
    )
    if asked.end is not None:
        end = parse_instant(asked.end, zone, "to")
        if end <= start:
            raise bad_request("to must be after from", "to")
        statement = statement.where(Unavailability.starts_at < end)
    rows, fields = page_of(statement, asked)
    return answer(UnavailabilityPage(items=[unavailability_out(p, zone) for p in rows], **fields))


@bp.get("/unavailability/<id:unavailability_id>")
@role_required(*EDITORS)
@operation("Get an unavailability period", response=UnavailabilityOut, tags=TAGS)
def unavailability(unavailability_id: int) -> Response:
    return answer(unavailability_out(_period(unavailability_id), app_zone()))


@bp.post("/people/<id:person_id>/unavailability")
@role_required(*EDITORS)
@operation(
    "Record that a person cannot be on call",
    response=UnavailabilitySaved,
    status=201,
    body=UnavailabilityCreate,
    description=STILL_ON_CALL,
    errors=(422,),
    tags=TAGS,
)
def unavailability_create(person_id: int) -> Response:
    """Rotation generation skips the person over the period."""
    plannable_person(person_id)
    sent = body(UnavailabilityCreate)
    zone = app_zone()
    session = get_session()
    period = add_unavailability(
        session,
        person_id,
        starts_at=parse_instant(sent.starts_at, zone, "starts_at"),
        ends_at=parse_instant(sent.ends_at, zone, "ends_at"),
        kind=sent.kind,
        note=sent.note,
        user_id=current_user.id,
    )
    session.commit()
    return answer(_saved(period, zone), 201)


@bp.patch("/unavailability/<id:unavailability_id>")
@role_required(*EDITORS)
@operation("Change an unavailability period", response=UnavailabilitySaved,
           body=UnavailabilityUpdate, description=STILL_ON_CALL, errors=(422,),
           tags=TAGS)  # fmt: skip
def unavailability_update(unavailability_id: int) -> Response:
    """Change the fields sent; the others keep their values."""
    period = _period(unavailability_id)
    sent = body(UnavailabilityUpdate)
    given = sent.model_fields_set
    zone = app_zone()
    starts_at = period.starts_at
    if "starts_at" in given:
        starts_at = parse_instant(sent.starts_at, zone, "starts_at")
    ends_at = period.ends_at
    if "ends_at" in given:
        ends_at = parse_instant(sent.ends_at, zone, "ends_at")
    session = get_session()
    update_unavailability(
        session,
        period.id,
        starts_at=starts_at,
        ends_at=ends_at,
        kind=sent.kind if "kind" in given else period.kind,
        note=sent.note if "note" in given else period.note,
        user_id=current_user.id,
    )
    session.commit()
    return answer(_saved(period, zone))


@bp.delete("/unavailability/<id:unavailability_id>")
@role_required(*EDITORS)
@operation("Delete an unavailability period", status=204, tags=TAGS)
def unavailability_delete(unavailability_id: int) -> Response:
    period = _period(unavailability_id)
    session = get_session()
    delete_unavailability(session, period.id, user_id=current_user.id)
    session.commit()
    return no_content()


def app_zone() -> ZoneInfo:
    """The zone of times that belong to no hotline."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def _saved(period: Unavailability, zone: ZoneInfo) -> UnavailabilitySaved:
    """The period and the slots still ringing its person then, those of other teams counted."""
    session = get_session()
    now = utcnow()
    scope = scoped_hotline_ids(current_user)
    # One search over every hotline, split by the user's reach: the other teams' places
    # are counted, not shown.
    found = still_ringing(session, period, now=now)
    places = [p for p in found if scope is None or p.slot.hotline_id in scope]
    return unavailability_saved(period, zone, places, len(found) - len(places))


def _period(unavailability_id: int) -> Unavailability:
    """The period, if the token's user may plan for its person."""
    period = get_session().get(Unavailability, unavailability_id)
    if period is None:
        raise not_found("unavailability period", unavailability_id)
    plannable_person(period.person_id)
    return period
