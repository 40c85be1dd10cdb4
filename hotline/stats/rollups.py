"""Which hours of a period the hourly rollups answer for, and which the call records do.

A figure adds the rollup rows of the hours marked complete (see
rollup_models) to a GROUP BY over the raw calls of every other hour: today,
hours not built yet, hours a late change sent back. Both parts run the same
arithmetic (whole milliseconds), so the sum is the figure the raw records
alone give. Rollups are keyed by UTC hour: they serve periods in time zones
whose offsets are whole hours (local hours are then unions of UTC hours);
a period elsewhere reads the raw records only.

rollup_build.py makes them (`hotline stats rollup`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hotline.models import Hotline
from hotline.planning.coverage import uncovered
from hotline.stats.periods import Period
from hotline.stats.rollup_models import StatsHour

Interval = tuple[datetime, datetime]
HOUR = timedelta(hours=1)
# Past this many separate raw spans the conditions cost more than they save.
MAX_RAW_SPANS = 24


@dataclass(frozen=True)
class Coverage:
    """UTC spans of a period read from the rollups, and those read from the call records."""

    rolled: list[Interval]
    raw: list[Interval]


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
    hours = session.scalars(
        select(StatsHour.hour)
        .where(
            StatsHour.hotline_key.in_(keys),
            StatsHour.hour >= period.starts_at,
            StatsHour.hour < period.ends_at,
        )
        .group_by(StatsHour.hour)
        .having(func.count() == len(keys))
        .order_by(StatsHour.hour)
    ).all()
    rolled = _spans(hours)
    raw = uncovered(rolled, period.starts_at, period.ends_at)
    if len(raw) > MAX_RAW_SPANS:
        return Coverage([], whole)
    return Coverage(rolled, raw)


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


def rollup_rows_of(table: Any, hotline_id: int | None, spans: Sequence[Interval]) -> list[Any]:
    """Conditions on a rollup table for the hours `spans` cover (one hotline, or all)."""
    conditions = [within(table.hour, spans)]
    if hotline_id is not None:
        conditions.append(table.hotline_key == hotline_id)
    return conditions


def _spans(hours: Sequence[datetime]) -> list[Interval]:
    spans: list[Interval] = []
    for hour in hours:
        if spans and spans[-1][1] == hour:
            spans[-1] = (spans[-1][0], hour + HOUR)
        else:
            spans.append((hour, hour + HOUR))
    return spans
