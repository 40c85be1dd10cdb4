"""iCal feed URLs: issue a new secret (the old URL stops working) or stop a feed."""

from __future__ import annotations

from flask import Response
from flask_login import current_user

from hotline.api import bp
from hotline.api.access import managed_hotline
from hotline.api.errors import forbidden, not_found
from hotline.api.feeds import feed_url
from hotline.api.operations import operation
from hotline.api.schemas import FeedOut
from hotline.api.views.common import EDITORS, READERS, answer, no_content
from hotline.auth import role_required
from hotline.auth.access import can_hold_person_feed
from hotline.db import get_session
from hotline.models import Person
from hotline.planning.ical import (
    issue_hotline_feed,
    issue_person_feed,
    revoke_hotline_feed,
    revoke_person_feed,
)

TAGS = ("iCal feeds",)


@bp.post("/people/<id:person_id>/feed")
@role_required(*READERS)
@operation("New iCal feed URL for a person", response=FeedOut, status=201, tags=TAGS)
def person_feed_issue(person_id: int) -> Response:
    """For the person linked to the token's user (admins: anyone)."""
    person = _feed_person(person_id)
    secret = issue_person_feed(get_session(), person, user_id=current_user.id)
    get_session().commit()
    return answer(FeedOut(url=feed_url(secret)), 201)


@bp.delete("/people/<id:person_id>/feed")
@role_required(*READERS)
@operation("Stop a person's iCal feed", status=204, tags=TAGS)
def person_feed_revoke(person_id: int) -> Response:
    revoke_person_feed(get_session(), _feed_person(person_id), user_id=current_user.id)
    get_session().commit()
    return no_content()


@bp.post("/hotlines/<id:hotline_id>/feed")
@role_required(*EDITORS)
@operation("New iCal feed URL for a hotline", response=FeedOut, status=201, tags=TAGS)
def hotline_feed_issue(hotline_id: int) -> Response:
    secret = issue_hotline_feed(get_session(), managed_hotline(hotline_id), user_id=current_user.id)
    get_session().commit()
    return answer(FeedOut(url=feed_url(secret)), 201)


@bp.delete("/hotlines/<id:hotline_id>/feed")
@role_required(*EDITORS)
@operation("Stop a hotline's iCal feed", status=204, tags=TAGS)
def hotline_feed_revoke(hotline_id: int) -> Response:
    revoke_hotline_feed(get_session(), managed_hotline(hotline_id), user_id=current_user.id)
    get_session().commit()
    return no_content()


def _feed_person(person_id: int) -> Person:
    # As on the "my shifts" page: a person's feed is theirs; admins may do everything.
    if not can_hold_person_feed(current_user, person_id):
        raise forbidden("you may only handle your own feed")
    person = get_session().get(Person, person_id)
    if person is None:
        raise not_found("person", person_id)
    return person
