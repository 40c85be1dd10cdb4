"""The audit list per hotline, and unavailability periods (checked, audited)."""

from __future__ import annotations

import pytest

from hotline.planning.audit import audit_entries, entity_history
from hotline.planning.errors import PlanningError
from hotline.planning.slots import create_slot, delete_slot, update_slot
from hotline.planning.unavailability import (
    add_unavailability,
    delete_unavailability,
    person_unavailability,
    update_unavailability,
)
from tests.planning.builders import paris


def test_audit_entries_list_a_hotlines_changes_newest_first(
    db_session, make_hotline, make_person, make_user
):
    hotline, other = make_hotline(), make_hotline("+33184881235")
    alice, bruno = make_person("Alice"), make_person("Bruno")
    manager = make_user("manager", hotlines=(hotline,), name="Mona Manager")
    times = {"starts_at": paris(2026, 12, 1, 8), "ends_at": paris(2026, 12, 1, 20)}
    slot = create_slot(db_session, hotline.id, chain=[alice.id], user_id=manager.id, **times).slot
    create_slot(db_session, other.id, chain=[bruno.id], user_id=manager.id, **times)
    update_slot(db_session, slot.id, version=1, chain=[bruno.id], user_id=manager.id, **times)
    delete_slot(db_session, slot.id, version=2, user_id=None)

    entries = audit_entries(db_session, hotline.id, limit=2)

    assert [(e.action, e.entity, e.entity_id) for e in entries] == [
        ("delete", "slot", slot.id),
        ("update", "slot", slot.id),
    ]
    assert entries[0].user is None  # from a job or the command line
    assert entries[1].user.name == "Mona Manager"
    assert len(audit_entries(db_session, hotline.id)) == 3


def test_unavailability_is_checked_and_audited(db_session, make_person, make_user):
    alice = make_person("Alice")
    manager = make_user("manager")
    period = add_unavailability(
        db_session,
        alice.id,
        starts_at=paris(2026, 12, 1),
        ends_at=paris(2026, 12, 8),
        kind="leave",
        note="  ",
        user_id=manager.id,
    )
    update_unavailability(
        db_session,
        period.id,
        starts_at=paris(2026, 12, 1),
        ends_at=paris(2026, 12, 4),
        kind="sickness",
        user_id=manager.id,
    )

    assert person_unavailability(db_session, alice.id, paris(2026, 12, 3), paris(2026, 12, 5)) == [
        period
    ]
    assert person_unavailability(db_session, alice.id, paris(2026, 12, 4), paris(2026, 12, 5)) == []
    delete_unavailability(db_session, period.id, user_id=manager.id)
    history = entity_history(db_session, "unavailability", period.id)
    assert [e.action for e in history] == ["create", "update", "delete"]
    assert history[0].after["note"] is None
    assert history[1].before["kind"] == "leave"
    assert history[1].after["kind"] == "sickness"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "holiday"}, "kind"),
        ({"ends_at": paris(2026, 11, 30)}, "ends_at"),
        ({"ends_at": paris(2028, 12, 1)}, "ends_at"),
        ({"note": "x" * 201}, "note"),
    ],
    ids=["unknown kind", "end before start", "two years", "note too long"],
)
def test_bad_period_names_the_field_and_saves_nothing(db_session, make_person, change, field):
    alice = make_person("Alice")
    fields = {
        "starts_at": paris(2026, 12, 1),
        "ends_at": paris(2026, 12, 8),
        "kind": "leave",
        **change,
    }

    with pytest.raises(PlanningError) as caught:
        add_unavailability(db_session, alice.id, user_id=None, **fields)

    assert caught.value.field == field
    assert person_unavailability(db_session, alice.id, paris(2020, 1, 1), paris(2030, 1, 1)) == []
