"""Calls per local hour of a period, folded into the daily trend (days without calls included).

One GROUP BY over the period's calls (or their hourly rollups) gives counts
per local hour and outcome (at most 24 x 366 rows); the daily trend and the
weekly heatmap are both folded from them, so a dashboard reads the calls once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from hotline.stats.periods import Period
from hotline.stats.rollup_models import StatsCallHour
from hotline.stats.rollups import coverage, rollup_rows_of, within
from hotline.stats.sqltime import SqlClock, as_hour
from hotline.voice.models import Call, Outcome

OUTCOME_FIELDS = {
    Outcome.ANSWERED: "answered",
    Outcome.VOICEMAIL: "voicemail",
    Outcome.MISSED: "missed",
    Outcome.ABANDONED: "abandoned",
    Outcome.FAILED: "failed",
}  # anything else (ringing) is still in progress


@dataclass(frozen=True)
class OutcomeCounts:
    received: int = 0
    answered: int = 0
    voicemail: int = 0
    missed: int = 0
    abandoned: int = 0
    failed: int = 0
    in_progress: int = 0

    @property
    def unanswered(self) -> int:
        """Calls no agent took: missed, voicemail, abandoned or failed."""
        return self.missed + self.voicemail + self.abandoned + self.failed


@dataclass(frozen=True)
class HourCounts(OutcomeCounts):
    hour: datetime = datetime.min  # local wall-clock start of the hour (naive)


@dataclass(frozen=True)
class DayCounts(OutcomeCounts):
    day: date = date.min


def hourly_counts(
    session: Session, period: Period, hotline_id: int | None = None
) -> list[HourCounts]:
    """Count the calls of `period` per local hour and outcome (hours with calls only).

    Hours complete in the hourly rollups are read from them, the others from
    the calls (see rollups.py), in one statement.
    """
    clock = SqlClock.of(session, period)
    spans = coverage(session, period, hotline_id)
    parts = []
    if spans.raw:
        hour = clock.local_hour_start(Call.started_at).label("hour")
        raw = [within(Call.started_at, spans.raw)]
        if hotline_id is not None:
            raw.append(Call.hotline_id == hotline_id)
        parts.append(
            select(hour, Call.outcome, func.count().label("calls"))
            .where(*raw)
            .group_by(hour, Call.outcome)
        )
    if spans.rolled:
        rolled = StatsCallHour
        hour = clock.local_hour_start(rolled.hour).label("hour")
        parts.append(
            select(hour, rolled.outcome, func.sum(rolled.calls).label("calls"))
            .where(*rollup_rows_of(rolled, hotline_id, spans.rolled))
            .group_by(hour, rolled.outcome)
        )
    found: dict[datetime, dict[str, int]] = {}
    for row in session.execute(parts[0] if len(parts) == 1 else union_all(*parts)):
        counts = found.setdefault(as_hour(row.hour), {"received": 0})
        name = OUTCOME_FIELDS.get(row.outcome, "in_progress")
        counts["received"] += int(row.calls)
        counts[name] = counts.get(name, 0) + int(row.calls)
    return [HourCounts(hour=at, **counts) for at, counts in found.items()]


def daily_trend(session: Session, period: Period, hotline_id: int | None = None) -> list[DayCounts]:
    """Return one entry per local day of `period` (in `period.tz`), in order."""
    return trend_from_hours(period, hourly_counts(session, period, hotline_id))


def trend_from_hours(period: Period, hours: Iterable[HourCounts]) -> list[DayCounts]:
    """Fold hourly counts into one entry per day of `period`, zeros where no call came."""
    totals: dict[date, dict[str, int]] = {}
    names = [f.name for f in fields(OutcomeCounts)]
    for entry in hours:
        day = totals.setdefault(entry.hour.date(), dict.fromkeys(names, 0))
        for name in names:
            day[name] += getattr(entry, name)
    return [DayCounts(day=d, **totals.get(d, {})) for d in period.days()]
