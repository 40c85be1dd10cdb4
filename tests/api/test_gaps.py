"""GET /api/v1/hotlines/<id>/gaps: the coming gaps, and apart the default chain's hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Paris


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def gaps(api, hotline_id, **query):
    return api.get(f"/api/v1/hotlines/{hotline_id}/gaps", query_string=query)


def test_hours_the_default_chain_takes_are_listed_apart_not_as_gaps(
    frozen, admin_api, make_hotline, make_person, make_slot, set_default_chain
):
    hotline = make_hotline(timezone="Europe/Paris")
    alice, carol = make_person("Alice"), make_person("Carol")
    make_slot(hotline, NOW - timedelta(days=1), NOW + timedelta(days=7), [alice])
    set_default_chain(hotline, [carol])

    response = gaps(admin_api, hotline.id, weeks=2)

    assert response.status_code == 200
    assert response.json["start"] == "2026-03-10T10:00:00+01:00"
    assert response.json["gaps"] == []
    assert response.json["default_only"] == [
        {"starts_at": "2026-03-17T10:00:00+01:00", "ends_at": "2026-03-24T10:00:00+01:00"}
    ]
    assert [r["name"] for r in response.json["default_chain"]] == ["Carol"]


def test_gaps_are_the_hours_ahead_that_ring_nobody(
    frozen, admin_api, make_hotline, make_person, make_slot
):
    hotline = make_hotline(timezone="Europe/Paris")
    make_slot(hotline, NOW - timedelta(days=1), NOW + timedelta(days=7), [make_person("Alice")])

    body = gaps(admin_api, hotline.id, weeks=1).json
    default_weeks = gaps(admin_api, hotline.id).json

    assert body["gaps"] == []  # nothing before now, whatever the planning there
    assert default_weeks["gaps"] == [
        {"starts_at": "2026-03-17T10:00:00+01:00", "ends_at": "2026-04-07T11:00:00+02:00"}
    ]
    assert default_weeks["default_only"] == []
    assert default_weeks["default_chain"] == []


@pytest.mark.parametrize("weeks", ["0", "53", "many"])
def test_weeks_out_of_bounds_is_a_400(frozen, admin_api, make_hotline, weeks):
    hotline = make_hotline()

    response = gaps(admin_api, hotline.id, weeks=weeks)

    assert response.status_code == 400
