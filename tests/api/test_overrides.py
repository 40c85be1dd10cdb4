"""Overrides through the API: replace a sick person for a span, swap, delete; live at once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.planning.models import OVERRIDE, AuditLog, Slot
from hotline.planning.rules import set_labour_rules
from hotline.planning.unavailability import add_unavailability
from tests.planning.builders import paris


@pytest.fixture
def week(hotline, team, make_slot):
    """Alice (Bob backing up) on call 6-8 April, Bob (Carol backing up) 8-10 April."""
    alice, bob, carol = team
    return (
        make_slot(hotline, paris(2026, 4, 6, 8), paris(2026, 4, 8, 8), [alice, bob]),
        make_slot(hotline, paris(2026, 4, 8, 8), paris(2026, 4, 10, 8), [bob, carol]),
    )


def overrides(db_session):
    return db_session.scalar(select(func.count()).select_from(Slot).where(Slot.kind == OVERRIDE))


def oncall(api, hotline, at):
    chain = api.get(f"/api/v1/hotlines/{hotline.id}/oncall", query_string={"at": at}).json
    return [r["name"] for r in chain["responders"]]


def test_a_replacement_leaving_one_responder_is_reported_in_the_answer(
    manager, hotline, team, week
):
    alice, bob, _carol = team

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/replace",
        json={"person_id": alice.id, "replacement_id": bob.id,
              "starts_at": "2026-04-06T12:00", "ends_at": "2026-04-07T12:00"},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert oncall(manager, hotline, "2026-04-06T13:00") == ["Bob"]
    [short] = response.json["short_chains"]
    assert short["starts_at"].startswith("2026-04-06T12:00")
    assert short["ends_at"].startswith("2026-04-07T12:00")
    assert (short["responders_before"], short["responders"]) == (2, ["Bob"])
    # ISO-style times for machine readers, whatever the web pages write.
    assert short["message"] == (
        "from 2026-04-06 12:00 to 2026-04-07 12:00 this shift now has only 1 responder (Bob): "
        "nobody else of the rotation or the default chain can take the freed place"
    )


def test_a_sick_person_is_replaced_for_exactly_the_span(manager, hotline, team, week):
    alice, _bob, carol = team

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/replace",
        json={"person_id": alice.id, "replacement_id": carol.id,
              "starts_at": "2026-04-06T12:00", "ends_at": "2026-04-07T12:00", "note": "sick"},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    (slot,) = response.json["slots"]
    assert (slot["kind"], slot["starts_at"], slot["ends_at"]) == (
        "override", "2026-04-06T12:00:00+02:00", "2026-04-07T12:00:00+02:00",
    )  # fmt: skip
    assert [m["name"] for m in slot["chain"]] == ["Carol", "Bob"]
    assert oncall(manager, hotline, "2026-04-06T11:59") == ["Alice", "Bob"]
    assert oncall(manager, hotline, "2026-04-06T12:00") == ["Carol", "Bob"]
    assert oncall(manager, hotline, "2026-04-07T12:00") == ["Alice", "Bob"]


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"replacement_id": 999_999}, 404, "replacement_id"),
        ({"person_id": 999_999}, 404, "person_id"),
        ({"replacement_id": "alice"}, 400, "replacement_id"),
        ({"ends_at": "2026-04-06T11:00"}, 422, "ends_at"),
        ({"starts_at": "2026-05-01T08:00", "ends_at": "2026-05-02T08:00"}, 422, "person_id"),
    ],
)
def test_bad_replacements_are_refused_and_nothing_is_saved(
    manager, hotline, team, week, db_session, fields, status, field
):
    alice, _bob, carol = team
    sent = {"person_id": alice.id, "replacement_id": carol.id,
            "starts_at": "2026-04-06T12:00", "ends_at": "2026-04-07T12:00", **fields}  # fmt: skip

    response = manager.post(f"/api/v1/hotlines/{hotline.id}/overrides/replace", json=sent)

    assert (response.status_code, response.json["field"]) == (status, field), response.json
    assert overrides(db_session) == 0


def test_two_shifts_are_swapped_and_an_override_can_be_deleted(manager, hotline, week,
                                                                db_session):  # fmt: skip
    first, second = week

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/swap",
        json={"first_slot_id": first.id, "second_slot_id": second.id,
              "first_version": 1, "second_version": 1},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert oncall(manager, hotline, "2026-04-07T08:00")[0] == "Bob"
    assert oncall(manager, hotline, "2026-04-09T08:00")[0] == "Alice"
    swap = response.json["slots"][0]
    deleted = manager.delete(f"/api/v1/overrides/{swap['id']}?version={swap['version']}")
    assert deleted.status_code == 204
    assert oncall(manager, hotline, "2026-04-07T08:00")[0] == "Alice"


def test_a_swap_with_a_stale_version_is_a_409(manager, hotline, week, db_session):
    first, second = week

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/swap",
        json={"first_slot_id": first.id, "second_slot_id": second.id, "first_version": 7},
    )

    assert response.status_code == 409
    assert overrides(db_session) == 0


def test_a_swap_of_another_hotlines_slot_is_refused(manager, hotline, week, make_hotline,
                                                    make_slot, team, db_session):  # fmt: skip
    first, _second = week
    elsewhere = make_hotline(number="+33184880099")
    foreign = make_slot(elsewhere, paris(2026, 4, 12, 8), paris(2026, 4, 13, 8), [team[2]])

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/swap",
        json={"first_slot_id": first.id, "second_slot_id": foreign.id},
    )

    assert (response.status_code, response.json["field"]) == (422, "second_slot_id")
    assert overrides(db_session) == 0


def test_an_explicit_override_chain_and_overlapping_overrides(manager, hotline, team, week,
                                                              db_session):  # fmt: skip
    alice, bob, carol = team
    url = f"/api/v1/hotlines/{hotline.id}/overrides"
    span = {"starts_at": "2026-04-06T20:00", "ends_at": "2026-04-06T22:00"}

    created = manager.post(url, json={**span, "chain": [carol.id, alice.id]})
    overlapping = manager.post(url, json={**span, "chain": [bob.id]})

    assert created.status_code == 201
    assert created.json["kind"] == "override"
    assert oncall(manager, hotline, "2026-04-06T21:00") == ["Carol", "Alice"]
    assert (overlapping.status_code, overlapping.json["field"]) == (422, "starts_at")
    assert overrides(db_session) == 1


def test_deleting_a_regular_slot_as_an_override_is_refused(manager, week, db_session):
    first, _second = week

    response = manager.delete(f"/api/v1/overrides/{first.id}?version=1")

    assert (response.status_code, response.json["field"]) == (422, "slot_id")
    db_session.expire_all()
    assert db_session.get(Slot, first.id) is not None


@pytest.fixture
def carol_sick(db_session, team):
    """Carol is off sick on 6 April, while Alice is on call with Bob backing her up."""
    return add_unavailability(
        db_session,
        team[2].id,
        starts_at=paris(2026, 4, 6, 0),
        ends_at=paris(2026, 4, 7, 0),
        kind="sickness",
        user_id=None,
    )


def test_a_replacement_off_sick_is_refused_naming_the_slots(
    manager, hotline, team, week, carol_sick, db_session
):
    alice, _bob, carol = team

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/replace",
        json={"person_id": alice.id, "replacement_id": carol.id,
              "starts_at": "2026-04-06T12:00", "ends_at": "2026-04-07T12:00"},
    )  # fmt: skip

    assert (response.status_code, response.json["field"]) == (422, "replacement_id")
    assert "Carol is recorded as unavailable" in response.json["message"]
    assert "from 2026-04-06 12:00 to 2026-04-07 00:00 as primary" in response.json["message"]
    # The pieces, for a client, as the confirmed answer lists them.
    assert response.json["absent_places"] == [
        {
            "starts_at": "2026-04-06T12:00:00+02:00",
            "ends_at": "2026-04-07T00:00:00+02:00",
            "position": 0,
            "person_id": carol.id,
            "person_name": "Carol",
            "unavailability_id": carol_sick.id,
            "message": "from 2026-04-06 12:00 to 2026-04-07 00:00 as primary",
        }
    ]
    assert overrides(db_session) == 0
    assert oncall(manager, hotline, "2026-04-06T13:00") == ["Alice", "Bob"]


def test_a_replacement_off_sick_goes_on_call_when_forced_and_the_answer_says_where(
    manager, hotline, team, week, carol_sick
):
    alice, _bob, carol = team

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/replace",
        json={"person_id": alice.id, "replacement_id": carol.id, "despite_absence": True,
              "starts_at": "2026-04-06T12:00", "ends_at": "2026-04-07T12:00"},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert oncall(manager, hotline, "2026-04-06T13:00") == ["Carol", "Bob"]
    [place] = response.json["absent_places"]
    assert (place["starts_at"], place["ends_at"], place["position"]) == (
        "2026-04-06T12:00:00+02:00", "2026-04-07T00:00:00+02:00", 0,
    )  # fmt: skip
    assert place["unavailability_id"] == carol_sick.id
    assert place["message"] == "from 2026-04-06 12:00 to 2026-04-07 00:00 as primary"


def test_labour_warnings_cover_whoever_takes_the_freed_place(
    manager, hotline, team, week, set_default_chain, db_session
):
    alice, bob, carol = team
    # Bob, on call 8-10 April, replaces Carol who backs him up: the primary place he
    # leaves goes to Alice (default chain), on call 6-8 April already: four days running.
    set_default_chain(hotline, [alice])
    set_labour_rules(db_session, hotline.id, max_consecutive_days=2, min_rest_hours=None,
                     user_id=None)  # fmt: skip

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/replace",
        json={"person_id": carol.id, "replacement_id": bob.id,
              "starts_at": "2026-04-08T08:00", "ends_at": "2026-04-10T08:00"},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert oncall(manager, hotline, "2026-04-09T08:00") == ["Alice", "Bob"]
    warned = [(w["person_name"], w["rule"]) for w in response.json["warnings"]]
    assert warned == [("Alice", "max_consecutive_days")]
    assert response.json["warnings"][0]["message"] == (
        "max 2 consecutive on-call days: Alice would be on call 4 days in a row from 2026-04-06"
    )


def test_replacing_somebody_not_on_call_says_the_span_in_iso_style(
    manager, hotline, team, week, db_session
):
    alice, _bob, carol = team

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/replace",
        json={"person_id": carol.id, "replacement_id": alice.id,
              "starts_at": "2026-04-06T10:00", "ends_at": "2026-04-06T12:00"},
    )  # fmt: skip

    assert response.status_code == 422
    assert response.json == {
        "error": "invalid",
        "message": "Carol is not on call between 2026-04-06 10:00 and 2026-04-06 12:00",
        "field": "person_id",
    }
    assert overrides(db_session) == 0


def audit_count(db_session):
    return db_session.scalar(select(func.count()).select_from(AuditLog))


@pytest.fixture
def alice_away_on_bobs_shift(db_session, team):
    """Alice is on leave on 9 April 10:00-12:00, while Bob is on call."""
    return add_unavailability(
        db_session,
        team[0].id,
        starts_at=paris(2026, 4, 9, 10),
        ends_at=paris(2026, 4, 9, 12),
        kind="leave",
        user_id=None,
    )


def test_a_swap_giving_a_shift_to_somebody_away_is_refused_naming_who_and_when(
    manager, hotline, team, week, alice_away_on_bobs_shift, db_session
):
    first, second = week
    logged = audit_count(db_session)

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/swap",
        json={"first_slot_id": first.id, "second_slot_id": second.id},
    )

    assert (response.status_code, response.json["field"]) == (422, "second_slot_id")
    assert response.json["message"].startswith("Alice is recorded as unavailable")
    assert "from 2026-04-09 10:00 to 2026-04-09 12:00 as primary" in response.json["message"]
    assert response.json["absent_places"] == [
        {
            "starts_at": "2026-04-09T10:00:00+02:00",
            "ends_at": "2026-04-09T12:00:00+02:00",
            "position": 0,
            "person_id": team[0].id,
            "person_name": "Alice",
            "unavailability_id": alice_away_on_bobs_shift.id,
            "message": "from 2026-04-09 10:00 to 2026-04-09 12:00 as primary",
        }
    ]
    assert (overrides(db_session), audit_count(db_session)) == (0, logged)
    assert oncall(manager, hotline, "2026-04-09T11:00") == ["Bob", "Carol"]


def test_a_swap_confirmed_despite_an_absence_lists_the_pieces(
    manager, hotline, team, week, alice_away_on_bobs_shift
):
    first, second = week

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/swap",
        json={"first_slot_id": first.id, "second_slot_id": second.id, "despite_absence": True},
    )

    assert response.status_code == 201, response.json
    assert oncall(manager, hotline, "2026-04-09T11:00") == ["Alice", "Carol"]
    [place] = response.json["absent_places"]
    assert (place["person_id"], place["person_name"], place["position"]) == (
        team[0].id, "Alice", 0,
    )  # fmt: skip
    assert (place["starts_at"], place["ends_at"]) == (
        "2026-04-09T10:00:00+02:00", "2026-04-09T12:00:00+02:00",
    )  # fmt: skip
    assert place["unavailability_id"] == alice_away_on_bobs_shift.id
    assert place["message"] == "from 2026-04-09 10:00 to 2026-04-09 12:00 as primary"


def test_a_swap_is_not_refused_for_an_absence_outside_the_shift_taken(
    manager, hotline, team, week, db_session
):
    first, second = week
    add_unavailability(db_session, team[0].id, starts_at=paris(2026, 4, 11, 10),
                       ends_at=paris(2026, 4, 11, 12), kind="leave", user_id=None)  # fmt: skip

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides/swap",
        json={"first_slot_id": first.id, "second_slot_id": second.id},
    )

    assert response.status_code == 201, response.json
    assert response.json["absent_places"] == []


def test_an_override_ringing_somebody_away_is_refused_naming_who_and_when(
    manager, hotline, team, week, carol_sick, db_session
):
    logged = audit_count(db_session)

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides",
        json={"starts_at": "2026-04-06T10:00", "ends_at": "2026-04-06T14:00",
              "chain": [team[1].id, team[2].id]},
    )  # fmt: skip

    assert (response.status_code, response.json["field"]) == (422, "chain")
    assert response.json["message"] == (
        "Carol is recorded as unavailable then and would be on call from 2026-04-06 10:00 to "
        "2026-04-06 14:00 as backup 1: choose somebody else, or confirm to put them on call anyway"
    )
    assert response.json["absent_places"] == [
        {
            "starts_at": "2026-04-06T10:00:00+02:00",
            "ends_at": "2026-04-06T14:00:00+02:00",
            "position": 1,
            "person_id": team[2].id,
            "person_name": "Carol",
            "unavailability_id": carol_sick.id,
            "message": "from 2026-04-06 10:00 to 2026-04-06 14:00 as backup 1",
        }
    ]
    assert (overrides(db_session), audit_count(db_session)) == (0, logged)


def test_an_override_confirmed_despite_an_absence_lists_the_pieces(
    manager, hotline, team, week, carol_sick
):
    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides",
        json={"starts_at": "2026-04-06T22:00", "ends_at": "2026-04-07T02:00",
              "chain": [team[2].id], "despite_absence": True},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert oncall(manager, hotline, "2026-04-06T23:00") == ["Carol"]
    assert [
        (p["person_name"], p["starts_at"], p["ends_at"], p["position"])
        for p in response.json["absent_places"]
    ] == [("Carol", "2026-04-06T22:00:00+02:00", "2026-04-07T00:00:00+02:00", 0)]


def test_an_override_is_not_refused_for_an_absence_outside_it(
    manager, hotline, team, week, carol_sick
):
    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/overrides",
        json={"starts_at": "2026-04-07T10:00", "ends_at": "2026-04-07T14:00",
              "chain": [team[2].id]},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert response.json["absent_places"] == []
