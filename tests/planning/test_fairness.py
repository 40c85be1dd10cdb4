"""Fairness figures on a hand-computed example: Christmas Eve and Christmas Day in Paris."""

from __future__ import annotations

import pytest

from hotline.planning.errors import PlanningError
from hotline.planning.fairness import fairness
from hotline.stats.oncall_hours import HourKind
from tests.planning.builders import paris

DAY, NIGHT, WEEKEND, HOLIDAY = (
    HourKind.WEEKDAY_DAY,
    HourKind.WEEKDAY_NIGHT,
    HourKind.WEEKEND,
    HourKind.HOLIDAY,
)


@pytest.fixture
def christmas(make_hotline, make_person, make_slot):
    """Thursday 24 and Friday 25 December 2026 (a French public holiday), Paris time.

    Alice  Thu 08-20 (but Chloé holds 12-14 by override), Fri 08-20
    Bruno  Thu 20 - Fri 08, Fri 20 - Sat 08 (the period ends Sat 00:00)
    Alice is Bruno's backup and the other way round: backups are not counted.
    """
    hotline = make_hotline()
    alice, bruno, chloe = make_person("Alice"), make_person("Bruno"), make_person("Chloé")
    make_slot(hotline, paris(2026, 12, 24, 8), paris(2026, 12, 24, 20), [alice, bruno])
    make_slot(hotline, paris(2026, 12, 24, 20), paris(2026, 12, 25, 8), [bruno, alice])
    make_slot(hotline, paris(2026, 12, 25, 8), paris(2026, 12, 25, 20), [alice, bruno])
    make_slot(hotline, paris(2026, 12, 25, 20), paris(2026, 12, 26, 8), [bruno, alice])
    make_slot(hotline, paris(2026, 12, 24, 12), paris(2026, 12, 24, 14), [chloe], override=True)
    return hotline


def test_hours_and_deviations_match_the_hand_computed_example(db_session, christmas):
    report = fairness(db_session, christmas.id, paris(2026, 12, 24), paris(2026, 12, 26))

    # By hand:            day  night  weekend  holiday  total
    #   Alice  10 + 0        10     0        0       12     22   (Thu 8-12, 14-20; Fri 8-20)
    #   Bruno                 0     4        0       12     16   (Thu 20-24; Fri 0-8, 20-24)
    #   Chloé                 2     0        0        0      2   (Thu 12-14)
    # Even share (n = 3):     4   4/3        0        8  40/3
    rows = {p.name: p for p in report.people}
    assert [p.name for p in report.people] == ["Alice", "Bruno", "Chloé"]
    assert rows["Alice"].hours == {DAY: 10, NIGHT: 0, WEEKEND: 0, HOLIDAY: 12}
    assert rows["Bruno"].hours == {DAY: 0, NIGHT: 4, WEEKEND: 0, HOLIDAY: 12}
    assert rows["Chloé"].hours == {DAY: 2, NIGHT: 0, WEEKEND: 0, HOLIDAY: 0}
    assert report.share == pytest.approx({DAY: 4, NIGHT: 4 / 3, WEEKEND: 0, HOLIDAY: 8})
    assert report.share_total == pytest.approx(40 / 3)
    assert rows["Alice"].total_deviation == pytest.approx(22 - 40 / 3)  # +8.67 h
    assert rows["Alice"].relative_deviation == pytest.approx(0.65)
    assert rows["Bruno"].relative_deviation == pytest.approx(0.2)
    assert rows["Chloé"].relative_deviation == pytest.approx(-0.85)
    assert rows["Alice"].deviation[HOLIDAY] == pytest.approx(4)
    assert rows["Chloé"].deviation[DAY] == pytest.approx(-2)


def test_a_weekend_counts_as_weekend(db_session, make_hotline, make_person, make_slot):
    hotline = make_hotline()
    alice = make_person("Alice")
    make_slot(hotline, paris(2026, 12, 4, 20), paris(2026, 12, 5, 8), [alice])  # Fri night

    report = fairness(db_session, hotline.id, paris(2026, 12, 1), paris(2026, 12, 8))

    (only,) = report.people
    assert only.hours == {DAY: 0, NIGHT: 4, WEEKEND: 8, HOLIDAY: 0}
    assert only.total_deviation == 0


def test_reversed_period_names_the_end(db_session, christmas):
    with pytest.raises(PlanningError) as caught:
        fairness(db_session, christmas.id, paris(2026, 12, 26), paris(2026, 12, 24))

    assert caught.value.field == "end"
