"""Which hours of a period the hourly rollups answer for, and which the call records do.

A figure adds the rollup rows of the hours marked complete (see
rollup_models) to a GROUP BY over the raw calls of every other hour: today,
hours not built yet, hours a late change sent back. Both parts run the same
arithmetic (whole milliseconds), so the sum is the figure the raw records
alone give. Rollups are keyed by UTC hour: they serve periods in time zones
whose offsets are whole hours (local hours are then unions of UTC hours);
a period elsewhere reads the raw records only. The figures that only add up
(legs, answer times) read the per-day rows of the rolled spans' whole UTC days
and the hourly rows of the hours around them.

rollup_build.py makes them (`hotline stats rollup`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import and_, false, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hotline.models import Hotline
from hotline.planning.coverage import uncovered
from hotline.stats.periods import Period
from hotline.stats.rollup_models import StatsHour
from hotline.stats.sqltime import dialect_of, epoch

Interval = tuple[datetime, datetime]
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Past this many separate raw spans the conditions cost more than they save.
MAX_RAW_SPANS = 24


@dataclass(frozen=True)
class Coverage:
    """UTC spans of a period read from the rollups, and those read from the call records."""

    rolled: list[Interval]
    raw: list[Interval]
    keys: list[int] = field(default_factory=list)  # the hotline keys the rolled rows are read for

    @cached_property
    def rolled_days(self) -> list[Interval]:
        """The whole UTC days of the rolled spans (midnight to midnight)."""
        return [span for span in _by_day(self.rolled) if _is_days(span)]

    @cached_property
    def rolled_hours(self) -> list[Interval]:
        """The rolled hours outside `rolled_days`."""
        return [span for span in _by_day(self.rolled) if not _is_days(span)]


def hotline_key(column: Any) -> ColumnElement[int]:
    """The rollups' key of a call's hotline: its id, or 0 for calls no hotline took."""
    # Inline, so PostgreSQL sees the GROUP BY key exactly as selected.
    return func.coalesce(column, literal_column("0"))


def coverage(session: Session, period: Period, hotline_id: int | None) -> Coverage:
    """Split `period` into hours complete in the rollups (for every hotline asked) and the rest."""
    whole = [(period.starts_at, period.ends_at)]
    if any(seconds % 3600 for _at, seconds in period.utc_offsets()):
        return Coverage([], whole)
    keys = rollup_keys(session, hotline_id)
    marked = (
        select(StatsHour.hour)
        .where(
            StatsHour.hotline_key.in_(keys),
            StatsHour.hour >= period.starts_at,
            StatsHour.hour < period.ends_at,
        )
        .group_by(StatsHour.hour)
        .having(func.count() == len(keys))
        .subquery()
    )
    # Runs of consecutive hours, found in SQL (a year is 8,760 marks, a few runs):
    # an hour's seconds since 1970 less 3,600 times its rank are the same along a run.
    seconds = epoch(dialect_of(session) == "postgresql", marked.c.hour)
    rank = func.row_number().over(order_by=marked.c.hour)
    hours = select(seconds.label("at"), (seconds - rank * 3600).label("run")).subquery()
    runs = session.execute(
        select(func.min(hours.c.at), func.max(hours.c.at))
        .group_by(hours.c.run)
        .order_by(func.min(hours.c.at))
    ).all()
    rolled = [(_instant(first), _instant(last) + HOUR) for first, last in runs]
    raw = uncovered(rolled, period.starts_at, period.ends_at)
    if len(raw) > MAX_RAW_SPANS:
        return Coverage([], whole)
    return Coverage(rolled, raw, keys)


def rollup_keys(session: Session, hotline_id: int | None) -> list[int]:
    """The hotline keys a figure covers: one hotline, or every hotline and the calls of none."""
    if hotline_id is not None:
        return [hotline_id]
    return [0, *session.scalars(select(Hotline.id).order_by(Hotline.id))]


def within(column: Any, spans: Sequence[Interval]) -> ColumnElement[bool]:
    """`column` falls in one of `spans` (half-open)."""
    if not spans:
        return false()
    return or_(*(and_(column >= start, column < end) for start, end in spans))


def rollup_rows_of(table: Any, keys: Sequence[int], spans: Sequence[Interval]) -> list[Any]:
    """Conditions on an hourly rollup table for the hours `spans` cover, of the hotline `keys`."""
    # The keys even for all hotlines: the rollups' indexes lead with them.
    return [table.hotline_key.in_(keys), within(table.hour, spans)]


def rollup_days_of(table: Any, keys: Sequence[int], spans: Sequence[Interval]) -> list[Any]:
    """Conditions on a per-day rollup table for the days `spans` cover, of the hotline `keys`."""
    return [table.hotline_key.in_(keys), within(table.day, spans)]


def _instant(seconds: float) -> datetime:
    # SQLite's are julianday() arithmetic: whole seconds once rounded.
    return datetime.fromtimestamp(round(seconds), UTC)


def _by_day(spans: Sequence[Interval]) -> list[Interval]:
    """Cut each span into its leading hours, its whole UTC days and its trailing hours."""
    pieces = []
    for start, end in spans:
        first = _midnight(start)
        if first < start:
            first += DAY
        last = _midnight(end)
        if first >= last:
            pieces.append((start, end))
            continue
        pieces += [(start, first), (first, last), (last, end)]
    return [(start, end) for start, end in pieces if start < end]


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _is_days(span: Interval) -> bool:
    start, end = span
    return start == _midnight(start) and end == _midnight(end)
