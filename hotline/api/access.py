"""The hotline-scoped half of the role checks (the role itself is checked by role_required)."""

from __future__ import annotations

from flask_login import current_user

from hotline.api.errors import forbidden, not_found
from hotline.auth import ADMIN, can_manage, can_read_planning
from hotline.db import get_session
from hotline.models import Hotline


def readable_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the token's user may read its planning."""
    if not can_read_planning(current_user, hotline_id):
        raise forbidden(f"you may not read the planning of hotline {hotline_id}")
    return _hotline(hotline_id)


def managed_hotline(hotline_id: int) -> Hotline:
    """The hotline, if the token's user edits its planning (admin, or its manager)."""
    if not can_manage(current_user, hotline_id):
        raise forbidden(f"you do not manage hotline {hotline_id}")
    return _hotline(hotline_id)


def require_admin() -> None:
    if current_user.role != ADMIN:
        raise forbidden("only an admin may do this")


def _hotline(hotline_id: int) -> Hotline:
    hotline = get_session().get(Hotline, hotline_id)
    if hotline is None:
        raise not_found("hotline", hotline_id)
    return hotline
