"""Every planning URL as every role: 200, 403 or sign-in; a refused POST changes nothing.

The table below names who may use each page; the test fails when the app has a
planning route the table does not list, so a new page cannot skip this check.
Allowed POSTs run inside a savepoint rolled back afterwards, so each request
sees the same planning.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import object_session

from hotline.auth.access import declared_roles
from hotline.planning.models import Rotation, RotationMember, Unavailability
from tests.conftest import sign_in_client

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date.today() + timedelta(days=14 - date.today().weekday())
SLOT_START = datetime.combine(MONDAY, time(8), tzinfo=PARIS).astimezone(UTC)

ANONYMOUS = "anonymous"
AGENT, SUPERVISOR, OTHER_MANAGER, MANAGER, ADMIN = (
    "agent",
    "supervisor",
    "manager of another hotline",
    "manager",
    "admin",
)
USERS = (AGENT, SUPERVISOR, OTHER_MANAGER, MANAGER, ADMIN)

EVERYONE = set(USERS)
READERS = {AGENT, SUPERVISOR, MANAGER, ADMIN}  # the hotline's planning, read-only
REVIEWERS = {SUPERVISOR, MANAGER, ADMIN}  # fairness and audit
EDITORS = {MANAGER, ADMIN}  # the hotline's planning, edited
# Any manager lists the people of their own teams and adds people; a person's page
# is for the managers of the hotlines they are on call for (the period's Chloé: Nord).
PEOPLE_EDITORS = {OTHER_MANAGER, MANAGER, ADMIN}
ADMINS = {ADMIN}

ACCESS: dict[str, set[str]] = {
    "planning.index": EVERYONE,
    "planning.my_shifts": EVERYONE,
    "planning.my_feed": EVERYONE,
    "planning.my_feed_delete": EVERYONE,
    "planning.hotline": READERS,
    "planning.calendar": READERS,
    "planning.gaps": READERS,
    "planning.rotations": READERS,
    "planning.overrides": READERS,
    "planning.fairness": REVIEWERS,
    "planning.audit_log": REVIEWERS,
    "planning.people": PEOPLE_EDITORS,
    "planning.person_new": PEOPLE_EDITORS,
    "planning.person_edit": EDITORS,
    "planning.unavailability_add": EDITORS,
    "planning.unavailability_delete": EDITORS,
    "planning.hotline_new": ADMINS,
    "planning.hotline_settings": ADMINS,
    "planning.hotline_feed": EDITORS,
    "planning.slot_new": EDITORS,
    "planning.slot_edit": EDITORS,
    "planning.slot_delete": EDITORS,
    "planning.rules_save": EDITORS,
    "planning.rotation_new": EDITORS,
    "planning.rotation_edit": EDITORS,
    "planning.rotation_delete": EDITORS,
    "planning.rotation_generate": EDITORS,
    "planning.rotation_cover_absence": EDITORS,
    "planning.override_replace": EDITORS,
    "planning.override_swap": EDITORS,
    "planning.override_delete": EDITORS,
}

# Tables a planning page may write; a refused request must leave all of them as they were.
WATCHED_TABLES = (
    "hotline",
    "person",
    "slot",
    "slot_responder",
    "default_responder",
    "rotation",
    "rotation_member",
    "rotation_backup",
    "unavailability",
    "labour_rules",
    "feed_token",
    "audit_log",
)


@dataclass
class World:
    hotline: Any
    other: Any
    people: list[Any]
    slot: Any
    second_slot: Any
    override: Any
    rotation: Rotation
    leave: Unavailability
    users: dict[str, Any]


@pytest.fixture
def world(db_session, make_hotline, make_person, make_slot, make_user) -> World:
    hotline = make_hotline(name="Nord")
    other = make_hotline("+33184880002", name="Sud")
    alice, bruno, chloe = (make_person(n) for n in ("Alice", "Bruno", "Chloé"))
    day = timedelta(days=1)
    slot = make_slot(hotline, SLOT_START, SLOT_START + day, [alice, bruno])
    second = make_slot(hotline, SLOT_START + day, SLOT_START + 2 * day, [bruno, chloe])
    override = make_slot(
        hotline, SLOT_START, SLOT_START + timedelta(hours=2), [chloe], override=True
    )
    rotation = Rotation(
        hotline_id=hotline.id,
        name="Semaine",
        shift_hours=168,
        handoff=time(8),
        start_date=MONDAY + timedelta(days=28),
        members=[RotationMember(position=i, person_id=p.id) for i, p in enumerate((alice, bruno))],
    )
    leave = Unavailability(
        person_id=chloe.id,
        starts_at=SLOT_START + 10 * day,
        ends_at=SLOT_START + 12 * day,
        kind="leave",
    )
    db_session.add_all([rotation, leave])
    db_session.flush()
    # A slot of the rotation still ringing Chloé on leave: "cover the absence" fixes it.
    make_slot(
        hotline, SLOT_START + 10 * day, SLOT_START + 11 * day, [chloe]
    ).rotation_id = rotation.id
    db_session.flush()
    scopes = {SUPERVISOR: (hotline,), OTHER_MANAGER: (other,), MANAGER: (hotline,)}
    roles = {OTHER_MANAGER: "manager"}
    users = {
        name: make_user(
            roles.get(name, name), hotlines=scopes.get(name, ()), person=make_person(name)
        )
        for name in USERS
    }
    return World(
        hotline, other, [alice, bruno, chloe], slot, second, override, rotation, leave, users
    )


def url_values(world: World, endpoint: str) -> dict[str, int]:
    return {
        "hotline_id": world.hotline.id,
        "slot_id": world.override.id if endpoint == "planning.override_delete" else world.slot.id,
        "rotation_id": world.rotation.id,
        "person_id": world.leave.person_id,
        "unavailability_id": world.leave.id,
    }


def post_data(world: World, endpoint: str) -> dict[str, Any]:
    """A valid form for each POST: if a role check were missing, it would change something."""
    alice, bruno, chloe = world.people
    local = SLOT_START.astimezone(PARIS)
    hotline_form = {
        "number": "01 84 88 99 00",
        "name": "Renamed",
        "timezone": "Europe/Paris",
        "language": "fr",
        "ring_timeout": "30",
    }
    rotation_form = {
        "name": "Renamed rotation",
        "members-0": str(alice.id),
        "members-1": str(chloe.id),
        "shift_length": "1",
        "shift_unit": "days",
        "handoff": "09:00",
        "start_date": (MONDAY + timedelta(days=28)).isoformat(),
        "pattern": "every_day",
        "backup_count": "1",
        "version": "1",
    }
    forms: dict[str, dict[str, Any]] = {
        "planning.hotline_new": hotline_form,
        "planning.hotline_settings": {**hotline_form, "number": "01 84 88 12 34"},
        "planning.person_new": {"name": "Nouvelle", "mobile": "06 11 22 33 44", "language": "fr"},
        "planning.person_edit": {"name": "Renamed", "mobile": "06 11 22 33 44", "language": "en"},
        "planning.unavailability_add": {
            "kind": "sickness",
            "first_day": MONDAY.isoformat(),
            "last_day": MONDAY.isoformat(),
        },
        "planning.slot_new": {
            "starts_at": (local + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
            "chain-0": str(chloe.id),
            "version": "0",
        },
        "planning.slot_edit": {
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (local + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "chain-0": str(bruno.id),
            "note": "changed",
            "version": "1",
        },
        "planning.slot_delete": {"version": "1"},
        "planning.override_delete": {"version": "1"},
        "planning.rotation_delete": {"version": "1"},
        "planning.rules_save": {"max_consecutive_days": "6", "min_rest_hours": "11"},
        "planning.rotation_new": {**rotation_form, "name": "Another rotation"},
        "planning.rotation_edit": rotation_form,
        "planning.rotation_generate": {
            "weeks": "2",
            "from_day": (MONDAY + timedelta(days=28)).isoformat(),
        },
        "planning.override_replace": {
            "replace-person": str(alice.id),
            "replace-replacement": str(chloe.id),
            "replace-starts_at": (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "replace-ends_at": (local + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        },
        "planning.override_swap": {
            "swap-first": str(world.slot.id),
            "swap-second": str(world.second_slot.id),
        },
        "planning.rotation_cover_absence": {"unavailability_id": str(world.leave.id)},
    }
    return forms.get(endpoint, {})


def planning_rules(app) -> list[Any]:
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if r.endpoint.startswith("planning.") and not r.endpoint.endswith(".static")
        ),
        key=lambda r: r.endpoint,
    )


def state(connection) -> str:
    digest = hashlib.sha256()
    for table in WATCHED_TABLES:
        rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()  # noqa: S608
        digest.update(repr((table, rows)).encode())
    return digest.hexdigest()


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session.clear()
    if user is not None:
        sign_in_client(client, object_session(user), user)


def test_the_table_lists_every_planning_route_with_the_roles_it_declares(app):
    endpoints = {r.endpoint for r in planning_rules(app)}

    assert endpoints == set(ACCESS), "add the new planning pages to ACCESS"
    for endpoint in endpoints:
        declared = declared_roles(app.view_functions[endpoint])
        # The decorator's roles are a superset: scope checks then narrow them per hotline.
        allowed_roles = {"manager" if who == OTHER_MANAGER else who for who in ACCESS[endpoint]}
        assert allowed_roles <= declared, endpoint


def form_for(world, endpoint: str, method: str, token: str) -> dict | None:
    """What a browser would post to `endpoint` (with its form token); None for a GET."""
    return {"csrf_token": token, **post_data(world, endpoint)} if method == "POST" else None


@pytest.mark.parametrize("who", [ANONYMOUS, *USERS])
def test_every_planning_url_as_every_role(app, client, connection, csrf_token, world, who):
    sign_in(client, world.users.get(who))
    token = csrf_token()
    problems = []
    unchanged_by_allowed_posts = set()
    for rule in planning_rules(app):
        values = {k: v for k, v in url_values(world, rule.endpoint).items() if k in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = form_for(world, rule.endpoint, method, token)
            before = state(connection)
            savepoint = connection.begin_nested()
            try:
                response = client.open(path, method=method, data=data)
            finally:
                after = state(connection)
                savepoint.rollback()
            status = response.status_code
            if who == ANONYMOUS:
                ok = status == 302 and response.headers["Location"].startswith("/login?next=")
                ok = ok and after == before
            elif who in ACCESS[rule.endpoint]:
                ok = status == 200 if method == "GET" else status in (200, 302)
                if method == "POST" and after == before:
                    unchanged_by_allowed_posts.add(rule.endpoint)
            else:
                ok = status == 403 and after == before
            if not ok:
                problems.append(f"{method} {path} ({rule.endpoint}): {status}")
    assert problems == [], f"as {who}"
    if who in EDITORS:
        # Each form above really changes something when allowed: so its refusal is a real test.
        assert unchanged_by_allowed_posts == {"planning.my_feed_delete"}


def refused_post(client, connection, path: str, data: dict) -> int:
    """Post `data` to `path`; the status, once checked that the database is unchanged."""
    before = state(connection)
    response = client.post(path, data=data)
    assert state(connection) == before
    return response.status_code


@pytest.mark.parametrize(
    ("who", "url", "endpoint", "status"),
    [
        (AGENT, "/planning/hotlines/{hotline}/slots/{slot}", "planning.slot_edit", 403),
        (OTHER_MANAGER, "/planning/hotlines/{other}/overrides/swap", "planning.override_swap", 400),
    ],
)
def test_a_refused_post_leaves_the_planning_untouched(
    client, connection, csrf_token, world, who, url, endpoint, status
):
    """The explicit cases of the tables: an agent posting a slot change; the manager
    of Sud swapping Nord's shifts through Sud's page."""
    sign_in(client, world.users[who])
    path = url.format(hotline=world.hotline.id, slot=world.slot.id, other=world.other.id)
    data = {"csrf_token": csrf_token(), **post_data(world, endpoint)}

    assert refused_post(client, connection, path, data) == status


def test_ids_of_another_hotline_under_a_managed_hotlines_url_are_not_found(
    app, client, connection, csrf_token, world
):
    """The manager of Sud puts Nord's slot, override and rotation ids in Sud's URLs: 404."""
    sign_in(client, world.users[OTHER_MANAGER])
    token = csrf_token()
    problems = []
    checked = set()
    for rule in planning_rules(app):
        if not {"slot_id", "rotation_id"} & rule.arguments:
            continue
        checked.add(rule.endpoint)
        values = {**url_values(world, rule.endpoint), "hotline_id": world.other.id}
        path = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = form_for(world, rule.endpoint, method, token)
            before = state(connection)
            response = client.open(path, method=method, data=data)
            if response.status_code != 404 or state(connection) != before:
                problems.append(f"{method} {path} ({rule.endpoint}): {response.status_code}")
    assert problems == []
    assert len(checked) >= 6  # slots, overrides, rotations: edited, removed, generated


def test_a_period_of_another_person_cannot_be_removed_through_someones_page(
    client, connection, csrf_token, world
):
    sign_in(client, world.users[MANAGER])
    alice = world.people[0]  # the period is Chloé's

    status = refused_post(
        client,
        connection,
        f"/planning/people/{alice.id}/unavailability/{world.leave.id}/delete",
        {"csrf_token": csrf_token()},
    )

    assert status == 404
