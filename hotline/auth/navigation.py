"""The layout's navigation: each entry shows when its page exists and admits the user."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    """A top-level section: its label, the page it opens, the endpoints it covers."""

    label: object  # a lazy string, translated when rendered
    endpoint: str
    covers: str  # endpoint prefix that marks the entry as the current section


# Planning and statistics pages appear here as soon as their packages register
# `planning.index` and `stats.index`; who sees them follows the roles those
# views declare with role_required, so the menu never offers a 403.
NAVIGATION = (
    NavItem(_l("Planning"), "planning.index", "planning."),
    NavItem(_l("Statistics"), "stats.index", "stats."),
    NavItem(_l("Notifications"), "alerts.log", "alerts."),
    NavItem(_l("Admin"), "auth.users", "auth.user"),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def visible_navigation() -> list[NavLink]:
    """The entries the signed-in user may open, in menu order."""
    from hotline.auth.access import declared_roles

    if not current_user.is_authenticated:
        return []
    links = []
    for item in NAVIGATION:
        view = current_app.view_functions.get(item.endpoint)
        if view is None or current_user.role not in (declared_roles(view) or ()):
            continue
        current = (request.endpoint or "").startswith(item.covers)
        links.append(NavLink(str(item.label), url_for(item.endpoint), current))
    return links
