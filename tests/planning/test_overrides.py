"""Overrides: a person replaced for exactly a span (lookup and signed calls agree), swaps,
removal restoring the regular assignment, the previous assignment kept in the history."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from hotline.planning.audit import entity_history
from hotline.planning.errors import PlanningError
from hotline.planning.models import OVERRIDE, Slot
from hotline.planning.overrides import (
    create_override,
    in_force,
    remove_override,
    replace_person,
    swap_shifts,
)
from hotline.planning.rotations import RotationSpec, create_rotation, generate_rotation
from hotline.planning.rules import set_labour_rules
from hotline.planning.unavailability import ResponderAbsent, add_unavailability
from tests.planning.builders import audit_rows, names_at, paris

DAY = (2026, 12, 1)


@pytest.fixture
def week(make_hotline, make_person, make_slot):
    """Days 08:00-20:00 Alice then Bruno; nights 20:00-08:00 Bruno then Alice (Paris)."""
    hotline = make_hotline()
    alice, bruno = make_person("Alice"), make_person("Bruno")
    chloe, david = make_person("Chloé"), make_person("David")
    for offset in range(3):
        day = paris(*DAY, 8) + timedelta(days=offset)
        make_slot(hotline, day, day + timedelta(hours=12), [alice, bruno])
        make_slot(hotline, day + timedelta(hours=12), day + timedelta(hours=24), [bruno, alice])
    return hotline, alice, bruno, chloe, david


def override_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Slot).where(Slot.kind == OVERRIDE))


def incoming(twilio, hotline, sid):
    response = twilio.post(
        "/voice/incoming", {"CallSid": sid, "From": "+33699887766", "To": hotline.number}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_replacement_across_a_handoff_wins_for_exactly_its_span(db_session, week):
    hotline, alice, _bruno, chloe, _david = week

    result = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=chloe.id,
        starts_at=paris(*DAY, 18),
        ends_at=paris(*DAY, 22),
        note="Alice ill",
        user_id=None,
    )

    assert [(s.starts_at, s.ends_at) for s in result.slots] == [
        (paris(*DAY, 18), paris(*DAY, 20)),
        (paris(*DAY, 20), paris(*DAY, 22)),
    ]
    expected = {
        paris(*DAY, 17, 59, 59): ["Alice", "Bruno"],
        paris(*DAY, 18): ["Chloé", "Bruno"],
        paris(*DAY, 19, 59, 59): ["Chloé", "Bruno"],
        paris(*DAY, 20): ["Bruno", "Chloé"],
        paris(*DAY, 21, 59, 59): ["Bruno", "Chloé"],
        paris(*DAY, 22): ["Bruno", "Alice"],
    }
    assert {at: names_at(db_session, hotline.id, at) for at in expected} == expected


def test_signed_calls_ring_the_replacement_at_once_and_only_in_the_span(db_session, week, twilio):
    hotline, alice, bruno, chloe, _david = week
    replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=chloe.id,
        starts_at=paris(*DAY, 10),
        ends_at=paris(*DAY, 12),
        user_id=None,
    )
    rung_first = {
        paris(*DAY, 9, 59, 59): alice,
        paris(*DAY, 10): chloe,
        paris(*DAY, 11, 59, 59): chloe,
        paris(*DAY, 12): alice,
    }

    for n, (at, person) in enumerate(rung_first.items()):
        with time_machine.travel(at, tick=False):
            twiml = incoming(twilio, hotline, f"CA{n}")
        dialled = [p.name for p in (alice, bruno, chloe) if f">{p.mobile}</Number>" in twiml]
        assert dialled == [person.name], at


def test_replacement_already_in_the_chain_with_nobody_for_its_place_is_reported(db_session, week):
    hotline, alice, bruno, *_rest = week

    result = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=bruno.id,
        starts_at=paris(*DAY, 9),
        ends_at=paris(*DAY, 10),
        user_id=None,
    )

    # No rotation and no default chain: nobody may take Bruno's former place.
    assert names_at(db_session, hotline.id, paris(*DAY, 9)) == ["Bruno"]
    assert [(s.starts_at, s.ends_at, s.before, s.names) for s in result.short] == [
        (paris(*DAY, 9), paris(*DAY, 10), 2, ("Bruno",))
    ]
    assert "only 1 responder (Bruno)" in str(result.short[0])


def test_freed_place_goes_to_the_next_member_of_the_rotation(db_session, make_hotline, make_person):
    hotline = make_hotline()
    alice, bruno, chloe = make_person("Alice"), make_person("Bruno"), make_person("Chloé")
    spec = RotationSpec(
        "Days", [alice.id, bruno.id, chloe.id], 24, time(8), date(*DAY), backup_count=1
    )
    rotation = create_rotation(db_session, hotline.id, spec, user_id=None)
    generate_rotation(db_session, rotation.id, start=paris(*DAY, 8), weeks=1, user_id=None)
    assert names_at(db_session, hotline.id, paris(*DAY, 9)) == ["Alice", "Bruno"]

    result = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=bruno.id,
        starts_at=paris(*DAY, 8),
        ends_at=paris(2026, 12, 2, 8),
        user_id=None,
    )

    # Alice, replaced, is not put back: Chloé, next in line, backs Bruno up.
    assert names_at(db_session, hotline.id, paris(*DAY, 9)) == ["Bruno", "Chloé"]
    assert result.short == ()


def test_freed_place_passes_over_the_unavailable_and_takes_the_default_chain(
    db_session, week, set_default_chain
):
    hotline, alice, bruno, chloe, david = week
    set_default_chain(hotline, [alice, bruno, chloe, david])
    add_unavailability(
        db_session,
        chloe.id,
        starts_at=paris(*DAY, 0),
        ends_at=paris(2026, 12, 2, 0),
        kind="sickness",
        user_id=None,
    )

    result = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=bruno.id,
        starts_at=paris(*DAY, 9),
        ends_at=paris(*DAY, 10),
        user_id=None,
    )

    assert names_at(db_session, hotline.id, paris(*DAY, 9)) == ["Bruno", "David"]
    assert result.short == ()


def test_existing_override_is_cut_around_the_new_one(db_session, week):
    hotline, alice, _bruno, chloe, david = week
    create_override(
        db_session,
        hotline.id,
        starts_at=paris(*DAY, 12),
        ends_at=paris(*DAY, 14),
        chain=[alice.id, david.id],
        user_id=None,
    )

    replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=chloe.id,
        starts_at=paris(*DAY, 13),
        ends_at=paris(*DAY, 15),
        user_id=None,
    )

    pieces = in_force(db_session, hotline.id, paris(*DAY, 12), paris(*DAY, 16))
    assert [(p.starts_at, p.ends_at, p.kind, p.names) for p in pieces] == [
        (paris(*DAY, 12), paris(*DAY, 13), "override", ("Alice", "David")),
        (paris(*DAY, 13), paris(*DAY, 14), "override", ("Chloé", "David")),
        (paris(*DAY, 14), paris(*DAY, 15), "override", ("Chloé", "Bruno")),
        (paris(*DAY, 15), paris(*DAY, 16), "regular", ("Alice", "Bruno")),
    ]
    assert override_count(db_session) == 3


def test_removing_the_override_restores_the_regular_assignment_and_history_keeps_both(
    db_session, week
):
    hotline, alice, _bruno, chloe, _david = week
    override = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=chloe.id,
        starts_at=paris(*DAY, 10),
        ends_at=paris(*DAY, 12),
        user_id=None,
    ).slots[0]

    remove_override(db_session, override.id, version=override.version, user_id=None)

    assert names_at(db_session, hotline.id, paris(*DAY, 11)) == ["Alice", "Bruno"]
    created, removed = entity_history(db_session, "slot", override.id)
    assert created.action == "override"
    assert [p["name"] for p in created.before["in_force"][0]["chain"]] == ["Alice", "Bruno"]
    assert [p["name"] for p in created.after["chain"]] == ["Chloé", "Bruno"]
    assert removed.action == "delete"
    assert removed.after is None


def test_swap_exchanges_two_shifts_and_leaves_the_regular_slots_alone(db_session, week, make_slot):
    hotline, alice, bruno, *_rest = week
    monday_day = db_session.scalars(select(Slot).where(Slot.starts_at == paris(*DAY, 8))).one()
    tuesday_night = db_session.scalars(
        select(Slot).where(Slot.starts_at == paris(2026, 12, 2, 20))
    ).one()

    result = swap_shifts(
        db_session,
        monday_day.id,
        tuesday_night.id,
        first_version=monday_day.version,
        second_version=tuesday_night.version,
        user_id=None,
    )

    assert len(result.slots) == 2
    assert names_at(db_session, hotline.id, paris(*DAY, 9)) == ["Bruno", "Alice"]
    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 21)) == ["Alice", "Bruno"]
    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 9)) == ["Alice", "Bruno"]
    assert [r.person_id for r in monday_day.responders] == [alice.id, bruno.id]


def test_generation_never_undoes_an_override(db_session, make_hotline, make_person):
    hotline = make_hotline()
    alice, bruno, chloe = make_person("Alice"), make_person("Bruno"), make_person("Chloé")
    spec = RotationSpec("Days", [alice.id, bruno.id], 24, time(8), date(*DAY))
    rotation = create_rotation(db_session, hotline.id, spec, user_id=None)
    generate_rotation(db_session, rotation.id, start=paris(*DAY, 8), weeks=1, user_id=None)
    replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=chloe.id,
        starts_at=paris(*DAY, 12),
        ends_at=paris(2026, 12, 2, 12),
        user_id=None,
    )

    generate_rotation(db_session, rotation.id, start=paris(*DAY, 8), weeks=2, user_id=None)

    assert names_at(db_session, hotline.id, paris(*DAY, 11)) == ["Alice"]
    assert names_at(db_session, hotline.id, paris(*DAY, 13)) == ["Chloé"]
    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 7, 59)) == ["Chloé"]
    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 9)) == ["Bruno"]


def test_swap_of_one_persons_two_shifts_is_refused(db_session, week):
    hotline, *_people = week
    days = db_session.scalars(
        select(Slot).where(Slot.hotline_id == hotline.id).order_by(Slot.starts_at)
    ).all()

    with pytest.raises(PlanningError) as caught:
        swap_shifts(db_session, days[0].id, days[2].id, user_id=None)

    assert caught.value.field == "second_slot_id"
    assert str(caught.value) == "both shifts are Alice's: nothing to swap"
    assert override_count(db_session) == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"replacement_id": "alice"}, "replacement_id", "choose somebody else"),
        ({"replacement_id": "gone"}, "replacement_id", "Gone is inactive: nobody would ring them"),
        ({"person_id": 999999}, "person_id", "unknown person"),
        ({"ends_at": paris(*DAY, 9)}, "ends_at", "end is before start"),
        (
            {"person_id": "david"},
            "person_id",
            "David is not on call between 2026-12-01 10:00 and 2026-12-01 12:00",
        ),
    ],
    ids=["same person", "inactive", "unknown", "end before start", "not on call"],
)
def test_bad_replacement_names_the_field_and_saves_nothing(
    db_session, week, make_person, change, field, message
):
    hotline, alice, _bruno, chloe, david = week
    people = {"alice": alice.id, "david": david.id, "gone": make_person("Gone", active=False).id}
    fields = {
        "person_id": alice.id,
        "replacement_id": chloe.id,
        "starts_at": paris(*DAY, 10),
        "ends_at": paris(*DAY, 12),
        **change,
    }
    fields = {k: people.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}

    with pytest.raises(PlanningError) as caught:
        replace_person(db_session, hotline.id, user_id=None, **fields)

    assert (caught.value.field, str(caught.value)) == (field, message)
    assert override_count(db_session) == 0


def test_overlapping_explicit_overrides_are_refused(db_session, week):
    hotline, alice, _bruno, chloe, _david = week
    create_override(
        db_session,
        hotline.id,
        starts_at=paris(*DAY, 10),
        ends_at=paris(*DAY, 12),
        chain=[chloe.id],
        user_id=None,
    )

    with pytest.raises(PlanningError) as caught:
        create_override(
            db_session,
            hotline.id,
            starts_at=paris(*DAY, 11),
            ends_at=paris(*DAY, 13),
            chain=[alice.id],
            user_id=None,
        )

    assert caught.value.field == "starts_at"
    assert str(caught.value) == "overlaps the override 2026-12-01 10:00 - 2026-12-01 12:00 (Chloé)"


def test_replacement_absent_only_where_the_person_is_not_on_call_is_accepted(db_session, week):
    hotline, alice, _bruno, chloe, _david = week
    # Chloé is away on the night of 1 December, when Alice only backs Bruno up.
    add_unavailability(
        db_session,
        chloe.id,
        starts_at=paris(*DAY, 20),
        ends_at=paris(2026, 12, 2, 8),
        kind="leave",
        user_id=None,
    )
    span = {"person_id": alice.id, "replacement_id": chloe.id, "user_id": None}

    with pytest.raises(ResponderAbsent) as refused:
        replace_person(
            db_session, hotline.id, starts_at=paris(*DAY, 8), ends_at=paris(2026, 12, 2, 8), **span
        )
    assert [(p.starts_at, p.ends_at, p.position) for p in refused.value.places] == [
        (paris(*DAY, 20), paris(2026, 12, 2, 8), 1)
    ]
    assert "from 2026-12-01 20:00 to 2026-12-02 08:00 as backup 1" in str(refused.value)
    assert override_count(db_session) == 0

    result = replace_person(
        db_session, hotline.id, starts_at=paris(*DAY, 8), ends_at=paris(*DAY, 20), **span
    )

    assert names_at(db_session, hotline.id, paris(*DAY, 9)) == ["Chloé", "Bruno"]
    assert result.absent == ()


def test_labour_warnings_cover_the_person_replaced_whose_day_is_cut_in_two(db_session, week):
    hotline, alice, _bruno, chloe, _david = week
    set_labour_rules(db_session, hotline.id, max_consecutive_days=None, min_rest_hours=11,
                     user_id=None)  # fmt: skip

    result = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=chloe.id,
        starts_at=paris(*DAY, 12),
        ends_at=paris(*DAY, 14),
        user_id=None,
    )

    # Alice now answers 08:00-12:00 and 14:00-20:00: two hours off between two stretches.
    assert [(w.person_name, w.rule) for w in result.warnings] == [("Alice", "min_rest_hours")]


def test_an_explicit_override_ringing_somebody_away_is_refused_unless_confirmed(db_session, week):
    hotline, alice, _bruno, chloe, david = week
    add_unavailability(db_session, chloe.id, starts_at=paris(*DAY, 11), ends_at=paris(*DAY, 13),
                       kind="sickness", user_id=None)  # fmt: skip
    logged = len(audit_rows(db_session, hotline.id))
    span = {"starts_at": paris(*DAY, 10), "ends_at": paris(*DAY, 14), "user_id": None}

    with pytest.raises(ResponderAbsent) as refused:
        create_override(db_session, hotline.id, chain=[david.id, chloe.id], **span)

    assert refused.value.field == "chain"
    assert str(refused.value) == (
        "Chloé is recorded as unavailable then and would be on call from 2026-12-01 11:00 to "
        "2026-12-01 13:00 as backup 1: choose somebody else, or confirm to put them on call anyway"
    )
    assert override_count(db_session) == 0
    assert len(audit_rows(db_session, hotline.id)) == logged

    saved = create_override(
        db_session, hotline.id, chain=[david.id, chloe.id], despite_absence=True, **span
    )

    assert names_at(db_session, hotline.id, paris(*DAY, 12)) == ["David", "Chloé"]
    assert [(p.person_name, p.starts_at, p.ends_at, p.position) for p in saved.absent] == [
        ("Chloé", paris(*DAY, 11), paris(*DAY, 13), 1)
    ]


def test_everybody_away_is_named_in_one_refusal(db_session, week):
    hotline, alice, _bruno, chloe, david = week
    for person in (david, chloe):
        add_unavailability(db_session, person.id, starts_at=paris(*DAY, 12),
                           ends_at=paris(*DAY, 13), kind="leave", user_id=None)  # fmt: skip

    with pytest.raises(ResponderAbsent) as refused:
        create_override(db_session, hotline.id, starts_at=paris(*DAY, 10),
                        ends_at=paris(*DAY, 14), chain=[david.id, alice.id, chloe.id],
                        user_id=None)  # fmt: skip

    assert str(refused.value) == (
        "David is recorded as unavailable then and would be on call from 2026-12-01 12:00 to "
        "2026-12-01 13:00 as primary; Chloé is recorded as unavailable then and would be on call "
        "from 2026-12-01 12:00 to 2026-12-01 13:00 as backup 2: choose somebody else, or confirm "
        "to put them on call anyway"
    )


def test_an_explicit_override_is_not_refused_for_an_absence_outside_it(db_session, week):
    hotline, _alice, _bruno, chloe, _david = week
    add_unavailability(db_session, chloe.id, starts_at=paris(*DAY, 14), ends_at=paris(*DAY, 16),
                       kind="leave", user_id=None)  # fmt: skip

    saved = create_override(db_session, hotline.id, starts_at=paris(*DAY, 10),
                            ends_at=paris(*DAY, 14), chain=[chloe.id], user_id=None)  # fmt: skip

    assert names_at(db_session, hotline.id, paris(*DAY, 13)) == ["Chloé"]
    assert saved.absent == ()


def test_a_swap_giving_a_shift_to_somebody_away_is_refused_unless_confirmed(db_session, week):
    hotline, alice, bruno, _chloe, _david = week
    # Bruno is away on the morning of 2 December: Alice's day shift, which a swap gives him.
    add_unavailability(db_session, bruno.id, starts_at=paris(2026, 12, 2, 9),
                       ends_at=paris(2026, 12, 2, 11), kind="leave", user_id=None)  # fmt: skip
    day = next(s for s in in_force(db_session, hotline.id, paris(2026, 12, 2, 9),
                                   paris(2026, 12, 2, 10)))  # fmt: skip
    # Alice's day of 2 December against Bruno's night of 3 December: Alice takes a night.
    later_night = next(s for s in in_force(db_session, hotline.id, paris(2026, 12, 3, 21),
                                           paris(2026, 12, 3, 22)))  # fmt: skip
    logged = len(audit_rows(db_session, hotline.id))

    with pytest.raises(ResponderAbsent) as refused:
        swap_shifts(db_session, day.slot_id, later_night.slot_id, user_id=None)

    assert refused.value.field == "second_slot_id"
    assert "Bruno is recorded as unavailable" in str(refused.value)
    assert "from 2026-12-02 09:00 to 2026-12-02 11:00 as primary" in str(refused.value)
    assert override_count(db_session) == 0
    assert len(audit_rows(db_session, hotline.id)) == logged

    result = swap_shifts(
        db_session, day.slot_id, later_night.slot_id, despite_absence=True, user_id=None
    )

    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 10)) == ["Bruno", "Alice"]
    assert [(p.person_name, p.position) for p in result.absent] == [("Bruno", 0)]
