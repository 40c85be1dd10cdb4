"""PATCH /api/v1/people/<id> {"active": ...}: audited, and GET .../oncall?at= of a past
moment answers with the people active then."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from hotline.planning.models import AuditLog

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
YESTERDAY = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


@pytest.fixture
def last_week(hotline, team, make_slot, set_default_chain):
    """Alice then Bob on call last Wednesday 08:00-20:00 in Paris; Carol the default chain."""
    alice, bob, carol = team
    make_slot(
        hotline,
        datetime(2026, 3, 4, 7, tzinfo=UTC),
        datetime(2026, 3, 4, 19, tzinfo=UTC),
        [alice, bob],
    )
    set_default_chain(hotline, [carol])


def names_at(api, hotline, local: str) -> tuple[str, list[str]]:
    found = api.get(f"/api/v1/hotlines/{hotline.id}/oncall", query_string={"at": local}).json
    return found["route"], [r["name"] for r in found["responders"]]


def test_past_moments_keep_the_people_active_then(admin_api, hotline, team, last_week):
    alice, _bob, carol = team
    with time_machine.travel(YESTERDAY, tick=False) as clock:
        for person in (alice, carol):
            response = admin_api.patch(f"/api/v1/people/{person.id}", {"active": False})
            assert response.status_code == 200
        clock.move_to(NOW)
        in_slot = names_at(admin_api, hotline, "2026-03-04T12:00")
        by_default = names_at(admin_api, hotline, "2026-03-04T22:00")
        tonight = names_at(admin_api, hotline, "2026-03-10T22:00")

    assert in_slot == ("slot", ["Alice", "Bob"])
    assert by_default == ("default", ["Carol"])
    assert tonight == ("nobody", [])


def test_a_reactivated_person_was_not_rung_before(admin_api, db_session, hotline, team, last_week):
    alice, _bob, carol = team
    alice.active = carol.active = False  # inactive before any change was recorded
    db_session.flush()
    with time_machine.travel(YESTERDAY, tick=False) as clock:
        for person in (alice, carol):
            response = admin_api.patch(f"/api/v1/people/{person.id}", {"active": True})
            assert response.status_code == 200
        clock.move_to(NOW)
        in_slot = names_at(admin_api, hotline, "2026-03-04T12:00")
        by_default = names_at(admin_api, hotline, "2026-03-04T22:00")
        tonight = names_at(admin_api, hotline, "2026-03-10T22:00")

    assert in_slot == ("slot", ["Bob"])
    assert by_default == ("nobody", [])
    assert tonight == ("default", ["Carol"])


def test_the_api_change_is_audited_with_its_user(admin_api, db_session, hotline, team, last_week):
    carol = team[2]

    refused = admin_api.patch(f"/api/v1/people/{carol.id}", {"active": False, "mobile": "12"})
    accepted = admin_api.patch(f"/api/v1/people/{carol.id}", {"active": False})

    assert (refused.status_code, accepted.status_code) == (422, 200)
    [line] = db_session.scalars(select(AuditLog).where(AuditLog.entity == "person"))
    assert (line.hotline_id, line.user_id, line.entity_id) == (
        hotline.id,
        admin_api.user.id,
        carol.id,
    )
    assert (line.before["active"], line.after["active"]) == (True, False)
