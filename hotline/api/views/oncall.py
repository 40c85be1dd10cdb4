"""GET /hotlines/<id>/oncall: who the phone would ring at a moment (the live lookup)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response
from flask_login import current_user

from hotline.api import bp
from hotline.api.access import readable_hotline
from hotline.api.operations import operation
from hotline.api.requests import query
from hotline.api.schemas import OncallOut, OncallQuery
from hotline.api.serialise import oncall_out
from hotline.api.times import parse_instant
from hotline.api.views.common import READERS, answer
from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.planning.contacts import numbers_shown
from hotline.planning.coverage import chain_at


@bp.get("/hotlines/<id:hotline_id>/oncall")
@role_required(*READERS)
@operation(
    "Who is on call at a moment",
    response=OncallOut,
    query=OncallQuery,
    description="For a past moment no slot covered, the default chain in force then, as the "
    "audit log recorded it (route unrecorded, no responders, when that is from before the "
    "history starts; responders' numbers are today's). "
    "A responder's number and number_national are null when withheld from the "
    "token's user: only admins, the managers of the person's hotlines, the person themselves "
    "and the people on call for the same hotlines see them.",
    errors=(404,),
    tags=("on call",),
)
def oncall(hotline_id: int) -> Response:
    """The chain the call path would ring at `at` (default now); same lookup as a live call,
    except that a past moment no slot covered gets the default chain in force then."""
    hotline = readable_hotline(hotline_id)
    asked = query(OncallQuery)
    zone = ZoneInfo(hotline.timezone)
    now = utcnow()
    at = now if asked.at is None else parse_instant(asked.at, zone, "at")
    session = get_session()
    chain = chain_at(session, hotline.id, at, now)
    people = (r.person_id for r in chain.responders)
    shown = numbers_shown(session, current_user, people, now=now)
    return answer(oncall_out(hotline, at, chain, shown))
