"""Rotations through the API: create, change with a version, generate (DST, leave, overrides)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.planning.models import OVERRIDE, Rotation, Slot, Unavailability
from tests.planning.builders import paris


def daily(team, **fields):
    return {
        "name": "Daily",
        "members": [p.id for p in team],
        "shift_hours": 24,
        "handoff": "08:00",
        "start_date": "2026-03-27",
        "backup_count": 1,
        **fields,
    }


def create(manager, hotline, **fields):
    response = manager.post(f"/api/v1/hotlines/{hotline.id}/rotations", json=fields)
    assert response.status_code == 201, response.json
    return response.json


def generate(manager, rotation, **fields):
    return manager.post(f"/api/v1/rotations/{rotation['id']}/generate", json=fields)


def test_a_daily_rotation_generates_08_00_handoffs_across_spring_forward(
    manager, hotline, team, db_session
):
    alice, bob, carol = team
    rotation = create(manager, hotline, **daily(team))

    response = generate(manager, rotation, start="2026-03-27T08:00", weeks=1)

    assert response.status_code == 200, response.json
    result = response.json
    assert (result["created"], result["written"]) == (7, True)
    firsts = result["slots"][:3]
    assert [s["starts_at"] for s in firsts] == [
        "2026-03-27T08:00:00+01:00",
        "2026-03-28T08:00:00+01:00",
        "2026-03-29T08:00:00+02:00",
    ]
    assert [s["chain"] for s in firsts] == [[alice.id, bob.id], [bob.id, carol.id],
                                            [carol.id, alice.id]]  # fmt: skip
    stored = db_session.scalars(select(Slot).order_by(Slot.starts_at)).all()
    assert len(stored) == 7
    assert stored[1].ends_at - stored[1].starts_at == paris(2026, 3, 29, 8) - paris(2026, 3, 28, 8)
    assert {s.rotation_id for s in stored} == {rotation["id"]}


def test_generating_twice_changes_nothing_and_overrides_survive(
    manager, hotline, team, make_slot, db_session
):
    alice, bob, carol = team
    rotation = create(manager, hotline, **daily(team))
    generate(manager, rotation, start="2026-03-27T08:00", weeks=1)
    override = make_slot(hotline, paris(2026, 3, 28, 12), paris(2026, 3, 28, 14), [carol],
                         override=True)  # fmt: skip

    again = generate(manager, rotation, start="2026-03-27T08:00", weeks=1).json

    assert (again["created"], again["updated"], again["deleted"], again["kept"]) == (0, 0, 0, 7)
    db_session.expire_all()
    assert db_session.get(Slot, override.id).kind == OVERRIDE


def test_a_member_on_leave_is_skipped_and_the_skip_reported(manager, hotline, team, db_session):
    alice, bob, carol = team
    db_session.add(Unavailability(person_id=bob.id, starts_at=paris(2026, 3, 28),
                                  ends_at=paris(2026, 3, 29), kind="sickness"))  # fmt: skip
    db_session.flush()
    rotation = create(manager, hotline, **daily(team))

    result = generate(manager, rotation, start="2026-03-27T08:00", weeks=1).json

    saturday = result["slots"][1]
    assert saturday["chain"][0] != bob.id
    assert bob.id not in saturday["chain"]
    # Friday's shift overlaps the sick day too: Bob loses his backup place there.
    assert [(s["starts_at"], s["position"], s["person_id"], s["reason"])
            for s in result["skips"]] == [
        ("2026-03-27T08:00:00+01:00", 1, bob.id, "sickness"),
        ("2026-03-28T08:00:00+01:00", 0, bob.id, "sickness"),
    ]  # fmt: skip


def test_a_preview_writes_nothing(manager, hotline, team, db_session):
    rotation = create(manager, hotline, **daily(team))

    result = generate(manager, rotation, start="2026-03-27T08:00", weeks=2, preview=True).json

    assert (result["written"], result["created"]) == (False, 14)
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"members": [999_999]}, 422, "members"),
        ({"members": []}, 422, "members"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"backup_count": 3}, 422, "backup_count"),
        ({"window_start": "08:00"}, 422, "window_end"),
        ({"start_date": "1900-01-01"}, 422, "start_date"),
        ({"shift_hours": 0}, 400, "shift_hours"),
        ({"shift_hours": 10_000}, 400, "shift_hours"),
        ({"handoff": "25:00"}, 400, "handoff"),
        ({"weekdays": [0]}, 400, "weekdays.0"),
        ({"start_date": "2026-02-30"}, 400, "start_date"),
        ({"name": ""}, 400, "name"),
    ],
)
def test_bad_rotation_fields_are_refused_and_nothing_is_saved(
    manager, hotline, team, db_session, fields, status, field
):
    response = manager.post(f"/api/v1/hotlines/{hotline.id}/rotations", json=daily(team, **fields))

    assert (response.status_code, response.json["field"]) == (status, field), response.json
    assert db_session.scalar(select(func.count()).select_from(Rotation)) == 0


def test_a_bad_generation_request_is_refused(manager, hotline, team, db_session):
    rotation = create(manager, hotline, **daily(team))

    too_long = generate(manager, rotation, weeks=500)
    bad_start = generate(manager, rotation, weeks=1, start="2026-03-29T02:30")

    assert (too_long.status_code, too_long.json["field"]) == (400, "weeks")
    assert (bad_start.status_code, bad_start.json["field"]) == (400, "start")
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0


def test_a_rotation_change_needs_the_version_read(manager, api_as, hotline, team, db_session):
    rotation = create(manager, hotline, **daily(team))
    other = api_as("admin")

    first = other.patch(f"/api/v1/rotations/{rotation['id']}",
                        json={"version": rotation["version"], "shift_hours": 168})  # fmt: skip
    second = manager.patch(f"/api/v1/rotations/{rotation['id']}",
                           json={"version": rotation["version"], "name": "Renamed"})  # fmt: skip

    assert first.status_code == 200, first.json
    assert (first.json["shift_hours"], first.json["name"]) == (168, "Daily")
    assert first.json["version"] == rotation["version"] + 1
    assert second.status_code == 409
    db_session.expire_all()
    stored = db_session.get(Rotation, rotation["id"])
    assert (stored.name, stored.shift_hours) == ("Daily", 168)


def test_rotations_are_listed_and_deleted_with_their_future_slots(manager, hotline, team,
                                                                  db_session):  # fmt: skip
    rotation = create(manager, hotline, **daily(team, start_date="2030-01-01"))
    generate(manager, rotation, start="2030-01-01T08:00", weeks=1)

    listed = manager.get(f"/api/v1/hotlines/{hotline.id}/rotations").json
    stale = manager.delete(f"/api/v1/rotations/{rotation['id']}?version=99")
    deleted = manager.delete(f"/api/v1/rotations/{rotation['id']}?version={rotation['version']}")

    assert [r["name"] for r in listed["items"]] == ["Daily"]
    assert listed["items"][0]["members"][0]["name"] == "Alice"
    assert stale.status_code == 409
    assert deleted.status_code == 204
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0
