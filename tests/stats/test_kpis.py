"""Summary KPIs against the hand-computed week (see conftest)."""

from __future__ import annotations

from datetime import date

import pytest

from hotline.stats.errors import StatsInputError
from hotline.stats.kpis import summary
from hotline.stats.periods import Period

from .conftest import MARCH


def test_outcomes_are_counted_in_the_local_period(db_session, week):
    kpis = summary(db_session, MARCH, week.hotline.id)

    # Calls 1-9, 11, 12 and 14: call 13 is 1 April in Paris, call 10 has no hotline.
    assert kpis.received == 12
    assert (kpis.answered, kpis.voicemail, kpis.missed, kpis.abandoned) == (8, 1, 1, 1)
    assert (kpis.failed, kpis.in_progress) == (0, 1)
    assert kpis.answered_rate == pytest.approx(8 / 12)
    assert kpis.voicemail_rate == pytest.approx(1 / 12)


def test_time_to_answer_mean_median_and_90th_percentile(db_session, week):
    kpis = summary(db_session, MARCH, week.hotline.id)

    # Waits: 5, 8, 12, 14, 20, 35, 40, 50 seconds.
    assert kpis.answer_seconds_mean == pytest.approx(23.0, abs=0.01)
    assert kpis.answer_seconds_median == pytest.approx(17.0, abs=0.01)
    assert kpis.answer_seconds_p90 == pytest.approx(43.0, abs=0.01)


def test_talk_time_and_depth_of_overflow(db_session, week):
    kpis = summary(db_session, MARCH, week.hotline.id)

    assert kpis.talk_seconds_total == 1345
    assert kpis.talk_seconds_mean == pytest.approx(1345 / 8)
    primary, backup1, deeper = (
        kpis.answered_by_primary,
        kpis.answered_by_backup1,
        kpis.answered_by_backup2_plus,
    )
    assert (primary, backup1, deeper) == (5, 2, 1)
    assert kpis.depth_share(primary) == pytest.approx(5 / 8)


def test_service_level_counts_answers_within_the_target(db_session, week):
    assert summary(db_session, MARCH, week.hotline.id).service_level == pytest.approx(5 / 12)
    strict = summary(db_session, MARCH, week.hotline.id, target_seconds=10)
    assert strict.answered_within_target == 2
    assert strict.service_level == pytest.approx(2 / 12)


def test_all_hotlines_include_calls_the_fallback_took(db_session, week):
    kpis = summary(db_session, MARCH)

    assert kpis.received == 13
    assert kpis.failed == 1


def test_empty_period_gives_zero_counts_and_no_rates(db_session, week):
    kpis = summary(db_session, Period(date(2026, 2, 1), date(2026, 2, 7), "Europe/Paris"))

    assert kpis.received == kpis.answered == kpis.talk_seconds_total == 0
    assert kpis.answered_rate is None
    assert kpis.service_level is None
    assert kpis.answer_seconds_median is None
    assert kpis.answer_seconds_p90 is None
    assert kpis.answer_seconds_mean is None


@pytest.mark.parametrize("target", [0, -5, 3601])
def test_absurd_service_level_target_is_refused(db_session, target):
    with pytest.raises(StatsInputError, match="target"):
        summary(db_session, MARCH, target_seconds=target)


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([7.0], {0.5: 7.0, 0.9: 7.0}),
        ([1.0, 2.0], {0.5: 1.5, 0.9: 1.9}),
        ([10.0, 1.0, 4.0, 3.0, 8.0], {0.5: 4.0, 0.9: 9.2}),
        ([], {0.5: None, 0.9: None}),
    ],
)
def test_percentiles_interpolate_like_percentile_cont(db_session, numbers, expected):
    from sqlalchemy import Float, false, literal, select, union_all

    from hotline.stats.sqltime import percentile_figures

    selects = [select(literal(n, Float).label("x")) for n in numbers]
    rows = union_all(*selects) if selects else select(literal(0.0, Float).label("x")).where(false())
    column = rows.subquery().c.x
    at_most_3 = sum(1 for n in numbers if n <= 3)

    # percentile_cont on PostgreSQL, ranks on SQLite: the same figures.
    figures = percentile_figures(db_session, column, (0.5, 0.9), 3)

    assert figures.percentiles == pytest.approx(expected)
    assert figures.at_most == at_most_3
