"""POST and PATCH /api/v1/people: the creation and each change of details are audited,
with the token's user, one line per hotline; a request that changes nothing or is
refused writes nothing."""

from __future__ import annotations

from sqlalchemy import select

from hotline.planning.models import AuditLog


def person_lines(db_session) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.entity == "person").order_by(AuditLog.id)
    return list(db_session.scalars(query))


def test_a_person_added_through_the_api_is_audited(manager, db_session):
    response = manager.post("/api/v1/people", {"name": "Zoé", "mobile": "06 12 34 56 78"})

    assert response.status_code == 201
    [line] = person_lines(db_session)
    assert (line.action, line.entity_id, line.user_id) == (
        "create",
        response.json["id"],
        manager.user.id,
    )
    assert (line.before, line.after) == (
        None,
        {"name": "Zoé", "mobile": "+33612345678", "email": None, "language": "fr", "active": True},
    )


def test_a_mobile_change_through_the_api_is_audited_and_nothing_else(
    manager, db_session, hotline, team, make_hotline, set_default_chain
):
    alice, bob = team[:2]
    set_default_chain(hotline, [alice, bob])
    set_default_chain(make_hotline("+33184885678", name="Sud"), [bob])  # not the manager's
    old = alice.mobile

    unchanged = manager.patch(f"/api/v1/people/{alice.id}", {"name": "Alice", "language": "fr"})
    invalid = manager.patch(f"/api/v1/people/{alice.id}", {"mobile": "06 12"})
    forbidden = manager.patch(f"/api/v1/people/{bob.id}", {"mobile": "07 98 76 54 32"})
    assert (unchanged.status_code, invalid.status_code, forbidden.status_code) == (200, 422, 403)
    assert person_lines(db_session) == []

    changed = manager.patch(f"/api/v1/people/{alice.id}", {"mobile": "07 98 76 54 32"})

    assert changed.status_code == 200
    [line] = person_lines(db_session)
    assert (line.action, line.hotline_id, line.user_id) == ("update", hotline.id, manager.user.id)
    assert (line.before["mobile"], line.after["mobile"]) == (old, "+33798765432")
