"""Hotlines: everyone reads those whose planning they may read; admins create and change them.

The fallback number is given to admins and the hotline's managers only, as on the
gaps page (hotline.planning.contacts); others learn that there is one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from flask import Response
from flask_login import current_user
from sqlalchemy import select

from hotline.api import bp
from hotline.api.access import readable_hotline
from hotline.api.operations import operation
from hotline.api.requests import body, query
from hotline.api.schemas import HotlineCreate, HotlineOut, HotlinePage, HotlineUpdate, Paging
from hotline.api.serialise import hotline_out
from hotline.api.views.common import READERS, answer, page_of
from hotline.auth import ADMIN, AGENT, role_required, scoped_hotline_ids
from hotline.db import get_session
from hotline.models import Hotline
from hotline.planning.contacts import fallback_number_shown
from hotline.planning.hotline_settings import (
    HotlineSettings,
    create_hotline,
    default_chain_ids,
    update_hotline,
)
from hotline.planning.models import DefaultResponder

TAGS = ("hotlines",)


FALLBACK_WITHHELD = (
    "fallback_number is null unless the token's user is an admin or a manager of the hotline "
    "(has_fallback_number says whether there is one), as on the web pages."
)


@bp.get("/hotlines")
@role_required(*READERS)
@operation(
    "List hotlines", description=FALLBACK_WITHHELD, response=HotlinePage, query=Paging, tags=TAGS
)
def hotlines() -> Response:
    """The hotlines whose planning the user may read, by name."""
    paging = query(Paging)
    statement = select(Hotline).order_by(Hotline.name, Hotline.id)
    scope = scoped_hotline_ids(current_user)
    # Agents read every hotline's planning (can_read_planning); managers and
    # supervisors only the hotlines listed for them.
    if scope is not None and current_user.role != AGENT:
        statement = statement.where(Hotline.id.in_(scope))
    rows, fields = page_of(statement, paging)
    chains = _default_chains([h.id for h in rows])
    return answer(HotlinePage(items=[_hotline_out(h, chains[h.id]) for h in rows], **fields))


@bp.get("/hotlines/<id:hotline_id>")
@role_required(*READERS)
@operation("Get a hotline", description=FALLBACK_WITHHELD, response=HotlineOut, tags=TAGS)
def hotline(hotline_id: int) -> Response:
    found = readable_hotline(hotline_id)
    return answer(_hotline_out(found, default_chain_ids(get_session(), found.id)))


@bp.post("/hotlines")
@role_required(ADMIN)
@operation(
    "Create a hotline", response=HotlineOut, status=201, body=HotlineCreate, errors=(422,),
    tags=TAGS,
)  # fmt: skip
def hotline_create() -> Response:
    sent = body(HotlineCreate)
    session = get_session()
    created = create_hotline(session, HotlineSettings(**sent.model_dump()), user_id=current_user.id)
    session.commit()
    return answer(_hotline_out(created, list(sent.default_chain)), 201)


@bp.patch("/hotlines/<id:hotline_id>")
@role_required(ADMIN)
@operation(
    "Change a hotline's settings", response=HotlineOut, body=HotlineUpdate, errors=(422,),
    tags=TAGS,
)  # fmt: skip
def hotline_update(hotline_id: int) -> Response:
    """Change the fields sent; the others keep their values."""
    found = readable_hotline(hotline_id)
    sent = body(HotlineUpdate)
    session = get_session()
    current = HotlineSettings(
        number=found.number,
        name=found.name,
        timezone=found.timezone,
        language=found.language,
        ring_timeout=found.ring_timeout,
        screening=found.screening,
        fallback_number=found.fallback_number,
        greeting=found.greeting,
        default_chain=default_chain_ids(session, found.id),
    )
    settings = replace(current, **sent.model_dump(exclude_unset=True))
    update_hotline(session, found, settings, user_id=current_user.id)
    session.commit()
    return answer(_hotline_out(found, list(settings.default_chain)))


def _hotline_out(hotline: Hotline, default_chain: list[int]) -> HotlineOut:
    """The hotline as the token's user may see it: its fallback number by the one rule."""
    shown = fallback_number_shown(current_user, hotline.id)
    return hotline_out(hotline, default_chain, hotline.fallback_number if shown else None)


def _default_chains(hotline_ids: list[int]) -> dict[int, list[int]]:
    """The default chains of many hotlines in one query."""
    chains: dict[int, list[int]] = defaultdict(list)
    if not hotline_ids:
        return chains
    rows = get_session().execute(
        select(DefaultResponder.hotline_id, DefaultResponder.person_id)
        .where(DefaultResponder.hotline_id.in_(hotline_ids))
        .order_by(DefaultResponder.hotline_id, DefaultResponder.position)
    )
    for hotline_id, person_id in rows:
        chains[hotline_id].append(person_id)
    return chains
