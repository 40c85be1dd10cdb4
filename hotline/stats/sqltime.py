"""Time arithmetic in SQL, written for the database at hand.

PostgreSQL converts to local time itself (`AT TIME ZONE`) and has
`percentile_cont`. SQLite knows no time zones: the period's UTC offsets (one
per DST change, computed by zoneinfo) become a CASE shifting each timestamp,
and percentiles come from `row_number()` over the sorted values. Either way
only aggregated rows reach Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    case,
    cast,
    extract,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hotline.db import UTCDateTime
from hotline.stats.periods import Period

SECONDS_PER_DAY = 86400.0
UNIX_EPOCH_JULIAN_DAY = 2440587.5
EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


class SqlClock:
    """SQL expressions for local dates and hours, and for durations, on one database."""

    def __init__(self, dialect: str, period: Period) -> None:
        self.postgresql = dialect == "postgresql"
        self.period = period

    @classmethod
    def of(cls, session: Session, period: Period) -> SqlClock:
        return cls(dialect_of(session), period)

    def local_hour_start(self, column: Any) -> ColumnElement[Any]:
        """The local wall-clock hour a timestamp falls in (read it with `as_hour`)."""
        if self.postgresql:
            return func.date_trunc(literal("hour", literal_execute=True), self._pg_local(column))
        return func.strftime("%Y-%m-%d %H:00:00", column, self._sqlite_shift(column))

    def seconds_between(self, start: Any, end: Any) -> ColumnElement[float]:
        return seconds_between(self.postgresql, start, end)

    def epoch(self, column: Any) -> ColumnElement[float]:
        return epoch(self.postgresql, column)

    def ms_between(self, start: Any, end: Any) -> ColumnElement[int]:
        return ms_between(self.postgresql, start, end)

    def utc_hour(self, column: Any) -> ColumnElement[Any]:
        return utc_hour(self.postgresql, column)

    def _pg_local(self, column: Any) -> ColumnElement[Any]:
        # Stored values are naive UTC: first say so, then convert. The zone is
        # rendered inline so GROUP BY repeats the very same expression.
        zone = literal(self.period.tz, literal_execute=True)
        return func.timezone(zone, func.timezone(literal("UTC", literal_execute=True), column))

    def _sqlite_shift(self, column: Any) -> ColumnElement[str]:
        offsets = self.period.utc_offsets()
        modifiers = [f"{seconds:+d} seconds" for _at, seconds in offsets]
        if len(set(modifiers)) == 1:
            return literal(modifiers[0])
        # Each offset holds until the next change; times before the period
        # take the first offset, after it the last.
        whens = [
            (column < literal(at, UTCDateTime()), modifier)
            for (at, _), modifier in zip(offsets[1:], modifiers[:-1], strict=True)
        ]
        return case(*whens, else_=literal(modifiers[-1]))


def seconds_between(postgresql: bool, start: Any, end: Any) -> ColumnElement[float]:
    if postgresql:
        return cast(extract("epoch", end - start), Float)
    # julianday() is precise to about 50 microseconds: keep milliseconds.
    return func.round((func.julianday(end) - func.julianday(start)) * SECONDS_PER_DAY, 3)


def ms_between(postgresql: bool, start: Any, end: Any) -> ColumnElement[int]:
    """Whole milliseconds from `start` to `end`: sums of them are exact on either database."""
    if postgresql:
        return cast(func.round(func.date_part("epoch", end - start) * 1000), BigInteger)
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 86_400_000.0), Integer)


def utc_hour(postgresql: bool, column: Any) -> ColumnElement[Any]:
    """The UTC hour a stored timestamp falls in, as the rollups store it."""
    if postgresql:
        return func.date_trunc(literal("hour", literal_execute=True), column)
    # The text UTCDateTime writes on SQLite, so it compares with bound timestamps.
    return func.strftime(literal("%Y-%m-%d %H:00:00.000000", literal_execute=True), column)


def epoch(postgresql: bool, column: Any) -> ColumnElement[float]:
    """Seconds since 1970 of a stored (naive UTC) timestamp."""
    if postgresql:
        return cast(extract("epoch", column), Float)
    return func.round((func.julianday(column) - UNIX_EPOCH_JULIAN_DAY) * SECONDS_PER_DAY, 3)


def as_hour(value: Any) -> datetime:
    """A local hour as the database returns it (SQLite gives text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


@dataclass(frozen=True)
class SpreadFigures:
    """How many values are at most a limit, and the continuous percentiles of them all."""

    at_most: int
    percentiles: dict[float, float | None]


def percentile_figures(
    session: Session, column: Any, fractions: Sequence[float], limit: float
) -> SpreadFigures:
    """Count the values of `column` (of a subquery) up to `limit`; take their percentiles.

    One statement: percentile_cont on PostgreSQL, ranks on SQLite (ranked_figures).
    """
    if dialect_of(session) != "postgresql":
        return ranked_figures(session, column, fractions, limit)
    at_most = func.sum(case((column <= limit, 1), else_=0))
    found = session.execute(
        select(at_most, *(func.percentile_cont(f).within_group(column) for f in fractions))
    ).one()
    values = {f: None if v is None else float(v) for f, v in zip(fractions, found[1:], strict=True)}
    return SpreadFigures(int(found[0] or 0), values)


def ranked_figures(
    session: Session, column: Any, fractions: Sequence[float], limit: float
) -> SpreadFigures:
    """percentile_figures for SQLite, which has no `percentile_cont`.

    The values are ranked with row_number(); for each wanted percentile only
    the two values around its rank are kept, and interpolated as
    percentile_cont does. (SQLite's CAST to INTEGER truncates, which is the
    floor wanted here; PostgreSQL's would round.)
    """
    ranked = (
        select(
            column.label("v"),
            (func.row_number().over(order_by=column) - 1).label("i"),
            func.count().over().label("n"),
        )
        .where(column.is_not(None))
        .subquery()
    )
    around = []
    for fraction in fractions:
        low = cast(literal(fraction) * (ranked.c.n - 1), Integer)
        around += [
            func.max(case((ranked.c.i == low, ranked.c.v))),
            func.max(case((ranked.c.i == low + 1, ranked.c.v))),
        ]
    row = session.execute(
        select(func.sum(case((ranked.c.v <= limit, 1), else_=0)), func.max(ranked.c.n), *around)
    ).one()
    count = row[1]
    if not count:
        return SpreadFigures(0, dict.fromkeys(fractions))
    values = {}
    for k, fraction in enumerate(fractions):
        low, high = row[2 + 2 * k], row[3 + 2 * k]
        by_rank = {0: float(low)} if high is None else {0: float(low), 1: float(high)}
        position = fraction * (count - 1)
        values[fraction] = interpolate(by_rank, position - math.floor(position))
    return SpreadFigures(int(row[0] or 0), values)


def interpolate(by_rank: dict[int, float], position: float) -> float:
    """The value at `position` between ranks 0 and 1, as percentile_cont computes it."""
    low = math.floor(position)
    value = by_rank[low]
    if low + 1 in by_rank and position > low:
        value += (position - low) * (by_rank[low + 1] - value)
    return value
