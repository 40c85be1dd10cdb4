"""Every API route as every role: the same reach as the web UI, and a refusal changes nothing.

The manager and the supervisor are listed for hotline `mine` only; the agent is
linked to person `own`. `person` is on call for both hotlines, `stranger` for
`other` only, `newcomer` for none yet. Each case runs for every role inside a savepoint rolled
back afterwards, so each role meets the same planning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hotline.api.openapi import api_rules, openapi_path
from hotline.auth.models import ROLES
from hotline.models import Hotline, Person
from hotline.phone import national_format
from hotline.planning.models import (
    AuditLog,
    FeedToken,
    Rotation,
    RotationMember,
    Slot,
    Unavailability,
)

START = datetime(2026, 4, 1, 6, tzinfo=UTC)
OK = {"admin", "manager", "supervisor", "agent"}
EDIT = {"admin", "manager"}


@dataclass(frozen=True)
class Case:
    method: str
    path: str  # placeholders: {mine} {other} {slot_mine} {slot_other} {own} {person} {stranger}
    allowed: set[str]
    status: int = 200
    json: dict[str, Any] | str | None = None  # "slot": a valid new slot


def rotation_body(world):
    return {"name": "Weekly", "members": [world["person"]], "shift_hours": 168,
            "handoff": "08:00", "start_date": "2026-04-06"}  # fmt: skip


def replace_body(world):
    return {"person_id": world["person"], "replacement_id": world["own"],
            "starts_at": "2026-04-01T09:00", "ends_at": "2026-04-01T10:00"}  # fmt: skip


def swap_body(world):
    # Somebody is on leave during the later shift: the swap is confirmed despite it.
    return {"first_slot_id": world["slot_mine"], "second_slot_id": world["slot_mine_later"],
            "despite_absence": True}  # fmt: skip


def slot_body(world):
    return {"starts_at": "2026-05-01T08:00", "ends_at": "2026-05-02T08:00",
            "chain": [world["person"]]}  # fmt: skip


CASES = [
    Case("GET", "/api/v1/me", OK),
    Case("GET", "/api/v1/openapi.json", OK),
    Case("GET", "/api/v1/hotlines", OK),
    Case("GET", "/api/v1/hotlines/{mine}", OK),
    Case("GET", "/api/v1/hotlines/{other}", {"admin", "agent"}),
    Case(
        "POST", "/api/v1/hotlines", {"admin"}, 201, {"number": "0184889900", "name": "New line"}
    ),  # fmt: skip
    Case("PATCH", "/api/v1/hotlines/{mine}", {"admin"}, json={"name": "Renamed"}),
    Case("GET", "/api/v1/people", EDIT),
    Case("GET", "/api/v1/people/choices", EDIT),
    Case("GET", "/api/v1/people/{person}", EDIT),
    Case("GET", "/api/v1/people/{stranger}", {"admin"}),
    Case("GET", "/api/v1/people/{newcomer}", EDIT),
    Case("POST", "/api/v1/people", EDIT, 201, {"name": "Zoé", "mobile": "0612345699"}),
    # Also on call for `other`: the manager of `mine` alone may not change them.
    Case("PATCH", "/api/v1/people/{person}", {"admin"}, json={"name": "Renamed"}),
    Case("PATCH", "/api/v1/people/{stranger}", {"admin"}, json={"name": "Renamed"}),
    Case("PATCH", "/api/v1/people/{newcomer}", EDIT, json={"name": "Renamed"}),
    Case("GET", "/api/v1/hotlines/{mine}/oncall", OK),
    Case("GET", "/api/v1/hotlines/{other}/oncall", {"admin", "agent"}),
    Case("GET", "/api/v1/hotlines/{mine}/gaps", OK),
    Case("GET", "/api/v1/hotlines/{other}/gaps", {"admin", "agent"}),
    Case("GET", "/api/v1/hotlines/{mine}/slots", OK),
    Case("GET", "/api/v1/hotlines/{other}/slots", {"admin", "agent"}),
    Case("POST", "/api/v1/hotlines/{mine}/slots", EDIT, 201, "slot"),
    Case("POST", "/api/v1/hotlines/{other}/slots", {"admin"}, 201, "slot"),
    Case("GET", "/api/v1/slots/{slot_mine}", OK),
    Case("GET", "/api/v1/slots/{slot_other}", {"admin", "agent"}),
    Case("PATCH", "/api/v1/slots/{slot_mine}", EDIT, json={"version": 1, "note": "x"}),
    Case("PATCH", "/api/v1/slots/{slot_other}", {"admin"}, json={"version": 1, "note": "x"}),
    Case("DELETE", "/api/v1/slots/{slot_mine}?version=1", EDIT, 204),
    Case("DELETE", "/api/v1/slots/{slot_other}?version=1", {"admin"}, 204),
    Case("GET", "/api/v1/people/{person}/unavailability", EDIT),
    Case(
        "POST",
        "/api/v1/people/{person}/unavailability",
        EDIT,
        201,
        {"starts_at": "2026-07-01", "ends_at": "2026-07-15"},
    ),  # fmt: skip
    Case("GET", "/api/v1/unavailability/{leave}", EDIT),
    Case("PATCH", "/api/v1/unavailability/{leave}", EDIT, json={"kind": "sickness"}),
    Case("DELETE", "/api/v1/unavailability/{leave}", EDIT, 204),
    Case("GET", "/api/v1/people/{stranger}/unavailability", {"admin"}),
    Case(
        "POST",
        "/api/v1/people/{stranger}/unavailability",
        {"admin"},
        201,
        {"starts_at": "2026-07-01", "ends_at": "2026-07-15"},
    ),  # fmt: skip
    Case("GET", "/api/v1/unavailability/{stranger_leave}", {"admin"}),
    Case("PATCH", "/api/v1/unavailability/{stranger_leave}", {"admin"}, json={"kind": "sickness"}),
    Case("DELETE", "/api/v1/unavailability/{stranger_leave}", {"admin"}, 204),
    Case("GET", "/api/v1/hotlines/{mine}/rotations", OK),
    Case("GET", "/api/v1/hotlines/{other}/rotations", {"admin", "agent"}),
    Case("POST", "/api/v1/hotlines/{mine}/rotations", EDIT, 201, "rotation"),
    Case("POST", "/api/v1/hotlines/{other}/rotations", {"admin"}, 201, "rotation"),
    Case("GET", "/api/v1/rotations/{rotation}", OK),
    Case("GET", "/api/v1/rotations/{rotation_other}", {"admin", "agent"}),
    Case(
        "PATCH", "/api/v1/rotations/{rotation_other}", {"admin"}, json={"version": 1, "name": "N"}
    ),
    Case("DELETE", "/api/v1/rotations/{rotation_other}?version=1", {"admin"}, 204),
    Case("PATCH", "/api/v1/rotations/{rotation}", EDIT, json={"version": 1, "name": "New"}),
    Case("DELETE", "/api/v1/rotations/{rotation}?version=1", EDIT, 204),
    Case("POST", "/api/v1/rotations/{rotation}/generate", EDIT, json={"weeks": 1}),
    Case("POST", "/api/v1/rotations/{rotation_other}/generate", {"admin"}, json={"weeks": 1}),
    Case("POST", "/api/v1/hotlines/{mine}/overrides", EDIT, 201, "slot"),
    Case("POST", "/api/v1/hotlines/{other}/overrides", {"admin"}, 201, "slot"),
    Case("POST", "/api/v1/hotlines/{mine}/overrides/replace", EDIT, 201, "replace"),
    Case("POST", "/api/v1/hotlines/{mine}/overrides/swap", EDIT, 201, "swap"),
    Case("DELETE", "/api/v1/overrides/{override}?version=1", EDIT, 204),
    Case("POST", "/api/v1/hotlines/{other}/overrides/replace", {"admin"}, 201, "replace"),
    Case("DELETE", "/api/v1/overrides/{override_other}?version=1", {"admin"}, 204),
    Case("POST", "/api/v1/people/{own}/feed", {"admin", "agent"}, 201),
    Case("POST", "/api/v1/people/{person}/feed", {"admin"}, 201),
    Case("DELETE", "/api/v1/people/{own}/feed", {"admin", "agent"}, 204),
    Case("POST", "/api/v1/hotlines/{mine}/feed", EDIT, 201),
    Case("POST", "/api/v1/hotlines/{other}/feed", {"admin"}, 201),
    Case("DELETE", "/api/v1/hotlines/{mine}/feed", EDIT, 204),
    Case("DELETE", "/api/v1/hotlines/{other}/feed", {"admin"}, 204),
]


@pytest.fixture
def world(make_hotline, make_person, make_slot, db_session):
    mine = make_hotline(number="+33184881001", name="Mine")
    other = make_hotline(number="+33184881002", name="Other")
    own, person = make_person("Agent's own"), make_person("Somebody")
    stranger, newcomer = make_person("Stranger"), make_person("Newcomer")
    slot_mine = make_slot(mine, START, START + timedelta(hours=12), [person])
    slot_other = make_slot(other, START, START + timedelta(hours=12), [person])
    later = START + timedelta(days=1)
    slot_mine_later = make_slot(mine, later, later + timedelta(hours=12), [own])
    override = make_slot(mine, later, later + timedelta(hours=1), [person], override=True)
    override_other = make_slot(other, later, later + timedelta(hours=1), [own], override=True)
    rotations = [
        Rotation(hotline_id=h.id, name="Daily", shift_hours=24, handoff=time(8),
                 start_date=date(2026, 4, 1), backup_count=0, members=[RotationMember(position=0,
                 person_id=person.id)])
        for h in (mine, other)
    ]  # fmt: skip
    rotations[1].members.append(RotationMember(position=1, person_id=stranger.id))
    db_session.add_all(rotations)
    leave = Unavailability(person_id=person.id, starts_at=START, ends_at=START + timedelta(days=3))
    stranger_leave = Unavailability(
        person_id=stranger.id, starts_at=START, ends_at=START + timedelta(days=3)
    )
    db_session.add_all([leave, stranger_leave])
    db_session.flush()
    return {
        "mine": mine.id, "other": other.id, "own": own.id, "person": person.id,
        "stranger": stranger.id, "newcomer": newcomer.id, "stranger_leave": stranger_leave.id,
        "slot_mine": slot_mine.id, "slot_other": slot_other.id, "leave": leave.id,
        "slot_mine_later": slot_mine_later.id, "override": override.id,
        "override_other": override_other.id,
        "rotation": rotations[0].id, "rotation_other": rotations[1].id,
        "hotlines": (mine,), "own_person": own,
    }  # fmt: skip


@pytest.fixture
def clients(api_as, world):
    return {
        "admin": api_as("admin"),
        "manager": api_as("manager", hotlines=world["hotlines"]),
        "supervisor": api_as("supervisor", hotlines=world["hotlines"]),
        "agent": api_as("agent", person=world["own_person"]),
    }


def state(db_session):
    """What a refused request must leave as it was."""
    db_session.expire_all()
    counts = [
        db_session.scalar(select(func.count()).select_from(model))
        for model in (Hotline, Person, Slot, AuditLog, FeedToken, Unavailability, Rotation)
    ]
    names = list(db_session.scalars(select(Hotline.name).order_by(Hotline.id)))
    names += list(db_session.scalars(select(Person.name).order_by(Person.id)))
    versions = list(db_session.scalars(select(Slot.version).order_by(Slot.id)))
    versions += list(db_session.scalars(select(Rotation.version).order_by(Rotation.id)))
    kinds = list(db_session.scalars(select(Unavailability.kind).order_by(Unavailability.id)))
    return counts, names, versions, kinds


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.method} {c.path}")
def test_each_role_gets_exactly_its_reach(case, world, clients, connection, db_session):
    path = case.path.format(**world)
    bodies = {"slot": slot_body, "rotation": rotation_body, "replace": replace_body,
              "swap": swap_body}  # fmt: skip
    body = bodies[case.json](world) if isinstance(case.json, str) else case.json
    for role in ROLES:
        before = state(db_session)
        savepoint = connection.begin_nested()
        try:
            response = clients[role].open(case.method, path, json=body)
            expected = case.status if role in case.allowed else 403
            assert response.status_code == expected, (role, response.get_json())
            if expected == 403:
                assert response.json["error"] == "forbidden"
                assert state(db_session) == before, f"{role}: a refused request changed data"
        finally:
            savepoint.rollback()


def test_no_route_gives_a_manager_the_contact_details_of_another_teams_person(
    world, clients, db_session
):
    stranger = db_session.get(Person, world["stranger"])
    stranger.email = "stranger@example.org"
    db_session.flush()
    details = (stranger.mobile, national_format(stranger.mobile), stranger.email)
    readers = [case for case in CASES if case.method == "GET"]

    answers = {case.path: clients["manager"].get(case.path.format(**world)) for case in readers}

    for path, response in answers.items():
        body = response.get_data(as_text=True)
        assert not any(detail in body for detail in details), path
    chain_choices = answers["/api/v1/people/choices"].json["items"]
    assert {"id": stranger.id, "name": "Stranger", "active": True} in chain_choices
    # Control: an admin reads them on the same routes.
    assert stranger.mobile in clients["admin"].get(f"/api/v1/people/{stranger.id}").get_data(
        as_text=True
    )


def test_anonymous_and_bad_tokens_get_401_everywhere(app, client, world):
    for case in CASES:
        path = case.path.format(**world)
        for headers in ({}, {"Authorization": "Bearer hl_forged"}):
            response = client.open(path, method=case.method, json=case.json, headers=headers)
            assert response.status_code == 401, (case.method, path)
            assert response.json["error"] == "unauthorized"


def test_the_table_covers_every_api_route(app):
    covered = {(case.method, openapi_path_of(case.path)) for case in CASES}
    served = {(method, openapi_path(rule)) for rule, method in api_rules(app)}

    assert served - covered == set()


def openapi_path_of(path: str) -> str:
    """/api/v1/slots/{slot_mine}?version=1 -> /api/v1/slots/{slot_id}, as OpenAPI spells it."""
    names = {
        "{mine}": "{hotline_id}", "{other}": "{hotline_id}", "{own}": "{person_id}",
        "{person}": "{person_id}", "{stranger}": "{person_id}", "{newcomer}": "{person_id}",
        "{slot_mine}": "{slot_id}", "{slot_other}": "{slot_id}",
        "{leave}": "{unavailability_id}", "{stranger_leave}": "{unavailability_id}",
        "{rotation}": "{rotation_id}",
        "{rotation_other}": "{rotation_id}", "{override}": "{slot_id}",
        "{override_other}": "{slot_id}",
    }  # fmt: skip
    path = path.split("?")[0]
    for placeholder, name in names.items():
        path = path.replace(placeholder, name)
    return path


def test_shifts_of_another_hotline_cannot_be_swapped_through_a_managed_one(
    world, clients, db_session
):
    """The manager of `mine` names a slot of `other` in a swap posted to `mine`."""
    before = state(db_session)
    body = {"first_slot_id": world["slot_mine"], "second_slot_id": world["slot_other"]}

    response = clients["manager"].post(f"/api/v1/hotlines/{world['mine']}/overrides/swap", body)

    assert response.status_code == 422
    assert response.json["field"] == "second_slot_id"
    assert state(db_session) == before


def test_a_regular_slot_cannot_be_removed_as_an_override(world, clients, db_session):
    before = state(db_session)

    response = clients["manager"].delete(f"/api/v1/overrides/{world['slot_mine']}?version=1")

    assert response.status_code == 422
    assert state(db_session) == before
