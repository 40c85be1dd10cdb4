"""Times far outside any planning (year 1, 9999) get a clear 400, never a crash."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline.planning.models import Slot, Unavailability
from tests.api.test_rotations import create, daily


@pytest.mark.parametrize("moment", ["0001-01-01T00:30", "9999-12-31T23:30"])
def test_times_outside_the_planning_years_are_refused_at_their_field(
    manager, hotline, team, db_session, moment
):
    alice, bob, _carol = team
    rotation = create(manager, hotline, **daily(team))
    span = {"starts_at": moment, "ends_at": moment}
    requests = [
        ("at", f"/api/v1/hotlines/{hotline.id}/oncall?at={moment}", None),
        ("from", f"/api/v1/hotlines/{hotline.id}/slots?from={moment}&to={moment}", None),
        ("starts_at", f"/api/v1/hotlines/{hotline.id}/slots", {**span, "chain": [alice.id]}),
        ("start", f"/api/v1/rotations/{rotation['id']}/generate", {"start": moment, "weeks": 1}),
        ("starts_at", f"/api/v1/people/{alice.id}/unavailability", span),
        ("starts_at", f"/api/v1/hotlines/{hotline.id}/overrides/replace",
         {**span, "person_id": alice.id, "replacement_id": bob.id}),
    ]  # fmt: skip
    for field, url, body in requests:
        response = manager.post(url, json=body) if body else manager.get(url)

        assert response.status_code == 400, (url, response.json)
        assert response.json["field"] == field
        assert "between the years 2000 and 2100" in response.json["message"]
    assert db_session.scalar(select(func.count()).select_from(Slot)) == 0
    assert db_session.scalar(select(func.count()).select_from(Unavailability)) == 0
