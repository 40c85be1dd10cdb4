"""GET /api/v1/hotlines/<id>/oncall: whose mobile each reader is given (hotline.planning.contacts).

Admins and the hotline's managers get every number; an agent their own and those of the
teams they serve; a supervisor and an agent of another team get names, numbers null.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.db import utcnow


@pytest.fixture
def north(make_hotline, make_person, make_slot):
    """Hotline Nord, Alice on call now with Bruno as backup; Chloé serves Hotline Sud only."""
    north = make_hotline("+33184880001", name="Nord")
    south = make_hotline("+33184880002", name="Sud")
    alice, bruno, chloe = (make_person(n) for n in ("Alice", "Bruno", "Chloé"))
    now = utcnow()
    make_slot(north, now - timedelta(hours=1), now + timedelta(hours=8), [alice, bruno])
    make_slot(south, now - timedelta(hours=1), now + timedelta(hours=8), [chloe])
    return north, south, (alice, bruno, chloe)


def responders(api, hotline):
    answer = api.get(f"/api/v1/hotlines/{hotline.id}/oncall")
    assert answer.status_code == 200
    return [(r["name"], r["number"], r["number_national"]) for r in answer.json["responders"]]


def test_an_agent_of_another_team_gets_the_names_and_no_number(api_as, north):
    north, _south, (_alice, _bruno, chloe) = north
    agent = api_as("agent", person=chloe)

    assert responders(agent, north) == [("Alice", None, None), ("Bruno", None, None)]


def test_an_agent_with_no_person_gets_no_number(api_as, north):
    north, _south, _people = north

    assert responders(api_as("agent"), north) == [("Alice", None, None), ("Bruno", None, None)]


def test_an_agent_of_the_team_gets_every_number_of_it(api_as, north):
    north, _south, (alice, bruno, _chloe) = north
    agent = api_as("agent", person=bruno)

    assert [number for _name, number, _national in responders(agent, north)] == [
        alice.mobile,
        bruno.mobile,
    ]


def test_a_backup_borrowed_for_a_shift_serves_that_hotline_for_its_span(
    api_as, north, make_slot, make_person
):
    north, south, (alice, _bruno, chloe) = north
    # Dmitri serves Sud; Sud borrows Alice tomorrow: while that slot is ahead, they are teammates.
    dmitri = make_person("Dmitri")
    tomorrow = utcnow() + timedelta(days=1)
    make_slot(south, tomorrow, tomorrow + timedelta(hours=8), [dmitri, alice], override=True)

    numbers = [n for _name, n, _national in responders(api_as("agent", person=dmitri), north)]

    assert numbers == [alice.mobile, None], "Alice serves Sud with Dmitri; Bruno does not"


def test_the_hotlines_manager_and_admins_get_every_number(api_as, admin_api, north):
    north, _south, (alice, bruno, _chloe) = north
    manager = api_as("manager", hotlines=(north,))

    for api in (manager, admin_api):
        assert [n for _name, n, _national in responders(api, north)] == [alice.mobile, bruno.mobile]


def test_a_supervisor_of_the_hotline_gets_no_number(api_as, north):
    north, _south, _people = north
    supervisor = api_as("supervisor", hotlines=(north,))

    assert responders(supervisor, north) == [("Alice", None, None), ("Bruno", None, None)]


def test_a_supervisor_on_call_gets_the_numbers_of_their_own_team(api_as, north):
    north, _south, (alice, bruno, _chloe) = north
    supervisor = api_as("supervisor", hotlines=(north,), person=bruno)

    assert [n for _name, n, _national in responders(supervisor, north)] == [
        alice.mobile,
        bruno.mobile,
    ]


def test_the_description_says_what_a_null_number_means(admin_api):
    document = admin_api.get("/api/v1/openapi.json").json
    schema = document["components"]["schemas"]["ResponderOut"]

    number = schema["properties"]["number"]
    assert {"type": "null"} in number["anyOf"]
    assert "withheld" in number["description"]
