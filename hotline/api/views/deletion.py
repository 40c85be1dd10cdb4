"""Planning entries deleted at the version the client read: slots, overrides, rotations."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response
from flask_login import current_user

from hotline.api.access import managed_hotline
from hotline.api.requests import query
from hotline.api.schemas import VersionQuery
from hotline.api.views.common import no_content
from hotline.db import get_session


def delete_at_version(hotline_id: int, entity_id: int, service: Callable[..., object]) -> Response:
    """Have `service` delete the entity if it is still at the query's `version` (else 409).

    The caller's hotline must be one the user manages; `service` takes the session,
    the entity's id, `version` and `user_id`, and raises PlanningConflict on a stale version.
    """
    managed_hotline(hotline_id)
    version = query(VersionQuery).version
    session = get_session()
    service(session, entity_id, version=version, user_id=current_user.id)
    session.commit()
    return no_content()
