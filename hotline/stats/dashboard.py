"""Everything the statistics page shows for a period, in as few passes over the calls as possible.

One hourly GROUP BY over the calls gives the outcome counts, the daily trend
and the heatmap; one GROUP BY over the legs joined to their calls gives the
per-agent table and the answered calls' speed, depth and talk (legs.py). Which
hours the rollups answer for is looked up once for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotline.stats.agents import AgentRow, agent_table_from
from hotline.stats.heatmap import Heatmap, heatmap_from_hours
from hotline.stats.kpis import (
    DEFAULT_TARGET_SECONDS,
    Summary,
    check_target,
    summary_from,
)
from hotline.stats.legs import leg_totals_over
from hotline.stats.periods import Period
from hotline.stats.rollups import coverage
from hotline.stats.trend import DayCounts, hourly_counts_over, trend_from_hours


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
    hours = hourly_counts_over(session, period, spans, hotline_id)
    legs = leg_totals_over(session, spans, hotline_id, target_seconds)
    return Dashboard(
        period=period,
        summary=summary_from(hours, legs.answered, target_seconds),
        trend=trend_from_hours(period, hours),
        heatmap=heatmap_from_hours(hours),
        agents=agent_table_from(session, period, hotline_id, legs.per_person),
    )
