"""The answered calls' waits over a period: service level and percentiles, exact.

Over the rollups, a year holds some 800,000 answered calls: sorting them all
for two percentiles costs most of a dashboard. Waits are counted instead per
whole second (`wait_second`, per UTC day in `StatsWaitDay`, a few thousand rows
a year): the service level adds up the seconds up to the target, and each
percentile's rank falls in one second, whose few waits are then read in order
from `StatsAnswer` (indexed by wait). The value is interpolated between the two
ranks around it as percentile_cont does, so figures are those of every wait
sorted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, case, func, literal_column, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hotline.stats.rollup_models import StatsAnswer, StatsWaitDay
from hotline.stats.rollups import Coverage, rollup_days_of, rollup_rows_of
from hotline.stats.sqltime import SpreadFigures, interpolate

MS = literal_column("1000")


def wait_second(wait_ms: Any) -> ColumnElement[int]:
    """The whole second a wait in milliseconds rounds up to: (s - 1, s] seconds gives s."""
    # `//` floors (PostgreSQL) or truncates (SQLite): either way, adding one when the
    # division dropped a remainder gives the ceiling, the same on both.
    whole = wait_ms // MS
    return whole + case((wait_ms > whole * MS, literal_column("1")), else_=literal_column("0"))


def wait_figures(
    session: Session,
    raw_waits: Select[Any] | None,
    spans: Coverage,
    fractions: Sequence[float],
    target_seconds: int,
) -> SpreadFigures:
    """Count the waits up to `target_seconds` and take their percentiles.

    `raw_waits` selects a `wait` (ms) per answered call of the raw spans;
    the rolled spans are read from the rollups.
    """
    per_second = _per_second(session, raw_waits, spans)
    count = sum(per_second.values())
    at_most = sum(n for second, n in per_second.items() if second <= target_seconds)
    if not count:
        return SpreadFigures(at_most, dict.fromkeys(fractions))
    seconds = sorted(per_second)
    values = {}
    for fraction in fractions:
        position = fraction * (count - 1)
        low = math.floor(position)
        ranks = [low] if low + 1 >= count or position == low else [low, low + 1]
        found = _waits_at(session, raw_waits, spans, per_second, seconds, ranks)
        # Nothing found only if calls changed between the two statements.
        values[fraction] = interpolate(dict(enumerate(found)), position - low) if found else None
    return SpreadFigures(at_most, values)


def _per_second(session: Session, raw_waits: Select[Any] | None, spans: Coverage) -> Counter[int]:
    parts = []
    if raw_waits is not None:
        raw = raw_waits.subquery()
        second = wait_second(raw.c.wait).label("second")
        parts.append(
            select(second, func.count().label("answers"))
            .where(raw.c.wait.is_not(None))
            .group_by(second)
        )
    if spans.rolled_hours:
        second = wait_second(StatsAnswer.wait_ms).label("second")
        parts.append(
            select(second, func.count().label("answers"))
            .where(
                StatsAnswer.wait_ms.is_not(None),
                *rollup_rows_of(StatsAnswer, spans.keys, spans.rolled_hours),
            )
            .group_by(second)
        )
    if spans.rolled_days:
        day = StatsWaitDay
        parts.append(
            select(day.wait_second.label("second"), func.sum(day.answers).label("answers"))
            .where(*rollup_days_of(day, spans.keys, spans.rolled_days))
            .group_by(day.wait_second)
        )
    per_second: Counter[int] = Counter()
    for row in session.execute(parts[0] if len(parts) == 1 else union_all(*parts)):
        per_second[int(row.second)] += int(row.answers)
    return per_second


def _waits_at(
    session: Session,
    raw_waits: Select[Any] | None,
    spans: Coverage,
    per_second: Counter[int],
    seconds: list[int],
    ranks: list[int],
) -> list[float]:
    """The waits (ms) at `ranks` (consecutive, from 0) of all the waits in order."""
    first, skipped = _second_holding(ranks[0], per_second, seconds)
    last, _ = _second_holding(ranks[-1], per_second, seconds)
    # The waits in milliseconds of the seconds `first` to `last`: (first - 1, last] s.
    low, high = (first - 1) * 1000, last * 1000
    parts = []
    if raw_waits is not None:
        raw = raw_waits.subquery()
        parts.append(select(raw.c.wait).where(raw.c.wait > low, raw.c.wait <= high))
    if spans.rolled:
        parts.append(
            select(StatsAnswer.wait_ms.label("wait")).where(
                StatsAnswer.wait_ms > low,
                StatsAnswer.wait_ms <= high,
                *rollup_rows_of(StatsAnswer, spans.keys, spans.rolled),
            )
        )
    waits = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    found = session.scalars(
        select(waits.c.wait).order_by(waits.c.wait).offset(ranks[0] - skipped).limit(len(ranks))
    ).all()
    return [float(wait) for wait in found]


def _second_holding(rank: int, per_second: Counter[int], seconds: list[int]) -> tuple[int, int]:
    """The second whose waits include `rank` (from 0), and how many waits come before it."""
    before = 0
    for second in seconds:
        if rank < before + per_second[second]:
            return second, before
        before += per_second[second]
    raise ValueError(f"rank {rank} is past the {before} waits")
