"""Rotation generation: daily, 12 h, weekly, weekday-only and custom patterns across both
Europe/Paris DST changes; leave skipped and reported; idempotent; overrides and hand-made
slots never overwritten."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from hotline.planning.errors import PlanningConflict, PlanningError
from hotline.planning.models import Slot
from hotline.planning.rotations import (
    CONFLICT,
    CREATE,
    KEEP,
    STARTED,
    UPDATE,
    RotationSpec,
    create_rotation,
    delete_rotation,
    generate_rotation,
    preview_generation,
    update_rotation,
)
from hotline.planning.rules import set_labour_rules
from hotline.planning.slots import create_slot
from hotline.planning.unavailability import add_unavailability
from tests.planning.builders import audit_rows, names_at, paris, planning_table

MON, TUE, WED, THU, FRI, SAT, SUN = range(1, 8)


@pytest.fixture
def team(make_hotline, make_person):
    hotline = make_hotline()  # Europe/Paris
    people = [make_person(name) for name in ("Alice", "Bruno", "Chloé", "David")]
    return hotline, people


def rotation(db_session, hotline, members, **fields):
    spec = RotationSpec(
        name=fields.pop("name", "Astreinte"),
        members=[p.id for p in members],
        shift_hours=fields.pop("shift_hours", 24),
        handoff=fields.pop("handoff", time(8)),
        start_date=fields.pop("start_date", date(2026, 3, 26)),
        **fields,
    )
    return create_rotation(db_session, hotline.id, spec, user_id=None)


def generate(db_session, rot, start, weeks=1):
    return generate_rotation(db_session, rot.id, start=start, weeks=weeks, user_id=None)


# -- shapes across DST ------------------------------------------------------------------------


def test_daily_handoff_stays_at_08_00_across_spring_forward(db_session, team):
    hotline, (alice, bruno, chloe, _david) = team
    rot = rotation(db_session, hotline, [alice, bruno, chloe], start_date=date(2026, 3, 27))

    result = generate(db_session, rot, paris(2026, 3, 27, 8), weeks=1)

    assert result.count(CREATE) == 7
    assert planning_table(db_session, hotline.id)[:4] == [
        ("2026-03-27 08:00", "2026-03-28 08:00", 24, "Alice"),
        ("2026-03-28 08:00", "2026-03-29 08:00", 23, "Bruno"),  # the clocks jump forward
        ("2026-03-29 08:00", "2026-03-30 08:00", 24, "Chloé"),
        ("2026-03-30 08:00", "2026-03-31 08:00", 24, "Alice"),
    ]


def test_daily_handoff_stays_at_08_00_across_fall_back(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 10, 23))

    generate(db_session, rot, paris(2026, 10, 23, 8), weeks=1)

    assert planning_table(db_session, hotline.id)[1:3] == [
        ("2026-10-24 08:00", "2026-10-25 08:00", 25, "Bruno"),  # the clocks go back
        ("2026-10-25 08:00", "2026-10-26 08:00", 24, "Alice"),
    ]


def test_twelve_hour_nights_last_11_h_in_spring_and_13_h_in_autumn(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    spring = rotation(
        db_session, hotline, [alice, bruno], shift_hours=12, start_date=date(2026, 3, 28)
    )
    generate(db_session, spring, paris(2026, 3, 28, 8), weeks=1)
    autumn = rotation(
        db_session,
        hotline,
        [alice, bruno],
        name="Autumn",
        shift_hours=12,
        start_date=date(2026, 10, 24),
    )
    generate(db_session, autumn, paris(2026, 10, 24, 8), weeks=1)

    table = planning_table(db_session, hotline.id)
    assert table[:3] == [
        ("2026-03-28 08:00", "2026-03-28 20:00", 12, "Alice"),
        ("2026-03-28 20:00", "2026-03-29 08:00", 11, "Bruno"),
        ("2026-03-29 08:00", "2026-03-29 20:00", 12, "Alice"),
    ]
    night = next(row for row in table if row[0] == "2026-10-24 20:00")
    assert night == ("2026-10-24 20:00", "2026-10-25 08:00", 13, "Bruno")
    # The live lookup agrees, on both sides of the jump.
    assert names_at(db_session, hotline.id, paris(2026, 3, 29, 1, 59)) == ["Bruno"]
    assert names_at(db_session, hotline.id, paris(2026, 3, 29, 3, 0)) == ["Bruno"]
    assert names_at(db_session, hotline.id, paris(2026, 10, 25, 2, 30, fold=1)) == ["Bruno"]


def test_weekly_rotation_hands_off_monday_08_00_local_across_dst(db_session, team):
    hotline, (alice, bruno, chloe, _david) = team
    rot = rotation(
        db_session,
        hotline,
        [alice, bruno, chloe],
        shift_hours=168,
        start_date=date(2026, 3, 16),  # a Monday
        backup_count=1,
    )

    generate(db_session, rot, paris(2026, 3, 16, 8), weeks=3)

    assert planning_table(db_session, hotline.id) == [
        ("2026-03-16 08:00", "2026-03-23 08:00", 168, "Alice,Bruno"),
        ("2026-03-23 08:00", "2026-03-30 08:00", 167, "Bruno,Chloé"),
        ("2026-03-30 08:00", "2026-04-06 08:00", 168, "Chloé,Alice"),
    ]


def test_weekday_only_rotation_leaves_weekends_and_turns_only_on_covered_days(db_session, team):
    hotline, (alice, bruno, chloe, _david) = team
    rot = rotation(
        db_session,
        hotline,
        [alice, bruno, chloe],
        start_date=date(2026, 3, 23),  # Monday
        weekdays={MON, TUE, WED, THU, FRI},
    )

    generate(db_session, rot, paris(2026, 3, 23, 8), weeks=2)

    table = planning_table(db_session, hotline.id)
    assert [row[0][:10] for row in table] == [
        "2026-03-23", "2026-03-24", "2026-03-25", "2026-03-26", "2026-03-27",
        "2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02", "2026-04-03",
    ]  # fmt: skip
    assert table[4] == ("2026-03-27 08:00", "2026-03-28 08:00", 24, "Bruno")  # Friday
    assert table[5] == ("2026-03-30 08:00", "2026-03-31 08:00", 24, "Chloé")  # next turn
    assert names_at(db_session, hotline.id, paris(2026, 3, 29, 12)) == []  # Sunday


def test_weekly_shift_in_a_weekday_daytime_window_gives_five_slots_a_week(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(
        db_session,
        hotline,
        [alice, bruno],
        shift_hours=168,
        start_date=date(2026, 3, 23),
        weekdays={MON, TUE, WED, THU, FRI},
        window_start=time(8),
        window_end=time(20),
    )

    generate(db_session, rot, paris(2026, 3, 23, 8), weeks=2)

    table = planning_table(db_session, hotline.id)
    assert len(table) == 10
    assert {row[3] for row in table[:5]} == {"Alice"}
    assert {row[3] for row in table[5:]} == {"Bruno"}
    assert {(row[0][11:], row[1][11:], row[2]) for row in table} == {("08:00", "20:00", 12)}


def test_custom_weekend_nights_across_spring_forward(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(
        db_session,
        hotline,
        [alice, bruno],
        start_date=date(2026, 3, 21),
        weekdays={SAT, SUN},
        window_start=time(20),
        window_end=time(8),  # overnight
        handoff=time(20),
    )

    generate(db_session, rot, paris(2026, 3, 21, 20), weeks=2)

    assert planning_table(db_session, hotline.id) == [
        ("2026-03-21 20:00", "2026-03-22 08:00", 12, "Alice"),
        ("2026-03-22 20:00", "2026-03-23 08:00", 12, "Bruno"),
        ("2026-03-28 20:00", "2026-03-29 08:00", 11, "Alice"),
        ("2026-03-29 20:00", "2026-03-30 08:00", 12, "Bruno"),
    ]


# -- leave --------------------------------------------------------------------------------------


def test_member_on_leave_is_skipped_the_next_takes_the_shift_and_it_is_reported(db_session, team):
    hotline, (alice, bruno, chloe, _david) = team
    add_unavailability(
        db_session,
        bruno.id,
        starts_at=paris(2026, 12, 2, 0),
        ends_at=paris(2026, 12, 3, 0),
        kind="sickness",
        note="flu",
        user_id=None,
    )
    rot = rotation(
        db_session, hotline, [alice, bruno, chloe], start_date=date(2026, 12, 1), backup_count=1
    )

    result = generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)

    table = planning_table(db_session, hotline.id)
    assert table[0][3] == "Alice,Chloé"  # Bruno is not even backup on the 2nd morning
    assert table[1] == ("2026-12-02 08:00", "2026-12-03 08:00", 24, "Chloé,Alice")
    assert table[2][3] == "Chloé,Alice"  # 3rd: Chloé's own turn; Bruno back the 4th
    assert table[3][3] == "Alice,Bruno"
    skipped = [
        (s.person_name, s.reason, s.note, s.position, s.replaced_by_name) for s in result.skips
    ]
    assert skipped == [
        ("Bruno", "sickness", "flu", 1, "Chloé"),
        ("Bruno", "sickness", "flu", 0, "Chloé"),
    ]
    assert result.skips[1].starts_at == paris(2026, 12, 2, 8)


def test_nobody_available_leaves_the_shift_uncovered(db_session, team):
    hotline, (alice, *_rest) = team
    add_unavailability(
        db_session,
        alice.id,
        starts_at=paris(2026, 12, 2, 0),
        ends_at=paris(2026, 12, 2, 12),
        kind="leave",
        user_id=None,
    )
    rot = rotation(db_session, hotline, [alice], start_date=date(2026, 12, 1))

    result = generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)

    assert result.uncovered == ((paris(2026, 12, 1, 8), paris(2026, 12, 2, 8)),
                                (paris(2026, 12, 2, 8), paris(2026, 12, 3, 8)))  # fmt: skip
    assert len(planning_table(db_session, hotline.id)) == 5


def test_inactive_member_is_skipped(db_session, team, make_person):
    hotline, (alice, *_rest) = team
    gone = make_person("Gone", active=False)
    rot = rotation(db_session, hotline, [gone, alice], start_date=date(2026, 12, 1))

    result = generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)

    assert {row[3] for row in planning_table(db_session, hotline.id)} == {"Alice"}
    assert {s.reason for s in result.skips} == {"inactive"}


# -- idempotence and what generation never touches ----------------------------------------


def slot_rows(db_session):
    db_session.expire_all()
    return [
        (s.id, s.version, s.starts_at, s.ends_at, tuple(r.person_id for r in s.responders))
        for s in db_session.scalars(select(Slot).order_by(Slot.starts_at, Slot.id))
    ]


def test_generating_twice_changes_nothing(db_session, team):
    hotline, (alice, bruno, chloe, _david) = team
    rot = rotation(db_session, hotline, [alice, bruno, chloe], shift_hours=12, backup_count=1)
    generate(db_session, rot, paris(2026, 3, 26, 8), weeks=2)
    before, audits = slot_rows(db_session), len(audit_rows(db_session))

    again = generate(db_session, rot, paris(2026, 3, 26, 8), weeks=2)

    assert not again.changed
    assert {s.status for s in again.slots} == {KEEP}
    assert slot_rows(db_session) == before
    assert len(audit_rows(db_session)) == audits


def test_generating_further_ahead_keeps_what_exists_and_adds_the_rest(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 12, 1))
    generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)
    first_week = slot_rows(db_session)

    result = generate(db_session, rot, paris(2026, 12, 3, 12), weeks=2)

    assert slot_rows(db_session)[: len(first_week)] == first_week
    assert result.slots[0].status == STARTED  # the shift in progress is left as it is
    assert len(planning_table(db_session, hotline.id)) == 17


def test_regenerating_after_a_member_change_rewrites_only_future_rotation_slots(db_session, team):
    hotline, (alice, bruno, chloe, _david) = team
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 12, 1))
    generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)
    spec = RotationSpec(
        name="Astreinte",
        members=[alice.id, chloe.id],
        shift_hours=24,
        handoff=time(8),
        start_date=date(2026, 12, 1),
    )
    update_rotation(db_session, rot.id, spec, version=rot.version, user_id=None)

    result = generate(db_session, rot, paris(2026, 12, 4, 8), weeks=1)

    table = planning_table(db_session, hotline.id)
    assert [row[3] for row in table[:3]] == ["Alice", "Bruno", "Alice"]  # before the window
    assert table[3] == ("2026-12-04 08:00", "2026-12-05 08:00", 24, "Chloé")
    assert result.count(UPDATE) == 2  # Bruno's 4th and 6th
    changed = [
        row for row in audit_rows(db_session) if row.action == "update" and row.entity == "slot"
    ]
    assert [e.before["chain"][0]["name"] for e in changed] == ["Bruno", "Bruno"]
    assert [e.after["chain"][0]["name"] for e in changed] == ["Chloé", "Chloé"]


def test_overrides_survive_generation_and_keep_winning(db_session, team, make_slot):
    hotline, (alice, bruno, _chloe, david) = team
    override = make_slot(
        hotline, paris(2026, 12, 2, 12), paris(2026, 12, 2, 14), [david], override=True
    )
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 12, 1))

    generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)
    generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)

    assert db_session.get(Slot, override.id) is not None
    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 13)) == ["David"]
    assert names_at(db_session, hotline.id, paris(2026, 12, 2, 14)) == ["Bruno"]


def test_hand_made_slot_is_kept_and_the_overlapping_shift_reported(db_session, team):
    hotline, (alice, bruno, _chloe, david) = team
    create_slot(
        db_session,
        hotline.id,
        starts_at=paris(2026, 12, 3, 8),
        ends_at=paris(2026, 12, 3, 20),
        chain=[david.id],
        user_id=None,
    )
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 12, 1))

    result = generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)

    assert [str(c) for c in result.conflicts] == [
        "shift 2026-12-03 08:00 - 2026-12-04 08:00 not generated: the slot "
        "2026-12-03 08:00 - 2026-12-03 20:00 made by hand is in the way"
    ]
    assert result.count(CONFLICT) == 1
    assert result.count(CREATE) == 6
    assert names_at(db_session, hotline.id, paris(2026, 12, 3, 9)) == ["David"]


def test_preview_reports_the_same_and_writes_nothing(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 12, 1))
    audits = len(audit_rows(db_session))

    preview = preview_generation(db_session, rot.id, start=paris(2026, 12, 1, 8), weeks=1)

    assert not preview.written
    assert preview.count(CREATE) == 7
    assert planning_table(db_session, hotline.id) == []
    assert len(audit_rows(db_session)) == audits


def test_generation_warns_about_a_labour_rule_it_breaks(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=6, min_rest_hours=None, user_id=None
    )
    rot = rotation(
        db_session, hotline, [alice, bruno], shift_hours=192, start_date=date(2026, 12, 1)
    )

    result = generate(db_session, rot, paris(2026, 12, 1, 8), weeks=2)

    assert [str(w) for w in result.warnings] == [
        "max 6 consecutive on-call days: Alice would be on call 8 days in a row from 2026-12-01",
        "max 6 consecutive on-call days: Bruno would be on call 8 days in a row from 2026-12-09",
    ]


# -- the rotation itself ------------------------------------------------------------------------


BAD_SPECS = {
    "unknown time zone": ({"timezone": "Europe/Pariss"}, "timezone"),
    "no members": ({"members": []}, "members"),
    "member twice": ({"members": "twice"}, "members"),
    "shift of 0 h": ({"shift_hours": 0}, "shift_hours"),
    "shift of 2 months": ({"shift_hours": 1500}, "shift_hours"),
    "no weekday": ({"weekdays": set()}, "weekdays"),
    "window without end": ({"window_start": time(8)}, "window_end"),
    "empty window": ({"window_start": time(8), "window_end": time(8)}, "window_end"),
    "too many backups": ({"backup_count": 2}, "backup_count"),
    "empty name": ({"name": "  "}, "name"),
    "absurd start": ({"start_date": date(1926, 1, 1)}, "start_date"),
}


@pytest.mark.parametrize(("change", "field"), BAD_SPECS.values(), ids=BAD_SPECS)
def test_bad_rotation_names_the_field_and_saves_nothing(db_session, team, change, field):
    hotline, (alice, bruno, *_rest) = team
    fields = {
        "name": "Astreinte",
        "members": [alice.id, bruno.id],
        "shift_hours": 24,
        "handoff": time(8),
        "start_date": date(2026, 12, 1),
        **change,
    }
    if fields["members"] == "twice":
        fields["members"] = [alice.id, bruno.id, alice.id]

    with pytest.raises(PlanningError) as caught:
        create_rotation(db_session, hotline.id, RotationSpec(**fields), user_id=None)

    assert caught.value.field == field
    assert audit_rows(db_session) == []


def test_stale_rotation_edit_conflicts(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(db_session, hotline, [alice, bruno])
    spec = RotationSpec("Astreinte", [bruno.id, alice.id], 24, time(8), date(2026, 12, 1))
    update_rotation(db_session, rot.id, spec, version=1, user_id=None)

    with pytest.raises(PlanningConflict):
        update_rotation(db_session, rot.id, spec, version=1, user_id=None)


def test_deleting_a_rotation_deletes_its_future_slots_and_keeps_the_past(db_session, team):
    hotline, (alice, bruno, *_rest) = team
    rot = rotation(db_session, hotline, [alice, bruno], start_date=date(2026, 12, 1))
    generate(db_session, rot, paris(2026, 12, 1, 8), weeks=1)

    deleted = delete_rotation(
        db_session, rot.id, version=rot.version, user_id=None, now=paris(2026, 12, 3, 12)
    )

    assert deleted == 4
    table = planning_table(db_session, hotline.id)
    assert [row[0] for row in table] == ["2026-12-01 08:00", "2026-12-02 08:00", "2026-12-03 08:00"]
    assert db_session.scalars(select(Slot.rotation_id)).all() == [None, None, None]
    assert names_at(db_session, hotline.id, paris(2026, 12, 3, 12) - timedelta(hours=1)) == [
        "Alice"
    ]
