"""Calls per local hour of a period, folded into the daily trend (days without calls included).

One GROUP BY over the period's calls (or their hourly rollups) gives counts
per hour and outcome (at most 24 x 366 rows); the daily trend and the
weekly heatmap are both folded from them, so a dashboard reads the calls once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from operator import add, attrgetter
from typing import Any

from sqlalchemy import DateTime, case, func, literal_column, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hotline.stats.periods import Period
from hotline.stats.rollup_models import StatsCallHour
from hotline.stats.rollups import Coverage, coverage, rollup_rows_of, within
from hotline.stats.sqltime import SqlClock, as_hour
from hotline.voice.models import Call, Outcome

OUTCOME_FIELDS = {
    Outcome.ANSWERED: "answered",
    Outcome.VOICEMAIL: "voicemail",
    Outcome.MISSED: "missed",
    Outcome.ABANDONED: "abandoned",
    Outcome.FAILED: "failed",
}  # anything else (ringing) is still in progress; in OutcomeCounts' order (hour_rows)


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


COUNT_NAMES = tuple(f.name for f in fields(OutcomeCounts))
# The counts of an OutcomeCounts as a tuple, in field order (one call, not one per field).
counts_of = attrgetter(*COUNT_NAMES)


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
    the calls (see rollups.py).
    """
    return hourly_counts_over(session, period, coverage(session, period, hotline_id), hotline_id)


def hourly_counts_over(
    session: Session, period: Period, spans: Coverage, hotline_id: int | None
) -> list[HourCounts]:
    """`hourly_counts` of a period already split into rolled and raw spans."""
    found: dict[datetime, tuple[int, ...]] = {}
    for at, counts in hour_rows(session, period, spans, hotline_id):
        if at in found:  # two UTC hours fall in one local hour when clocks go back
            counts = tuple(map(add, found[at], counts))
        found[at] = counts
    return [HourCounts(*counts, hour=at) for at, counts in found.items()]


def hour_rows(
    session: Session, period: Period, spans: Coverage, hotline_id: int | None
) -> Iterator[tuple[datetime, tuple[int, ...]]]:
    """Each local hour with calls and its counts (in COUNT_NAMES order), as read.

    The local hour when clocks go back comes twice (once per UTC hour). The
    raw calls are grouped by local hour in SQL; the rollups, by UTC hour, are
    turned into local hours here (rollups serve whole-hour offsets only, so
    each UTC hour is one local hour): converting 8,760 hours of a year costs
    less here than in SQL.
    """
    if spans.raw:
        hour = SqlClock.of(session, period).local_hour_start(Call.started_at).label("hour")
        raw = [within(Call.started_at, spans.raw)]
        if hotline_id is not None:
            raw.append(Call.hotline_id == hotline_id)
        ones = literal_column("1")
        query = select(hour, *_by_outcome(Call.outcome, ones)).where(*raw).group_by(hour)
        for at, received, *known in session.execute(query):
            yield as_hour(at), (received, *known, received - sum(known))
    if spans.rolled:
        rolled = StatsCallHour
        # A plain timestamp, not UTCDateTime: the zone is put on below, once per hour.
        hour = type_coerce(rolled.hour, DateTime())
        query = (
            select(hour, *_by_outcome(rolled.outcome, rolled.calls))
            .where(*rollup_rows_of(rolled, spans.keys, spans.rolled))
            .group_by(rolled.hour)
            .order_by(rolled.hour)
        )
        offsets = _OffsetWalk(period)
        for at, received, *known in session.execute(query):
            utc = as_hour(at)
            yield utc + offsets.at(utc), (received, *known, received - sum(known))


class _OffsetWalk:
    """The period's UTC offset at naive UTC instants given in order."""

    def __init__(self, period: Period) -> None:
        self.changes = [
            (at.replace(tzinfo=None), timedelta(seconds=seconds))
            for at, seconds in period.utc_offsets()
        ]
        self.index = 0

    def at(self, utc: datetime) -> timedelta:
        while self.index + 1 < len(self.changes) and utc >= self.changes[self.index + 1][0]:
            self.index += 1
        return self.changes[self.index][1]


def _by_outcome(outcome: Any, calls: Any) -> list[ColumnElement[Any]]:
    """Sums of `calls`: all of them, then those of each outcome in OUTCOME_FIELDS."""
    zero = literal_column("0")
    return [
        func.sum(calls),
        *(
            func.sum(case((outcome == literal_column(f"'{o.value}'"), calls), else_=zero))
            for o in OUTCOME_FIELDS
        ),
    ]


def daily_trend(session: Session, period: Period, hotline_id: int | None = None) -> list[DayCounts]:
    """Return one entry per local day of `period` (in `period.tz`), in order."""
    return trend_from_hours(period, hourly_counts(session, period, hotline_id))


def trend_from_hours(period: Period, hours: Iterable[HourCounts]) -> list[DayCounts]:
    """Fold hourly counts into one entry per day of `period`, zeros where no call came."""
    totals: dict[date, list[int]] = {}
    for entry in hours:
        day = entry.hour.date()
        counts = counts_of(entry)
        total = totals.get(day)
        totals[day] = (
            list(counts) if total is None else [a + b for a, b in zip(total, counts, strict=True)]
        )
    zeros = [0] * len(COUNT_NAMES)
    return [DayCounts(*totals.get(d, zeros), day=d) for d in period.days()]
