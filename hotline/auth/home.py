"""Where `/` leads each role: the first of its pages that the app has."""

from __future__ import annotations

from flask import current_app

from hotline.auth.models import ADMIN, AGENT, MANAGER, SUPERVISOR

FALLBACK = "auth.dashboard"
# Planning and statistics take over as soon as their packages register these endpoints.
ROLE_HOMES: dict[str, tuple[str, ...]] = {
    ADMIN: (FALLBACK,),
    MANAGER: ("planning.index", FALLBACK),
    SUPERVISOR: ("stats.index", FALLBACK),
    AGENT: ("planning.index", FALLBACK),
}


def home_endpoint(role: str) -> str:
    """The endpoint `/` redirects a user with `role` to."""
    for endpoint in ROLE_HOMES.get(role, ()):
        if endpoint in current_app.view_functions:
            return endpoint
    return FALLBACK
