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
from hotline.planning.oncall import resolve_chain


@bp.get("/hotlines/<id:hotline_id>/oncall")
@role_required(*READERS)
@operation(
    "Who is on call at a moment",
    response=OncallOut,
    query=OncallQuery,
    description="A responder's number and number_national are null when withheld from the "
    "token's user: only admins, the managers of the person's hotlines, the person themselves "
    "and the people on call for the same hotlines see them.",
    errors=(404,),
    tags=("on call",),
)
def oncall(hotline_id: int) -> Response:
    """The chain the call path would ring at `at` (default now); same lookup as a live call."""
    hotline = readable_hotline(hotline_id)
    asked = query(OncallQuery)
    zone = ZoneInfo(hotline.timezone)
    at = utcnow() if asked.at is None else parse_instant(asked.at, zone, "at")
    session = get_session()
    chain = resolve_chain(session, hotline.id, at)
    people = (r.person_id for r in chain.responders)
    shown = numbers_shown(session, current_user, people, now=utcnow())
    return answer(oncall_out(hotline, at, chain, shown))
