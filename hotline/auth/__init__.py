"""Sign-in, users and roles, API tokens, and the web shell every page builds on.

Reuse from other packages:
    from hotline.auth import role_required, signed_in, public, can_manage, can_review
"""

from flask import Blueprint

from hotline.auth.access import (
    can_edit_person,
    can_manage,
    can_plan_person,
    can_read_planning,
    can_review,
    public,
    require_manage,
    require_review,
    role_required,
    scoped_hotline_ids,
    signed_in,
)
from hotline.auth.models import ADMIN, AGENT, MANAGER, ROLES, SUPERVISOR

bp = Blueprint("auth", __name__, template_folder="templates")

__all__ = [
    "ADMIN",
    "AGENT",
    "MANAGER",
    "ROLES",
    "SUPERVISOR",
    "bp",
    "can_edit_person",
    "can_manage",
    "can_plan_person",
    "can_read_planning",
    "can_review",
    "public",
    "require_manage",
    "require_review",
    "role_required",
    "scoped_hotline_ids",
    "signed_in",
]

from hotline.auth import account, admin, views  # noqa: E402,F401 - registers the routes on bp
