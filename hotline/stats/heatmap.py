"""Hour-of-day x weekday grids of calls and of misses, in local time."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.stats.periods import Period
from hotline.stats.scope import UNANSWERED, calls_in
from hotline.stats.sqltime import SqlClock
from hotline.voice.models import Call


@dataclass(frozen=True)
class Heatmap:
    """`calls[weekday][hour]`, Monday = 0, hours 0-23 local; `misses` likewise.

    A miss is a call no agent took: missed, voicemail, abandoned or failed.
    """

    calls: list[list[int]]
    misses: list[list[int]]


def weekly_heatmap(session: Session, period: Period, hotline_id: int | None = None) -> Heatmap:
    """Count calls and misses of `period` by local weekday and hour."""
    clock = SqlClock.of(session, period)
    weekday = clock.local_weekday(Call.started_at).label("weekday")
    hour = clock.local_hour(Call.started_at).label("hour")
    rows = session.execute(
        select(
            weekday,
            hour,
            func.count().label("calls"),
            func.sum(case((Call.outcome.in_(UNANSWERED), 1), else_=0)).label("misses"),
        )
        .where(*calls_in(period, hotline_id))
        .group_by(weekday, hour)
    ).all()
    calls = [[0] * 24 for _ in range(7)]
    misses = [[0] * 24 for _ in range(7)]
    for row in rows:
        calls[row.weekday][row.hour] = row.calls
        misses[row.weekday][row.hour] = row.misses
    return Heatmap(calls, misses)
