"""Slots: read by range, edited by hand with an optimistic lock (a stale version gets 409)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.api import bp
from hotline.api.access import managed_hotline, readable_hotline
from hotline.api.errors import bad_request, not_found
from hotline.api.operations import operation
from hotline.api.requests import body, query
from hotline.api.schemas import (
    AbsenceProblem,
    SlotCreate,
    SlotOut,
    SlotPage,
    SlotRange,
    SlotSaved,
    SlotUpdate,
    VersionQuery,
)
from hotline.api.serialise import slot_out, slot_saved
from hotline.api.times import parse_instant
from hotline.api.views.common import ABSENCE_CHECK, EDITORS, READERS, answer, page_of
from hotline.api.views.creation import create_from
from hotline.api.views.deletion import delete_at_version
from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.planning.models import Slot, SlotResponder
from hotline.planning.slots import create_slot, delete_slot, update_slot
from hotline.planning.validation import MAX_SLOT_LENGTH

TAGS = ("slots",)
DEFAULT_RANGE = timedelta(days=7)


@bp.get("/hotlines/<id:hotline_id>/slots")
@role_required(*READERS)
@operation("List a hotline's slots in a time range", response=SlotPage, query=SlotRange,
           tags=TAGS)  # fmt: skip
def slots(hotline_id: int) -> Response:
    """Regular and override slots overlapping [from, to), by start."""
    hotline = readable_hotline(hotline_id)
    asked = query(SlotRange)
    zone = ZoneInfo(hotline.timezone)
    start = utcnow() if asked.start is None else parse_instant(asked.start, zone, "from")
    end = start + DEFAULT_RANGE if asked.end is None else parse_instant(asked.end, zone, "to")
    if end <= start:
        raise bad_request("to must be after from", "to")
    statement = (
        select(Slot)
        .where(
            Slot.hotline_id == hotline.id,
            # No slot lasts longer than MAX_SLOT_LENGTH: a bounded range of ix_slot_lookup.
            Slot.starts_at > start - MAX_SLOT_LENGTH,
            Slot.starts_at < end,
            Slot.ends_at > start,
        )
        .options(selectinload(Slot.responders).joinedload(SlotResponder.person))
        .order_by(Slot.starts_at, Slot.kind, Slot.id)
    )
    rows, fields = page_of(statement, asked)
    return answer(SlotPage(items=[slot_out(s, zone) for s in rows], **fields))


@bp.get("/slots/<id:slot_id>")
@role_required(*READERS)
@operation("Get a slot", response=SlotOut, tags=TAGS)
def slot(slot_id: int) -> Response:
    found = _slot(slot_id)
    hotline = readable_hotline(found.hotline_id)
    return answer(slot_out(found, ZoneInfo(hotline.timezone)))


@bp.post("/hotlines/<id:hotline_id>/slots")
@role_required(*EDITORS)
@operation(
    "Add a regular slot by hand",
    response=SlotSaved,
    status=201,
    body=SlotCreate,
    description=ABSENCE_CHECK.format(who="Somebody of the chain", field="chain"),
    errors=(422,),
    tags=TAGS,
    refusal=AbsenceProblem,
)
def slot_create(hotline_id: int) -> Response:
    """Add a slot; it may not overlap another regular slot. Broken labour rules come as warnings."""
    return create_from(hotline_id, SlotCreate, create_slot, slot_saved)


@bp.patch("/slots/<id:slot_id>")
@role_required(*EDITORS)
@operation(
    "Change a slot",
    response=SlotSaved,
    body=SlotUpdate,
    description=ABSENCE_CHECK.format(
        who="Whoever the change gives a place, or hours added to their place,", field="chain"
    )
    + " Changing the note alone refuses nothing.",
    errors=(409, 422),
    tags=TAGS,
    refusal=AbsenceProblem,
)
def slot_update(slot_id: int) -> Response:
    """Change the fields sent, if the slot is still at `version` (else 409: reload it)."""
    found = _slot(slot_id)
    hotline = managed_hotline(found.hotline_id)
    sent = body(SlotUpdate)
    zone = ZoneInfo(hotline.timezone)
    given = sent.model_fields_set
    # Fields not sent keep the values read now: if they changed since the client
    # read the slot, its version changed too and the update is refused.
    starts_at = found.starts_at
    if "starts_at" in given:
        starts_at = parse_instant(sent.starts_at, zone, "starts_at")
    ends_at = parse_instant(sent.ends_at, zone, "ends_at") if "ends_at" in given else found.ends_at
    chain = sent.chain if "chain" in given else [r.person_id for r in found.responders]
    session = get_session()
    edit = update_slot(
        session,
        found.id,
        version=sent.version,
        starts_at=starts_at,
        ends_at=ends_at,
        chain=chain,
        note=sent.note if "note" in given else found.note,
        despite_absence=sent.despite_absence,
        user_id=current_user.id,
    )
    session.commit()
    return answer(slot_saved(edit, zone))


@bp.delete("/slots/<id:slot_id>")
@role_required(*EDITORS)
@operation("Delete a slot (regular or override)", status=204, query=VersionQuery,
           errors=(409,), tags=TAGS)  # fmt: skip
def slot_delete(slot_id: int) -> Response:
    """Delete the slot if it is still at `version` (else 409: reload it)."""
    found = _slot(slot_id)
    return delete_at_version(found.hotline_id, found.id, delete_slot)


def _slot(slot_id: int) -> Slot:
    found = get_session().get(Slot, slot_id)
    if found is None:
        raise not_found("slot", slot_id)
    return found
