"""Labour rules: warnings naming the rule, the person and when; never a refusal."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.planning.errors import PlanningError
from hotline.planning.overrides import replace_person
from hotline.planning.rules import labour_rules, rule_warnings, set_labour_rules
from tests.planning.builders import audit_rows, paris


@pytest.fixture
def daytime(make_hotline, make_person, make_slot):
    """Alice on call 08:00-20:00 on `days` consecutive days from 1 December 2026."""

    def build(days: int, rest_day: int | None = None):
        hotline = make_hotline()
        alice, bruno = make_person("Alice"), make_person("Bruno")
        for n in range(days):
            start = paris(2026, 12, 1, 8) + timedelta(days=n)
            who = bruno if n == rest_day else alice
            make_slot(hotline, start, start + timedelta(hours=12), [who])
        return hotline, alice, bruno

    return build


def warnings(db_session, hotline):
    return [
        str(w)
        for w in rule_warnings(db_session, hotline.id, paris(2026, 12, 1), paris(2026, 12, 31))
    ]


def test_eight_days_in_a_row_break_a_six_day_limit(db_session, daytime):
    hotline, *_ = daytime(8)
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=6, min_rest_hours=11, user_id=None
    )

    assert warnings(db_session, hotline) == [
        "max 6 consecutive on-call days: Alice would be on call 8 days in a row from 2026-12-01"
    ]


def test_a_full_day_off_ends_the_run(db_session, daytime):
    hotline, *_ = daytime(8, rest_day=4)
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=6, min_rest_hours=None, user_id=None
    )

    assert warnings(db_session, hotline) == []


def test_an_override_taking_a_day_breaks_the_run_too(db_session, daytime):
    hotline, alice, bruno = daytime(8)
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=6, min_rest_hours=None, user_id=None
    )

    result = replace_person(
        db_session,
        hotline.id,
        person_id=alice.id,
        replacement_id=bruno.id,
        starts_at=paris(2026, 12, 4, 8),
        ends_at=paris(2026, 12, 4, 20),
        user_id=None,
    )

    assert result.warnings == ()
    assert warnings(db_session, hotline) == []


def test_rules_off_warn_about_nothing(db_session, daytime):
    hotline, *_ = daytime(20)

    assert labour_rules(db_session, hotline.id).max_consecutive_days is None
    assert warnings(db_session, hotline) == []


def test_short_rest_names_the_rule_the_person_and_the_times(
    db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    alice = make_person("Alice")
    make_slot(hotline, paris(2026, 12, 1, 20), paris(2026, 12, 2, 8), [alice])
    make_slot(hotline, paris(2026, 12, 2, 14, 30), paris(2026, 12, 2, 20), [alice])
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=None, min_rest_hours=11, user_id=None
    )

    (warning,) = rule_warnings(db_session, hotline.id, paris(2026, 12, 1), paris(2026, 12, 3))

    assert warning.rule == "min_rest_hours"
    assert warning.person_name == "Alice"
    assert (warning.starts_at, warning.ends_at) == (
        paris(2026, 12, 2, 8),
        paris(2026, 12, 2, 14, 30),
    )
    assert str(warning) == (
        "min rest 11 h between shifts: Alice would rest 6 h 30 from 2026-12-02 08:00 "
        "to 2026-12-02 14:30"
    )


def test_back_to_back_slots_are_one_stretch_not_a_zero_rest(
    db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    alice = make_person("Alice")
    make_slot(hotline, paris(2026, 12, 1, 8), paris(2026, 12, 1, 20), [alice])
    make_slot(hotline, paris(2026, 12, 1, 20), paris(2026, 12, 2, 8), [alice])
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=None, min_rest_hours=11, user_id=None
    )

    assert rule_warnings(db_session, hotline.id, paris(2026, 12, 1), paris(2026, 12, 3)) == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"max_consecutive_days": 0}, "max_consecutive_days"),
        ({"min_rest_hours": 500}, "min_rest_hours"),
    ],
)
def test_rules_out_of_range_name_the_field(db_session, make_hotline, values, field):
    hotline = make_hotline()
    fields = {"max_consecutive_days": None, "min_rest_hours": None, **values}

    with pytest.raises(PlanningError) as caught:
        set_labour_rules(db_session, hotline.id, user_id=None, **fields)

    assert caught.value.field == field
    assert audit_rows(db_session) == []


def test_saving_rules_is_audited_with_before_and_after(db_session, make_hotline, make_user):
    hotline = make_hotline()
    manager = make_user("manager", hotlines=(hotline,))
    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=6, min_rest_hours=None, user_id=manager.id
    )

    set_labour_rules(
        db_session, hotline.id, max_consecutive_days=6, min_rest_hours=11, user_id=manager.id
    )

    first, second = audit_rows(db_session, hotline.id)
    assert (first.action, first.before) == ("create", None)
    assert second.before == {"max_consecutive_days": 6, "min_rest_hours": None}
    assert second.after == {"max_consecutive_days": 6, "min_rest_hours": 11}
    assert second.user.id == manager.id
