"""Who may reach which page: role decorators and hotline-scoped checks.

Every view outside the auth pages, the static files and the Twilio webhooks
declares its roles with `role_required` (or `public`); the declaration is
recorded on the view so a test can walk the URL map and find any route that
forgot it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from hotline.auth.models import ADMIN, AGENT, MANAGER, ROLES, SCOPED_ROLES, User

F = TypeVar("F", bound=Callable[..., Any])
API_PREFIX = "/api/"
ROLES_ATTRIBUTE = "allowed_roles"
PUBLIC_ATTRIBUTE = "public"


def role_required(*roles: str) -> Callable[[F], F]:
    """Let through only signed-in, active users holding one of `roles`.

    Anonymous: redirect to the sign-in page (API: 401 JSON). Signed in with
    another role: 403, before the view runs, so nothing changes.
    Put it *below* the route decorator so the route registers the guarded view.
    """
    unknown = set(roles) - set(ROLES)
    if not roles or unknown:
        raise ValueError(f"role_required needs roles among {ROLES}, got {roles}")
    allowed = frozenset(roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        setattr(guarded, ROLES_ATTRIBUTE, allowed)
        return guarded  # type: ignore[return-value]

    return decorate


def signed_in(view: F) -> F:
    """Any signed-in user, whatever the role (their own account pages)."""
    return role_required(*ROLES)(view)


def public(view: F) -> F:
    """Mark a view as open to everyone on purpose (sign-in page, health check)."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    return view


def declared_roles(view: Callable[..., Any]) -> frozenset[str] | None:
    """The roles a view declared; None when it declared none (or is public)."""
    return getattr(view, ROLES_ATTRIBUTE, None)


def is_public(view: Callable[..., Any]) -> bool:
    return bool(getattr(view, PUBLIC_ATTRIBUTE, False))


def is_api_request() -> bool:
    """Whether this request is for the JSON API (answers JSON errors, accepts tokens)."""
    return request.path.startswith(API_PREFIX)


def scoped_hotline_ids(user: User) -> set[int] | None:
    """The hotlines whose planning and calls `user` reviews; None means all of them.

    Admins reach every hotline. Managers and supervisors reach the hotlines
    listed for them (ManagedHotline rows, set on the admin's user page).
    Agents reach none as a whole: pages show them their own shifts and calls.
    """
    if user.role == ADMIN:
        return None
    if user.role in SCOPED_ROLES:
        return user.hotline_ids
    return set()


def can_manage(user: User, hotline_id: int) -> bool:
    """Whether `user` may edit this hotline's planning (admin, or its manager)."""
    if not user.is_authenticated or not user.active:
        return False
    return user.role == ADMIN or (user.role == MANAGER and hotline_id in user.hotline_ids)


def can_review(user: User, hotline_id: int) -> bool:
    """Whether `user` may see all of this hotline's planning, calls and statistics."""
    if not user.is_authenticated or not user.active:
        return False
    scope = scoped_hotline_ids(user)
    return scope is None or hotline_id in scope


def can_read_planning(user: User, hotline_id: int) -> bool:
    """Whether `user` may read this hotline's planning: reviewers, and every agent."""
    return can_review(user, hotline_id) or (user.is_authenticated and user.role == AGENT)


def can_plan_person(user: User, person_hotline_ids: Collection[int]) -> bool:
    """Whether `user` may open a person's page and record their leave.

    Admins reach everyone; a manager reaches the people on call for a hotline they
    manage (hotline.planning.people.person_hotline_ids says which), and those on
    call for none yet, whom any manager may take into a chain.
    """
    if not user.active or user.role not in (ADMIN, MANAGER):
        return False
    if user.role == ADMIN or not person_hotline_ids:
        return True
    return not user.hotline_ids.isdisjoint(person_hotline_ids)


def can_edit_person(user: User, person_hotline_ids: Collection[int]) -> bool:
    """Whether `user` may change who a person is and how they are reached, or deactivate them.

    The name, mobile, e-mail, language and status serve every hotline the person is
    on call for: a manager changes them only when managing each of those hotlines,
    else the manager of one team could send another team's calls elsewhere.
    """
    if not user.active or user.role not in (ADMIN, MANAGER):
        return False
    return user.role == ADMIN or user.hotline_ids.issuperset(person_hotline_ids)


def can_hold_person_feed(user: User, person_id: int) -> bool:
    """Whether `user` may have a URL of this person's iCal feed: their own person, or an admin."""
    return user.active and (user.role == ADMIN or user.person_id == person_id)


def can_hold_hotline_feed(user: User, hotline_id: int) -> bool:
    """Whether `user` may have a URL of this hotline's iCal feed: its manager, or an admin."""
    return can_manage(user, hotline_id)


def require_manage(hotline_id: int) -> None:
    """Abort with 403 unless the signed-in user manages this hotline."""
    if not can_manage(current_user, hotline_id):
        abort(403)


def require_review(hotline_id: int) -> None:
    """Abort with 403 unless the signed-in user reviews this hotline."""
    if not can_review(current_user, hotline_id):
        abort(403)
