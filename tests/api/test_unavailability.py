"""Leave and sickness through the API: app-zone times, field errors, nothing saved when refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hotline.db import utcnow
from hotline.planning.models import Unavailability

PARIS = ZoneInfo("Europe/Paris")
# A week ahead at 08:00 in Paris (the app's zone and the hotlines'): "now" is before it.
DAY = (utcnow().astimezone(PARIS) + timedelta(days=7)).replace(
    hour=8, minute=0, second=0, microsecond=0
)


def periods(db_session):
    return db_session.scalar(select(func.count()).select_from(Unavailability))


def test_a_manager_records_sick_leave_in_the_apps_zone(api_as, make_person, db_session):
    manager = api_as("manager")
    alice = make_person("Alice")

    response = manager.post(
        f"/api/v1/people/{alice.id}/unavailability",
        json={"starts_at": "2026-07-01", "ends_at": "2026-07-15", "kind": "sickness"},
    )

    assert response.status_code == 201, response.json
    assert response.json["starts_at"] == "2026-07-01T00:00:00+02:00"
    stored = db_session.get(Unavailability, response.json["id"])
    assert stored.starts_at == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert stored.kind == "sickness"


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"ends_at": "2026-06-30"}, 422, "ends_at"),
        ({"ends_at": "2026-07-01"}, 422, "ends_at"),
        ({"ends_at": "2028-07-01"}, 422, "ends_at"),
        ({"kind": "holiday"}, 400, "kind"),
        ({"starts_at": "soon"}, 400, "starts_at"),
        ({"note": "n" * 201}, 400, "note"),
    ],
)
def test_bad_periods_are_refused_and_nothing_is_saved(
    admin_api, make_person, db_session, fields, status, field
):
    alice = make_person("Alice")
    sent = {"starts_at": "2026-07-01", "ends_at": "2026-07-15", **fields}

    response = admin_api.post(f"/api/v1/people/{alice.id}/unavailability", json=sent)

    assert (response.status_code, response.json["field"]) == (status, field), response.json
    assert periods(db_session) == 0


def test_an_unknown_person_is_a_404(admin_api, db_session):
    response = admin_api.post(
        "/api/v1/people/999999/unavailability",
        json={"starts_at": "2026-07-01", "ends_at": "2026-07-15"},
    )

    assert response.status_code == 404
    assert periods(db_session) == 0


def test_periods_are_listed_changed_and_deleted(admin_api, make_person, db_session):
    alice = make_person("Alice")
    url = f"/api/v1/people/{alice.id}/unavailability"
    for month in ("05", "07", "09"):
        admin_api.post(url, json={"starts_at": f"2026-{month}-01", "ends_at": f"2026-{month}-10"})

    listed = admin_api.get(url, query_string={"from": "2026-06-01", "to": "2026-08-01"}).json
    (july,) = listed["items"]
    changed = admin_api.patch(f"/api/v1/unavailability/{july['id']}", json={"kind": "other"})
    refused = admin_api.patch(
        f"/api/v1/unavailability/{july['id']}", json={"ends_at": "2026-06-01"}
    )
    deleted = admin_api.delete(f"/api/v1/unavailability/{july['id']}")

    assert july["starts_at"] == "2026-07-01T00:00:00+02:00"
    assert changed.json["kind"] == "other"
    assert changed.json["ends_at"] == july["ends_at"]
    assert (refused.status_code, refused.json["field"]) == (422, "ends_at")
    assert deleted.status_code == 204
    assert periods(db_session) == 2
    assert admin_api.get(f"/api/v1/unavailability/{july['id']}").status_code == 404


def iso(days: int, hour: int = 8) -> str:
    """DAY + `days` at `hour`, as the API writes Paris times."""
    return (DAY + timedelta(days=days)).replace(hour=hour).isoformat()


def day(days: int) -> str:
    return (DAY + timedelta(days=days)).date().isoformat()


@pytest.fixture
def planned(make_hotline, make_person, make_slot):
    """North: Alice then Bob backing up, Bob then Carol the next day; South: Bob alone."""
    north = make_hotline(name="North", timezone="Europe/Paris")
    south = make_hotline(number="+33184880099", name="South", timezone="Europe/Paris")
    alice, bob, carol = (make_person(name) for name in ("Alice", "Bob", "Carol"))
    first = make_slot(north, DAY, DAY + timedelta(days=1), [alice, bob])
    second = make_slot(north, DAY + timedelta(days=1), DAY + timedelta(days=2), [bob, carol])
    make_slot(south, DAY + timedelta(days=1), DAY + timedelta(days=2), [bob])
    return north, bob, first, second


def test_recording_a_sickness_answers_the_slots_still_ringing_the_person(api_as, planned):
    north, bob, first, second = planned
    manager = api_as("manager", hotlines=(north,))

    response = manager.post(
        f"/api/v1/people/{bob.id}/unavailability",
        json={"starts_at": day(1), "ends_at": day(3), "kind": "sickness"},
    )

    assert response.status_code == 201, response.json
    places = response.json["still_on_call"]
    # As the person's page: the hotline, the slot's times, the place in the chain.
    assert [(p["hotline_name"], p["slot_id"], p["position"]) for p in places] == [
        ("North", first.id, 1),
        ("North", second.id, 0),
    ]
    assert (places[0]["starts_at"], places[0]["ends_at"]) == (iso(0), iso(1))
    assert (places[0]["absent_from"], places[0]["absent_until"]) == (iso(1, 0), iso(1))
    assert (places[1]["kind"], places[1]["rotation_id"]) == ("regular", None)
    # South's slot is not this manager's to see, only to know about.
    assert response.json["still_on_call_elsewhere"] == 1


def test_an_admin_gets_every_hotlines_slots_and_a_change_answers_them_again(admin_api, planned):
    north, bob, first, second = planned

    created = admin_api.post(
        f"/api/v1/people/{bob.id}/unavailability",
        json={"starts_at": day(1), "ends_at": day(3), "kind": "leave"},
    )
    moved = admin_api.patch(
        f"/api/v1/unavailability/{created.json['id']}",
        json={"starts_at": day(5), "ends_at": day(6)},
    )

    # North's and South's slots of DAY + 1 start together: their order is not promised.
    assert sorted(p["hotline_name"] for p in created.json["still_on_call"]) == [
        "North", "North", "South",
    ]  # fmt: skip
    assert created.json["still_on_call_elsewhere"] == 0
    assert moved.status_code == 200, moved.json
    assert (moved.json["still_on_call"], moved.json["still_on_call_elsewhere"]) == ([], 0)


def test_a_refused_period_answers_no_slots_and_saves_nothing(api_as, planned, db_session):
    north, bob, _first, _second = planned
    manager = api_as("manager", hotlines=(north,))

    response = manager.post(
        f"/api/v1/people/{bob.id}/unavailability",
        json={"starts_at": day(3), "ends_at": day(1), "kind": "sickness"},
    )

    assert (response.status_code, response.json["field"]) == (422, "ends_at")
    assert "still_on_call" not in response.json
    assert periods(db_session) == 0
