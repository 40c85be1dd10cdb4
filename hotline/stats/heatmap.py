"""Hour-of-day x weekday grids of calls and of misses, in local time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotline.stats.periods import Period
from hotline.stats.trend import HourCounts, hourly_counts


@dataclass(frozen=True)
class Heatmap:
    """`calls[weekday][hour]`, Monday = 0, hours 0-23 local; `misses` likewise.

    A miss is a call no agent took: missed, voicemail, abandoned or failed.
    """

    calls: list[list[int]]
    misses: list[list[int]]


def weekly_heatmap(session: Session, period: Period, hotline_id: int | None = None) -> Heatmap:
    """Count calls and misses of `period` by local weekday and hour."""
    return heatmap_from_hours(hourly_counts(session, period, hotline_id))


def heatmap_from_hours(hours: Iterable[HourCounts]) -> Heatmap:
    """Fold hourly counts into the weekday x hour grids."""
    calls = [[0] * 24 for _ in range(7)]
    misses = [[0] * 24 for _ in range(7)]
    for entry in hours:
        weekday, hour = entry.hour.weekday(), entry.hour.hour
        calls[weekday][hour] += entry.received
        misses[weekday][hour] += entry.unanswered
    return Heatmap(calls, misses)
