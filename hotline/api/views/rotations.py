"""Rotations: read with the planning; managers create, change and generate them."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

from flask import Response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.api import bp
from hotline.api.access import managed_hotline, readable_hotline
from hotline.api.errors import not_found
from hotline.api.operations import operation
from hotline.api.requests import body, query
from hotline.api.schemas import (
    GenerationOut,
    GenerationRequest,
    Paging,
    RotationCreate,
    RotationOut,
    RotationPage,
    RotationUpdate,
    VersionQuery,
)
from hotline.api.serialise import generation_out, rotation_out
from hotline.api.times import parse_instant
from hotline.api.views.common import EDITORS, READERS, answer, page_of
from hotline.api.views.deletion import delete_at_version
from hotline.auth import role_required
from hotline.db import get_session, utcnow
from hotline.planning.models import Rotation, RotationBackup, RotationMember
from hotline.planning.rotations import (
    RotationSpec,
    create_rotation,
    delete_rotation,
    generate_rotation,
    preview_generation,
    rotation_spec,
    rotation_zone,
    update_rotation,
)

TAGS = ("rotations",)
WITH_PEOPLE = (
    selectinload(Rotation.members).joinedload(RotationMember.person),
    selectinload(Rotation.backups).joinedload(RotationBackup.person),
)


@bp.get("/hotlines/<id:hotline_id>/rotations")
@role_required(*READERS)
@operation("List a hotline's rotations", response=RotationPage, query=Paging, tags=TAGS)
def rotations(hotline_id: int) -> Response:
    hotline = readable_hotline(hotline_id)
    statement = (
        select(Rotation)
        .where(Rotation.hotline_id == hotline.id)
        .options(*WITH_PEOPLE)
        .order_by(Rotation.name, Rotation.id)
    )
    rows, fields = page_of(statement, query(Paging))
    return answer(RotationPage(items=[rotation_out(r) for r in rows], **fields))


@bp.get("/rotations/<id:rotation_id>")
@role_required(*READERS)
@operation("Get a rotation", response=RotationOut, tags=TAGS)
def rotation(rotation_id: int) -> Response:
    found = _rotation(rotation_id)
    readable_hotline(found.hotline_id)
    return answer(rotation_out(found))


@bp.post("/hotlines/<id:hotline_id>/rotations")
@role_required(*EDITORS)
@operation("Create a rotation (generate it to write its slots)", response=RotationOut,
           status=201, body=RotationCreate, errors=(422,), tags=TAGS)  # fmt: skip
def rotation_create(hotline_id: int) -> Response:
    hotline = managed_hotline(hotline_id)
    sent = body(RotationCreate)
    session = get_session()
    created = create_rotation(
        session, hotline.id, RotationSpec(**_spec_fields(sent.model_dump())),
        user_id=current_user.id,
    )  # fmt: skip
    session.commit()
    return answer(rotation_out(_rotation(created.id)), 201)


@bp.patch("/rotations/<id:rotation_id>")
@role_required(*EDITORS)
@operation("Change a rotation (generate again to apply)", response=RotationOut,
           body=RotationUpdate, errors=(409, 422), tags=TAGS)  # fmt: skip
def rotation_update(rotation_id: int) -> Response:
    """Change the fields sent, if the rotation is still at `version` (else 409: reload it)."""
    found = _rotation(rotation_id)
    managed_hotline(found.hotline_id)
    sent = body(RotationUpdate)
    changes = _spec_fields(sent.model_dump(exclude_unset=True, exclude={"version"}))
    spec = replace(rotation_spec(found), **changes)
    session = get_session()
    update_rotation(session, found.id, spec, version=sent.version, user_id=current_user.id)
    session.commit()
    session.expire_all()
    return answer(rotation_out(_rotation(found.id)))


@bp.delete("/rotations/<id:rotation_id>")
@role_required(*EDITORS)
@operation("Delete a rotation and its slots from now on", status=204, query=VersionQuery,
           errors=(409,), tags=TAGS)  # fmt: skip
def rotation_delete(rotation_id: int) -> Response:
    """Slots already started stay, as if made by hand."""
    found = _rotation(rotation_id)
    return delete_at_version(found.hotline_id, found.id, delete_rotation)


@bp.post("/rotations/<id:rotation_id>/generate")
@role_required(*EDITORS)
@operation("Write (or preview) a rotation's slots for N weeks", response=GenerationOut,
           body=GenerationRequest, errors=(422,), tags=TAGS)  # fmt: skip
def rotation_generate(rotation_id: int) -> Response:
    """Idempotent: slots already right stay, overrides and slots made by hand are never touched.

    Members on leave are skipped (see `skips`); shifts blocked by another slot come
    back as `conflicts`; labour rules broken as `warnings`.
    """
    found = _rotation(rotation_id)
    managed_hotline(found.hotline_id)
    sent = body(GenerationRequest)
    zone = rotation_zone(found)
    start = utcnow() if sent.start is None else parse_instant(sent.start, zone, "start")
    session = get_session()
    if sent.preview:
        result = preview_generation(session, found.id, start=start, weeks=sent.weeks)
    else:
        result = generate_rotation(
            session, found.id, start=start, weeks=sent.weeks, user_id=current_user.id
        )
    document = generation_out(result, zone)
    session.commit()
    return answer(document)


def _spec_fields(sent: dict[str, Any]) -> dict[str, Any]:
    """Body fields as RotationSpec takes them: clock times as `time`."""
    for name in ("handoff", "window_start", "window_end"):
        if sent.get(name) is not None:
            sent[name] = time.fromisoformat(sent[name])
    return sent


def _rotation(rotation_id: int) -> Rotation:
    found = get_session().get(Rotation, rotation_id, options=WITH_PEOPLE)
    if found is None:
        raise not_found("rotation", rotation_id)
    return found
