"""Everything the statistics page shows for a period, in as few passes over the calls as possible.

One hourly GROUP BY over the calls gives the outcome counts, the daily trend
and the heatmap, folded together hour by hour; one GROUP BY over the legs
joined to their calls gives the per-agent table and the answered calls' speed,
depth and talk (legs.py). Which hours the rollups answer for is looked up once
for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from hotline.stats.agents import AgentRow, agent_table_from
from hotline.stats.heatmap import Heatmap
from hotline.stats.kpis import (
    DEFAULT_TARGET_SECONDS,
    Summary,
    check_target,
    summary_from,
)
from hotline.stats.legs import leg_totals_over
from hotline.stats.periods import Period
from hotline.stats.rollups import coverage
from hotline.stats.trend import COUNT_NAMES, DayCounts, OutcomeCounts, hour_rows

RECEIVED = COUNT_NAMES.index("received")
# What OutcomeCounts.unanswered adds up.
UNANSWERED = [COUNT_NAMES.index(name) for name in ("missed", "voicemail", "abandoned", "failed")]


@dataclass(frozen=True)
class Dashboard:
    period: Period
    summary: Summary
    trend: list[DayCounts]
    heatmap: Heatmap
    agents: list[AgentRow]


def dashboard(
    session: Session,
    period: Period,
    hotline_id: int | None = None,
    target_seconds: int = DEFAULT_TARGET_SECONDS,
) -> Dashboard:
    """Summary, daily trend, heatmap and per-agent table of `period` (one hotline or all)."""
    check_target(target_seconds)
    spans = coverage(session, period, hotline_id)
    trend, heatmap, totals = fold_hours(period, hour_rows(session, period, spans, hotline_id))
    legs = leg_totals_over(session, spans, hotline_id, target_seconds)
    return Dashboard(
        period=period,
        summary=summary_from([totals], legs.answered, target_seconds),
        trend=trend,
        heatmap=heatmap,
        agents=agent_table_from(session, period, hotline_id, legs.per_person),
    )


def fold_hours(
    period: Period, rows: Iterable[tuple[datetime, tuple[int, ...]]]
) -> tuple[list[DayCounts], Heatmap, OutcomeCounts]:
    """The daily trend, the heatmap and the totals of `hour_rows`, in one pass.

    The same sums as trend_from_hours and heatmap_from_hours, without an object
    per hour: a year has 8,760 of them.
    """
    days: dict[date, list[int]] = {}
    totals = [0] * len(COUNT_NAMES)
    calls = [[0] * 24 for _ in range(7)]
    misses = [[0] * 24 for _ in range(7)]
    for at, counts in rows:
        day = days.get(at.date())
        if day is None:
            day = days[at.date()] = [0] * len(COUNT_NAMES)
        for i, count in enumerate(counts):
            day[i] += count
            totals[i] += count
        weekday, hour = at.weekday(), at.hour
        calls[weekday][hour] += counts[RECEIVED]
        misses[weekday][hour] += sum(counts[i] for i in UNANSWERED)
    zeros = [0] * len(COUNT_NAMES)
    trend = [DayCounts(*days.get(d, zeros), day=d) for d in period.days()]
    return trend, Heatmap(calls, misses), OutcomeCounts(*totals)
