"""Editing slots by hand: validation naming the field, overlaps, optimistic locking, audit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from hotline.planning.errors import PlanningConflict, PlanningError
from hotline.planning.models import Slot
from hotline.planning.rules import set_labour_rules
from hotline.planning.slots import create_slot, delete_slot, slots_between, update_slot
from tests.planning.builders import audit_rows, names_at, paris


@pytest.fixture
def team(make_hotline, make_person, make_user):
    hotline = make_hotline()
    alice, bruno, chloe = make_person("Alice"), make_person("Bruno"), make_person("Chloé")
    manager = make_user("manager", hotlines=(hotline,))
    return hotline, alice, bruno, chloe, manager


def slot_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Slot))


def test_created_slot_rings_its_chain_at_once(db_session, team):
    hotline, alice, bruno, _chloe, manager = team

    edit = create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id, bruno.id],
        user_id=manager.id,
    )

    assert edit.slot.version == 1
    assert names_at(db_session, hotline.id, paris(2026, 12, 1, 8)) == ["Alice", "Bruno"]
    assert names_at(db_session, hotline.id, paris(2026, 12, 1, 20)) == []


BAD_SLOTS = {
    "end before start": (
        {"ends_at": paris(2026, 12, 1, 7)},
        "ends_at",
        "end is before start",
    ),
    "end equals start": (
        {"ends_at": paris(2026, 12, 1, 8)},
        "ends_at",
        "end equals start: a slot must last",
    ),
    "absurd length": (
        {"ends_at": paris(2027, 12, 1, 8)},
        "ends_at",
        "slot is longer than 31 days",
    ),
    "naive time": (
        {"starts_at": datetime(2026, 12, 1, 8)},
        "starts_at",
        "starts_at needs a time zone",
    ),
    "empty chain": ({"chain": []}, "chain", "at least one person is needed"),
    "unknown person": ({"chain": "unknown"}, "chain", "unknown person: 999999"),
    "person twice": ({"chain": "twice"}, "chain", "Alice appears more than once"),
    "note too long": ({"note": "x" * 201}, "note", "at most 200 characters"),
}


@pytest.mark.parametrize(("change", "field", "message"), BAD_SLOTS.values(), ids=BAD_SLOTS)
def test_bad_slot_names_the_field_and_saves_nothing(db_session, team, change, field, message):
    hotline, alice, bruno, _chloe, manager = team
    chains = {"unknown": [alice.id, 999999], "twice": [alice.id, bruno.id, alice.id]}
    fields = {
        "starts_at": paris(2026, 12, 1, 8),
        "ends_at": paris(2026, 12, 1, 20),
        "chain": [alice.id],
        **change,
    }
    if isinstance(fields["chain"], str):
        fields["chain"] = chains[fields["chain"]]

    with pytest.raises(PlanningError) as caught:
        create_slot(db_session, hotline.id, user_id=manager.id, **fields)

    assert caught.value.field == field
    assert str(caught.value) == message
    assert slot_count(db_session) == 0
    assert audit_rows(db_session) == []


def test_overlapping_regular_slot_is_refused_naming_the_other_slot(db_session, team):
    hotline, alice, bruno, _chloe, manager = team
    create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id],
        user_id=manager.id,
    )

    with pytest.raises(PlanningError) as caught:
        create_slot(
            db_session,
            hotline.id,
            starts_at=paris(2026, 12, 1, 19),
            ends_at=paris(2026, 12, 2, 8),
            chain=[bruno.id],
            user_id=manager.id,
        )

    assert caught.value.field == "starts_at"
    assert str(caught.value) == (
        "overlaps the regular slot 2026-12-01 08:00 - 2026-12-01 20:00 (Alice)"
    )
    assert slot_count(db_session) == 1


def test_adjacent_slots_are_fine(db_session, team):
    hotline, alice, bruno, _chloe, manager = team
    for start, end, who in ((8, 20, alice), (20, 32, bruno)):
        create_slot(
            db_session,
            hotline.id,
            starts_at=paris(2026, 12, 1) + timedelta(hours=start),
            ends_at=paris(2026, 12, 1) + timedelta(hours=end),
            chain=[who.id],
            user_id=manager.id,
        )

    slots = slots_between(db_session, hotline.id, paris(2026, 12, 1), paris(2026, 12, 3))
    assert [[r.person.name for r in s.responders] for s in slots] == [["Alice"], ["Bruno"]]


def test_update_changes_the_chain_bumps_the_version_and_keeps_the_history(db_session, team):
    hotline, alice, bruno, chloe, manager = team
    slot = create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id, bruno.id],
        user_id=manager.id,
    ).slot

    edit = update_slot(
        db_session,
        slot.id,
        version=1,
        starts_at=paris(2026, 12, 1, 9),
        ends_at=paris(2026, 12, 1, 20),
        chain=[chloe.id, alice.id],
        note="Alice late",
        user_id=manager.id,
    )

    assert edit.slot.version == 2
    assert names_at(db_session, hotline.id, paris(2026, 12, 1, 8, 30)) == []
    assert names_at(db_session, hotline.id, paris(2026, 12, 1, 9)) == ["Chloé", "Alice"]
    create, change = audit_rows(db_session, hotline.id)
    assert (create.action, change.action) == ("create", "update")
    assert (change.user_id, change.entity_id) == (manager.id, slot.id)
    assert [p["name"] for p in change.before["chain"]] == ["Alice", "Bruno"]
    assert [p["name"] for p in change.after["chain"]] == ["Chloé", "Alice"]
    assert change.after["note"] == "Alice late"


def test_second_of_two_editors_gets_a_conflict_and_overwrites_nothing(db_session, team):
    hotline, alice, bruno, chloe, manager = team
    slot = create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id],
        user_id=manager.id,
    ).slot
    loaded = slot.version  # both managers opened the edit form at version 1
    times = {"starts_at": slot.starts_at, "ends_at": slot.ends_at}

    update_slot(db_session, slot.id, version=loaded, chain=[bruno.id], user_id=manager.id, **times)
    with pytest.raises(PlanningConflict) as caught:
        update_slot(
            db_session, slot.id, version=loaded, chain=[chloe.id], user_id=manager.id, **times
        )
    with pytest.raises(PlanningConflict):
        delete_slot(db_session, slot.id, version=loaded, user_id=manager.id)

    assert "reload" in str(caught.value)
    assert names_at(db_session, hotline.id, paris(2026, 12, 1, 9)) == ["Bruno"]
    assert [row.action for row in audit_rows(db_session)] == ["create", "update"]


def test_conflict_is_detected_in_the_update_itself(db_session, team):
    """Another transaction bumped the version after this one read the slot."""
    hotline, alice, bruno, _chloe, manager = team
    slot = create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id],
        user_id=manager.id,
    ).slot
    db_session.execute(
        Slot.__table__.update().where(Slot.id == slot.id).values(version=Slot.version + 1)
    )  # the ORM object still says version 1, as in a session that read it earlier

    with pytest.raises(PlanningConflict):
        update_slot(
            db_session,
            slot.id,
            version=1,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            chain=[bruno.id],
            user_id=manager.id,
        )


def test_delete_restores_the_default_chain_and_is_audited(db_session, team, set_default_chain):
    hotline, alice, bruno, _chloe, manager = team
    set_default_chain(hotline, [bruno])
    slot = create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id],
        user_id=manager.id,
    ).slot

    delete_slot(db_session, slot.id, version=slot.version, user_id=manager.id)

    assert names_at(db_session, hotline.id, paris(2026, 12, 1, 9)) == ["Bruno"]
    deleted = audit_rows(db_session, hotline.id)[-1]
    assert (deleted.action, deleted.after) == ("delete", None)
    assert deleted.before["chain"] == [{"person_id": alice.id, "name": "Alice"}]


def test_edit_breaking_a_labour_rule_is_saved_with_a_warning(db_session, team):
    hotline, alice, _bruno, _chloe, manager = team
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=None, min_rest_hours=11, user_id=manager.id
    )
    create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 1, 8),
        ends_at=paris(2026, 12, 1, 20),
        chain=[alice.id],
        user_id=manager.id,
    )

    edit = create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 2, 4),
        ends_at=paris(2026, 12, 2, 8),
        chain=[alice.id],
        user_id=manager.id,
    )

    assert [str(w) for w in edit.warnings] == [
        "min rest 11 h between shifts: Alice would rest 8 h from 2026-12-01 20:00 "
        "to 2026-12-02 04:00"
    ]
    assert slot_count(db_session) == 2
