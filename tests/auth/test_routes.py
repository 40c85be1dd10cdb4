"""Every route declares who may use it; every declared role list is enforced."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from hotline.auth.access import API_PREFIX, declared_roles, is_public
from hotline.auth.models import ROLES
from hotline.auth.services import create_api_token
from tests.conftest import sign_in_client

# Routes that need no role: static files, and webhooks authenticated by a signature.
UNGUARDED_BLUEPRINTS = {"voice"}
UNGUARDED_ENDPOINT_WORDS = ("health",)  # load-balancer probes


def guarded_rules(app) -> list[Rule]:
    """Every rule that must declare roles (or say it is public)."""
    rules = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        if blueprint in UNGUARDED_BLUEPRINTS or blueprint in app.config["CSRF_EXEMPT_BLUEPRINTS"]:
            continue
        if any(word in rule.endpoint for word in UNGUARDED_ENDPOINT_WORDS):
            continue
        rules.append(rule)
    return rules


def test_every_page_and_api_route_declares_its_roles(app):
    undeclared = [
        f"{rule.rule} ({rule.endpoint})"
        for rule in guarded_rules(app)
        if declared_roles(app.view_functions[rule.endpoint]) is None
        and not is_public(app.view_functions[rule.endpoint])
    ]

    assert undeclared == [], (
        "routes without @role_required(...) or @public (put the decorator *below* the route "
        f"decorator): {undeclared}"
    )


def test_public_routes_are_only_the_sign_in_pages(app):
    public = sorted(
        rule.endpoint for rule in guarded_rules(app) if is_public(app.view_functions[rule.endpoint])
    )

    # feeds.feed: iCal feeds, opened by the unguessable secret in their URL.
    # listen.*: a voicemail by the signed personal link of its alert (tests/alerts/test_listen.py).
    # ops.readyz: the load balancer's probe; ops.metrics: Prometheus, behind
    # METRICS_TOKEN when set (tests/ops/test_probes.py).
    assert public == [
        "auth.language",
        "auth.login",
        "auth.logout",
        "feeds.feed",
        "listen.audio",
        "listen.page",
        "ops.metrics",
        "ops.readyz",
    ]


def parameterless(app, methods):
    """(path, method, allowed roles) for routes requestable without inventing URL values."""
    return [
        (rule.rule, method, declared_roles(app.view_functions[rule.endpoint]))
        for rule in guarded_rules(app)
        if not rule.arguments and declared_roles(app.view_functions[rule.endpoint]) is not None
        for method in sorted(rule.methods & methods)
    ]


def test_every_role_outside_a_routes_list_gets_403(app, client, make_user, csrf_token, db_session):
    forbidden = []
    for role in ROLES:
        user = make_user(role)
        sign_in_client(client, db_session, user)
        _token, secret = create_api_token(db_session, user, "route walk")
        form = {"csrf_token": csrf_token()}
        api = {"Authorization": f"Bearer {secret}"}
        for path, method, allowed in parameterless(app, {"GET", "POST"}):
            if role in allowed:
                continue
            is_api = path.startswith(API_PREFIX)
            response = client.open(
                path, method=method, data=None if is_api else form, headers=api if is_api else None
            )
            assert response.status_code == 403, f"{role} {method} {path}"
            forbidden.append((role, method, path))
    # The admin pages alone give three roles a 403 each.
    assert ("agent", "GET", "/admin/users") in forbidden
    assert ("manager", "POST", "/admin/users/new") in forbidden


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_is_sent_to_sign_in_or_told_401_on_the_api(app, client, method, csrf_token):
    token = csrf_token()
    for path, _method, _roles in parameterless(app, {method}):
        response = client.open(path, method=method, data={"csrf_token": token})
        if path.startswith(API_PREFIX):
            assert response.status_code == 401, path
            assert response.json["error"] == "unauthorized"
        else:
            assert response.status_code == 302, path
            assert response.headers["Location"].startswith("/login?next="), path
