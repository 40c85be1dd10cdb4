"""What the API views share: JSON answers from output models, paging, role lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel
from sqlalchemy import Select

from hotline.api.schemas import Paging
from hotline.auth import ADMIN, AGENT, MANAGER, SUPERVISOR
from hotline.db import get_session

READERS = (ADMIN, MANAGER, SUPERVISOR, AGENT)
EDITORS = (ADMIN, MANAGER)
# The OpenAPI description of every change that can put somebody on call.
ABSENCE_CHECK = (
    "{who} recorded as unavailable during the time they would be on call is refused "
    "(422, field {field}, the message naming who, when and in which place, and the "
    "problem's absent_places listing those pieces) unless despite_absence is true; "
    "the answer then lists them in absent_places."
)


def answer(document: BaseModel, status: int = 200) -> Response:
    response = jsonify(document.model_dump(mode="json"))
    response.status_code = status
    return response


def page_of(statement: Select[Any], paging: Paging) -> tuple[Sequence[Any], dict[str, Any]]:
    """Run `statement` for one page; return its rows and the page's paging fields."""
    rows = get_session().scalars(statement.limit(paging.limit + 1).offset(paging.offset)).all()
    more = len(rows) > paging.limit
    fields = {
        "limit": paging.limit,
        "offset": paging.offset,
        "next_offset": paging.offset + paging.limit if more else None,
    }
    return rows[: paging.limit], fields


def no_content() -> Response:
    return Response(status=204)
