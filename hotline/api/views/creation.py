"""Planning entries created from a posted span: slots and overrides alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import Response
from flask_login import current_user
from pydantic import BaseModel

from hotline.api.access import managed_hotline
from hotline.api.requests import body
from hotline.api.times import parse_instant
from hotline.api.views.common import answer
from hotline.db import get_session

Saved = TypeVar("Saved")


def create_from(
    hotline_id: int,
    schema: type[BaseModel],
    service: Callable[..., Saved],
    shown: Callable[[Saved, ZoneInfo], BaseModel],
) -> Response:
    """Hand the body's span and other fields to `service`; answer 201 with what it saved.

    The span is read in the hotline's zone; every other field of `schema` is passed
    to `service` under its own name. Planning rules the service refuses answer 422.
    """
    hotline = managed_hotline(hotline_id)
    sent = body(schema)
    zone = ZoneInfo(hotline.timezone)
    fields: dict[str, Any] = dict(sent)
    starts_at = parse_instant(fields.pop("starts_at"), zone, "starts_at")
    ends_at = parse_instant(fields.pop("ends_at"), zone, "ends_at")
    session = get_session()
    saved = service(
        session,
        hotline.id,
        starts_at=starts_at,
        ends_at=ends_at,
        user_id=current_user.id,
        **fields,
    )
    session.commit()
    return answer(shown(saved, zone), 201)
