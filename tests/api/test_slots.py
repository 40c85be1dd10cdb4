"""Slots through the API: ranges in local time, field errors, nothing saved, optimistic lock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from hotline.planning.models import AuditLog, Slot
from hotline.planning.unavailability import add_unavailability
from tests.planning.builders import paris


@pytest.fixture
def people(make_person):
    return make_person("Alice"), make_person("Bob"), make_person("Carol")


def slot_count(db_session):
    return db_session.scalar(select(func.count()).select_from(Slot))


def test_manager_adds_a_slot_in_local_time(manager, hotline, people, db_session):
    alice, bob, _carol = people

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/slots",
        json={"starts_at": "2026-03-28T20:00", "ends_at": "2026-03-29T08:00",
              "chain": [alice.id, bob.id], "note": "week-end"},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    document = response.json
    assert document["starts_at"] == "2026-03-28T20:00:00+01:00"
    assert document["ends_at"] == "2026-03-29T08:00:00+02:00"
    assert [(m["position"], m["name"]) for m in document["chain"]] == [(0, "Alice"), (1, "Bob")]
    assert (document["kind"], document["version"], document["warnings"]) == ("regular", 1, [])
    stored = db_session.get(Slot, document["id"])
    assert (stored.starts_at, stored.ends_at) == (paris(2026, 3, 28, 20), paris(2026, 3, 29, 8))
    audit = db_session.scalars(select(AuditLog).where(AuditLog.entity_id == stored.id)).all()
    assert [(a.action, a.user_id) for a in audit] == [("create", manager.user.id)]


@pytest.mark.parametrize(
    ("fields", "status", "field", "words"),
    [
        ({"ends_at": "2026-04-01T07:00"}, 422, "ends_at", "end is before start"),
        ({"ends_at": "2026-04-01T08:00"}, 422, "ends_at", "must last"),
        ({"ends_at": "2027-04-01T08:00"}, 422, "ends_at", "longer than 31 days"),
        ({"chain": [999_999]}, 422, "chain", "unknown person"),
        ({"chain": []}, 422, "chain", "at least one person"),
        ({"chain": "alice"}, 400, "chain", "valid array"),
        ({"chain": list(range(1, 30))}, 400, "chain", "at most 20 items"),
        ({"starts_at": "next monday"}, 400, "starts_at", "is not a date and time"),
        ({"starts_at": "2026-03-29T02:30"}, 400, "starts_at", "does not exist"),
        ({"note": "n" * 201}, 400, "note", "at most 200 characters"),
        ({"colour": "red"}, 400, "colour", "Extra inputs"),
    ],
)
def test_bad_slot_fields_are_refused_and_nothing_is_saved(
    manager, hotline, people, db_session, fields, status, field, words
):
    alice, _bob, _carol = people
    before = slot_count(db_session)
    sent = {"starts_at": "2026-04-01T08:00", "ends_at": "2026-04-02T08:00", "chain": [alice.id]}

    response = manager.post(f"/api/v1/hotlines/{hotline.id}/slots", json={**sent, **fields})

    assert response.status_code == status, response.json
    assert response.json["field"] == field
    assert words in response.json["message"]
    assert slot_count(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(AuditLog)) == 0


def test_overlapping_regular_slots_are_refused(manager, hotline, people, make_slot, db_session):
    alice, bob, _carol = people
    make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 2, 8), [alice])

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/slots",
        json={"starts_at": "2026-04-02T07:00", "ends_at": "2026-04-02T20:00", "chain": [bob.id]},
    )

    assert response.status_code == 422
    assert response.json["field"] == "starts_at"
    assert (
        "overlaps the regular slot 2026-04-01 08:00 - 2026-04-02 08:00" in response.json["message"]
    )
    # Another refusal than an absence keeps the plain problem: no absent_places.
    assert set(response.json) == {"error", "message", "field"}
    assert slot_count(db_session) == 1


def test_the_second_of_two_editors_gets_409_and_changes_nothing(
    manager, api_as, hotline, people, make_slot, db_session
):
    alice, bob, carol = people
    slot = make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 2, 8), [alice])
    other = api_as("admin")
    read = manager.get(f"/api/v1/slots/{slot.id}").json["version"]

    first = other.patch(f"/api/v1/slots/{slot.id}", json={"version": read, "chain": [bob.id]})
    second = manager.patch(f"/api/v1/slots/{slot.id}", json={"version": read, "chain": [carol.id]})

    assert first.status_code == 200
    assert first.json["version"] == read + 1
    assert second.status_code == 409
    assert second.json["error"] == "conflict"
    assert "reload" in second.json["message"]
    db_session.expire_all()
    assert [r.person_id for r in db_session.get(Slot, slot.id).responders] == [bob.id]
    stale_delete = manager.delete(f"/api/v1/slots/{slot.id}?version={read}")
    assert stale_delete.status_code == 409
    assert db_session.get(Slot, slot.id) is not None


def test_patch_changes_only_what_is_sent(manager, hotline, people, make_slot, db_session):
    alice, bob, _carol = people
    slot = make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 2, 8), [alice, bob])

    response = manager.patch(
        f"/api/v1/slots/{slot.id}", json={"version": 1, "ends_at": "2026-04-02T12:00"}
    )

    assert response.status_code == 200, response.json
    assert response.json["starts_at"] == "2026-04-01T08:00:00+02:00"
    assert response.json["ends_at"] == "2026-04-02T12:00:00+02:00"
    assert [m["person_id"] for m in response.json["chain"]] == [alice.id, bob.id]


def test_a_refused_patch_changes_nothing(manager, hotline, people, make_slot, db_session):
    alice, _bob, _carol = people
    slot = make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 2, 8), [alice])

    response = manager.patch(
        f"/api/v1/slots/{slot.id}", json={"version": 1, "ends_at": "2026-03-31T08:00"}
    )

    assert (response.status_code, response.json["field"]) == (422, "ends_at")
    db_session.expire_all()
    stored = db_session.get(Slot, slot.id)
    assert (stored.ends_at, stored.version) == (paris(2026, 4, 2, 8), 1)


def test_delete_needs_the_current_version(manager, hotline, people, make_slot, db_session):
    alice, _bob, _carol = people
    slot = make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 2, 8), [alice])

    missing = manager.delete(f"/api/v1/slots/{slot.id}")
    done = manager.delete(f"/api/v1/slots/{slot.id}?version=1")

    assert (missing.status_code, missing.json["field"]) == (400, "version")
    assert done.status_code == 204
    db_session.expunge_all()
    assert db_session.get(Slot, slot.id) is None
    assert manager.get(f"/api/v1/slots/{slot.id}").status_code == 404


def test_slots_are_listed_by_local_range_and_paged(admin_api, hotline, people, make_slot):
    alice, bob, _carol = people
    for day in range(27, 31):  # daily 08:00 handoffs across the spring change
        make_slot(hotline, paris(2026, 3, day, 8), paris(2026, 3, day + 1, 8), [alice, bob])

    url = f"/api/v1/hotlines/{hotline.id}/slots"
    listed = admin_api.get(url, query_string={"from": "2026-03-28T09:00", "to": "2026-03-30T08:00"})
    paged = admin_api.get(
        url, query_string={"from": "2026-03-27", "to": "2026-04-01", "limit": 3}
    ).json

    assert [s["starts_at"] for s in listed.json["items"]] == [
        "2026-03-28T08:00:00+01:00",
        "2026-03-29T08:00:00+02:00",
    ]
    assert len(paged["items"]) == 3
    assert paged["next_offset"] == 3
    rest = admin_api.get(
        url, query_string={"from": "2026-03-27", "to": "2026-04-01", "limit": 3, "offset": 3}
    ).json
    assert [s["starts_at"] for s in rest["items"]] == ["2026-03-30T08:00:00+02:00"]
    assert rest["next_offset"] is None


def test_a_range_that_ends_before_it_starts_is_a_400(admin_api, hotline):
    response = admin_api.get(
        f"/api/v1/hotlines/{hotline.id}/slots?from=2026-04-02T00:00&to=2026-04-01T00:00"
    )

    assert (response.status_code, response.json["field"]) == (400, "to")


def test_labour_rule_breaches_come_back_as_warnings(manager, hotline, people, db_session):
    from hotline.planning.rules import set_labour_rules

    alice, _bob, _carol = people
    set_labour_rules(db_session, hotline.id, max_consecutive_days=None, min_rest_hours=12,
                     user_id=None)  # fmt: skip
    url = f"/api/v1/hotlines/{hotline.id}/slots"
    manager.post(url, json={"starts_at": "2026-04-01T08:00", "ends_at": "2026-04-01T20:00",
                            "chain": [alice.id]})  # fmt: skip

    night = {"starts_at": "2026-04-02T00:00", "ends_at": "2026-04-02T08:00", "chain": [alice.id]}
    response = manager.post(url, json=night)

    assert response.status_code == 201
    (warning,) = response.json["warnings"]
    assert warning["rule"] == "min_rest_hours"
    assert warning["person_id"] == alice.id
    assert slot_count(db_session) == 2


def test_the_repeated_autumn_hour_is_written_with_its_offsets(admin_api, hotline, people):
    alice, _bob, _carol = people
    response = admin_api.post(
        f"/api/v1/hotlines/{hotline.id}/slots",
        json={"starts_at": "2026-10-25T02:30+02:00", "ends_at": "2026-10-25T02:30+01:00",
              "chain": [alice.id]},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    start = datetime.fromisoformat(response.json["starts_at"])
    end = datetime.fromisoformat(response.json["ends_at"])
    assert end - start == timedelta(hours=1)


def audit_count(db_session):
    return db_session.scalar(select(func.count()).select_from(AuditLog))


@pytest.fixture
def carol_away(people, db_session):
    """Carol is on leave on 1 April from 12:00 to 18:00 (Paris)."""
    return add_unavailability(db_session, people[2].id, starts_at=paris(2026, 4, 1, 12),
                              ends_at=paris(2026, 4, 1, 18), kind="leave",
                              user_id=None)  # fmt: skip


def carols_leave_as_backup(carol, carol_away) -> dict:
    """The piece of a slot from 08:00 on 1 April that rings Carol, backup 1, on leave."""
    return {
        "starts_at": "2026-04-01T12:00:00+02:00",
        "ends_at": "2026-04-01T18:00:00+02:00",
        "position": 1,
        "person_id": carol.id,
        "person_name": "Carol",
        "unavailability_id": carol_away.id,
        "message": "from 2026-04-01 12:00 to 2026-04-01 18:00 as backup 1",
    }


def test_a_slot_ringing_somebody_away_is_refused_naming_who_and_when(
    manager, hotline, people, carol_away, db_session
):
    alice, _bob, carol = people
    logged = audit_count(db_session)

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/slots",
        json={"starts_at": "2026-04-01T08:00", "ends_at": "2026-04-02T08:00",
              "chain": [alice.id, carol.id]},
    )  # fmt: skip

    assert (response.status_code, response.json["field"]) == (422, "chain")
    assert response.json["message"] == (
        "Carol is recorded as unavailable then and would be on call from 2026-04-01 12:00 to "
        "2026-04-01 18:00 as backup 1: choose somebody else, or confirm to put them on call anyway"
    )
    assert response.json["absent_places"] == [carols_leave_as_backup(carol, carol_away)]
    assert (slot_count(db_session), audit_count(db_session)) == (0, logged)


def test_a_slot_confirmed_despite_an_absence_lists_the_pieces(
    manager, hotline, people, carol_away, db_session
):
    alice, _bob, carol = people

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/slots",
        json={"starts_at": "2026-04-01T08:00", "ends_at": "2026-04-02T08:00",
              "chain": [alice.id, carol.id], "despite_absence": True},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert slot_count(db_session) == 1
    assert response.json["absent_places"] == [carols_leave_as_backup(carol, carol_away)]


def test_a_slot_is_not_refused_for_an_absence_outside_it(manager, hotline, people, carol_away):
    alice, _bob, carol = people

    response = manager.post(
        f"/api/v1/hotlines/{hotline.id}/slots",
        json={"starts_at": "2026-04-01T18:00", "ends_at": "2026-04-02T08:00",
              "chain": [alice.id, carol.id]},
    )  # fmt: skip

    assert response.status_code == 201, response.json
    assert response.json["absent_places"] == []


def test_a_patch_putting_somebody_away_on_call_is_refused_unless_confirmed(
    manager, hotline, people, make_slot, carol_away, db_session
):
    alice, _bob, carol = people
    slot = make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 2, 8), [alice])
    logged = audit_count(db_session)

    refused = manager.patch(f"/api/v1/slots/{slot.id}",
                            json={"version": 1, "chain": [carol.id, alice.id]})  # fmt: skip

    assert (refused.status_code, refused.json["field"]) == (422, "chain")
    assert "Carol is recorded as unavailable" in refused.json["message"]
    assert "from 2026-04-01 12:00 to 2026-04-01 18:00 as primary" in refused.json["message"]
    db_session.expire_all()
    assert db_session.get(Slot, slot.id).version == 1
    assert audit_count(db_session) == logged

    confirmed = manager.patch(
        f"/api/v1/slots/{slot.id}",
        json={"version": 1, "chain": [carol.id, alice.id], "despite_absence": True},
    )

    assert confirmed.status_code == 200, confirmed.json
    assert [m["name"] for m in confirmed.json["chain"]] == ["Carol", "Alice"]
    assert [(p["person_name"], p["position"]) for p in confirmed.json["absent_places"]] == [
        ("Carol", 0)
    ]
    # The refusal listed the same pieces, in the same shape.
    assert refused.json["absent_places"] == confirmed.json["absent_places"]


def test_a_patch_lengthening_a_shift_is_checked_only_over_the_hours_added(
    manager, hotline, people, make_slot, carol_away
):
    alice, _bob, carol = people
    # Carol already holds the slot through her leave; the patch only adds the evening.
    slot = make_slot(hotline, paris(2026, 4, 1, 8), paris(2026, 4, 1, 20), [carol, alice])

    response = manager.patch(
        f"/api/v1/slots/{slot.id}", json={"version": 1, "ends_at": "2026-04-01T23:00"}
    )

    assert response.status_code == 200, response.json
    assert response.json["absent_places"] == []
