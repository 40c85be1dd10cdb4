"""A hotline's fallback number through the API: only admins and the hotline's managers get it."""

from __future__ import annotations

import pytest


@pytest.fixture
def rescue(make_hotline):
    return make_hotline("+33184880007", name="Secours", fallback_number="+33612345699")


@pytest.mark.parametrize(
    ("role", "shown"),
    [("admin", True), ("manager", True), ("supervisor", False), ("agent", False)],
)
def test_the_fallback_number_goes_to_admins_and_the_hotlines_managers(api_as, rescue, role, shown):
    api = api_as(role, hotlines=(rescue,) if role in ("manager", "supervisor") else ())

    listed = api.get("/api/v1/hotlines").json["items"]
    one = api.get(f"/api/v1/hotlines/{rescue.id}").json

    assert [h["id"] for h in listed] == [rescue.id]
    for document in (listed[0], one):
        assert document["fallback_number"] == ("+33612345699" if shown else None)
        assert document["has_fallback_number"] is True  # a number, not voicemail, answers


def test_a_manager_of_another_hotline_gets_no_fallback_number(api_as, make_hotline, rescue):
    own = make_hotline("+33184880008", name="Nord", fallback_number="+33612345698")
    api = api_as("manager", hotlines=(own,))

    assert api.get(f"/api/v1/hotlines/{rescue.id}").status_code == 403
    assert [h["fallback_number"] for h in api.get("/api/v1/hotlines").json["items"]] == [
        "+33612345698"
    ]


def test_an_agent_of_another_team_reads_every_hotline_without_its_fallback_number(
    api_as, make_hotline, make_person, set_default_chain, rescue
):
    make_hotline("+33184880008", name="Nue")
    alice = make_person("Alice")
    set_default_chain(rescue, [alice])
    api = api_as("agent", person=alice)  # on call for this very hotline: still no number

    listed = {h["name"]: h for h in api.get("/api/v1/hotlines").json["items"]}

    assert listed["Secours"]["fallback_number"] is None
    assert listed["Secours"]["has_fallback_number"] is True
    assert (listed["Nue"]["fallback_number"], listed["Nue"]["has_fallback_number"]) == (
        None,
        False,
    )


def test_the_description_says_who_gets_the_fallback_number(admin_api):
    spec = admin_api.get("/api/v1/openapi.json").json
    field = spec["components"]["schemas"]["HotlineOut"]["properties"]["fallback_number"]

    assert "only admins and the hotline's managers get it" in field["description"]
    listing = spec["paths"]["/api/v1/hotlines"]["get"]
    assert "fallback_number is null unless" in listing["description"]
