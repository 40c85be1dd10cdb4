"""Leave and sickness through the API: app-zone times, field errors, nothing saved when refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hotline.planning.models import Unavailability


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
