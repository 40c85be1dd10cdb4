"""Overrides: an explicit chain for a span, a person replaced for a span, two shifts swapped.

All are override slots, live for the very next call; the regular slots under them
are never changed, so deleting an override brings the regular assignment back.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Response
from flask_login import current_user

from hotline.api import bp
from hotline.api.access import managed_hotline
from hotline.api.errors import english, invalid, not_found
from hotline.api.operations import operation
from hotline.api.requests import body
from hotline.api.schemas import (
    AbsenceProblem,
    OverrideCreate,
    OverridesSaved,
    ReplacementCreate,
    ShortChainOut,
    SlotSaved,
    SwapCreate,
    VersionQuery,
)
from hotline.api.serialise import absent_place_out, slot_out, slot_saved, warning_out
from hotline.api.times import local
from hotline.api.views.common import ABSENCE_CHECK, EDITORS, answer
from hotline.api.views.creation import create_from
from hotline.api.views.deletion import delete_at_version
from hotline.auth import role_required
from hotline.db import get_session
from hotline.planning.models import Slot
from hotline.planning.overrides import (
    OverrideResult,
    create_override,
    remove_override,
    replace_person,
    swap_shifts,
)

TAGS = ("overrides",)


@bp.post("/hotlines/<id:hotline_id>/overrides")
@role_required(*EDITORS)
@operation(
    "Put an explicit chain on call over a span",
    response=SlotSaved,
    status=201,
    body=OverrideCreate,
    description=ABSENCE_CHECK.format(who="Somebody of the chain", field="chain"),
    errors=(422,),
    tags=TAGS,
    refusal=AbsenceProblem,
)
def override_create(hotline_id: int) -> Response:
    """It may not overlap another override; it wins over the regular slots for its span."""
    return create_from(hotline_id, OverrideCreate, create_override, slot_saved)


@bp.post("/hotlines/<id:hotline_id>/overrides/replace")
@role_required(*EDITORS)
@operation(
    "Replace a person for a span (illness, errand)",
    response=OverridesSaved,
    status=201,
    body=ReplacementCreate,
    description=ABSENCE_CHECK.format(who="A replacement", field="replacement_id")
    + " The labour-rule warnings cover everybody whose place changed, not only the "
    "replacement.",
    errors=(404, 422),
    tags=TAGS,
    refusal=AbsenceProblem,
)
def override_replace(hotline_id: int) -> Response:
    """Exactly the span is overridden; overrides already there are cut around it."""
    return create_from(hotline_id, ReplacementCreate, replace_person, _saved)


@bp.post("/hotlines/<id:hotline_id>/overrides/swap")
@role_required(*EDITORS)
@operation(
    "Swap two shifts between their primaries",
    response=OverridesSaved,
    status=201,
    body=SwapCreate,
    description=ABSENCE_CHECK.format(
        who="Either of the two, in the shift they take,", field="second_slot_id"
    ),
    errors=(404, 409, 422),
    tags=TAGS,
    refusal=AbsenceProblem,
)
def override_swap(hotline_id: int) -> Response:
    """Both slots must be this hotline's and must not overlap; stale versions get 409."""
    hotline = managed_hotline(hotline_id)
    sent = body(SwapCreate)
    session = get_session()
    for field, slot_id in (("first_slot_id", sent.first_slot_id),
                           ("second_slot_id", sent.second_slot_id)):  # fmt: skip
        slot = session.get(Slot, slot_id)
        if slot is None:
            raise not_found("slot", slot_id)
        if slot.hotline_id != hotline.id:
            raise invalid(f"slot {slot_id} belongs to another hotline", field)
    result = swap_shifts(
        session,
        sent.first_slot_id,
        sent.second_slot_id,
        first_version=sent.first_version,
        second_version=sent.second_version,
        note=sent.note,
        despite_absence=sent.despite_absence,
        user_id=current_user.id,
    )
    session.commit()
    return answer(_saved(result, ZoneInfo(hotline.timezone)), 201)


@bp.delete("/overrides/<id:slot_id>")
@role_required(*EDITORS)
@operation("Delete an override: the regular assignment rings again", status=204,
           query=VersionQuery, errors=(409, 422), tags=TAGS)  # fmt: skip
def override_delete(slot_id: int) -> Response:
    found = get_session().get(Slot, slot_id)
    if found is None:
        raise not_found("override", slot_id)
    return delete_at_version(found.hotline_id, found.id, remove_override)


def _saved(result: OverrideResult, zone: ZoneInfo) -> OverridesSaved:
    return OverridesSaved(
        slots=[slot_out(s, zone) for s in result.slots],
        warnings=[warning_out(w, zone) for w in result.warnings],
        short_chains=[
            ShortChainOut(
                starts_at=local(short.starts_at, zone),
                ends_at=local(short.ends_at, zone),
                responders_before=short.before,
                responders=list(short.names),
                message=english(short.message),
            )
            for short in result.short
        ],
        absent_places=[absent_place_out(place, zone) for place in result.absent],
    )
