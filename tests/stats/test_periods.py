"""Periods: local days to UTC spans, presets, and the errors for nonsense."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hotline.stats.errors import StatsInputError
from hotline.stats.periods import Period, parse_period

NOW = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # already 1 April in Paris


def test_local_days_become_a_half_open_utc_span_across_dst():
    period = Period(date(2026, 3, 28), date(2026, 3, 29), "Europe/Paris")

    assert period.starts_at == datetime(2026, 3, 27, 23, 0, tzinfo=UTC)
    assert period.ends_at == datetime(2026, 3, 29, 22, 0, tzinfo=UTC)
    assert period.utc_offsets() == [
        (datetime(2026, 3, 27, 23, 0, tzinfo=UTC), 3600),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
    ]


@pytest.mark.parametrize(
    ("preset", "extra", "expected"),
    [
        ("today", {}, (date(2026, 4, 1), date(2026, 4, 1))),
        ("7d", {}, (date(2026, 3, 26), date(2026, 4, 1))),
        ("30d", {}, (date(2026, 3, 3), date(2026, 4, 1))),
        ("month", {}, (date(2026, 4, 1), date(2026, 4, 30))),
        ("month", {"month": "2024-02"}, (date(2024, 2, 1), date(2024, 2, 29))),
        ("month", {"month": "2026-12"}, (date(2026, 12, 1), date(2026, 12, 31))),
        (
            "custom",
            {"start": "2026-01-05", "end": "2026-01-11"},
            (date(2026, 1, 5), date(2026, 1, 11)),
        ),
    ],
)
def test_presets_are_local_days(preset, extra, expected):
    period = parse_period(preset, "Europe/Paris", now=NOW, **extra)

    assert (period.start, period.end) == expected


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Period(date(2026, 3, 2), date(2026, 3, 1), "Europe/Paris"),
            "ends .* before it starts",
        ),
        (
            lambda: Period(date(2025, 1, 1), date(2026, 1, 2), "Europe/Paris"),
            "367 days; choose at most 366",
        ),
        (lambda: Period(date(2026, 1, 1), date(2026, 1, 2), "Europe/Nowhere"), "unknown time zone"),
        (lambda: Period(date(2026, 1, 1), date(2026, 1, 2), "../etc/passwd"), "unknown time zone"),
        (lambda: parse_period("fortnight", "UTC"), "unknown period 'fortnight'"),
        (lambda: parse_period("custom", "UTC", start="2026-01-01"), "needs its end date"),
        (
            lambda: parse_period("custom", "UTC", start="yesterday", end="2026-01-01"),
            "not of the form",
        ),
        (lambda: parse_period("month", "UTC", month="2026-13"), "no month 13"),
        (lambda: parse_period("month", "UTC", month="March"), "not of the form YYYY-MM"),
    ],
)
def test_bad_periods_get_a_clear_error(build, message):
    with pytest.raises(StatsInputError, match=message):
        build()


def test_a_leap_year_fits_in_the_longest_period():
    period = Period(date(2024, 1, 1), date(2024, 12, 31), "UTC")

    assert period.day_count == 366
    assert len(period.days()) == 366
