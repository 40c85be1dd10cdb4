"""GET /hotlines/<id>/gaps: the coming hours where a call rings nobody, or only the default
chain (hotline.planning.coverage, as the gaps page)."""

from __future__ import annotations

from datetime import timedelta

from flask import Response
from flask_login import current_user

from hotline.api import bp
from hotline.api.access import readable_hotline
from hotline.api.operations import operation
from hotline.api.requests import query
from hotline.api.schemas import GapsOut, GapsQuery
from hotline.api.serialise import gaps_out
from hotline.api.views.common import READERS, answer
from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.planning.contacts import numbers_shown
from hotline.planning.coverage import coverage


@bp.get("/hotlines/<id:hotline_id>/gaps")
@role_required(*READERS)
@operation(
    "Coverage gaps of the coming weeks",
    response=GapsOut,
    query=GapsQuery,
    description="From now on. A gap is a span where a call would ring nobody; the spans no "
    "slot covers while the default chain has someone active are listed apart, in "
    "default_only. A default responder's number is null when withheld, as for /oncall.",
    errors=(404,),
    tags=("on call",),
)
def gaps(hotline_id: int) -> Response:
    """The gaps and the default chain's hours from now to `weeks` weeks ahead."""
    hotline = readable_hotline(hotline_id)
    asked = query(GapsQuery)
    session = get_session()
    now = utcnow()
    end = now + timedelta(weeks=asked.weeks)
    found = coverage(session, hotline.id, now, end)
    people = (r.person_id for r in found.default_chain)
    shown = numbers_shown(session, current_user, people, now=now)
    return answer(gaps_out(hotline, now, end, found, shown))
