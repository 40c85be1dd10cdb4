"""Calls and outcomes per local day of a period, days without calls included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.stats.periods import Period
from hotline.stats.scope import calls_in
from hotline.stats.sqltime import SqlClock, as_date
from hotline.voice.models import Call, Outcome


@dataclass(frozen=True)
class DayCounts:
    day: date
    received: int = 0
    answered: int = 0
    voicemail: int = 0
    missed: int = 0
    abandoned: int = 0
    failed: int = 0
    in_progress: int = 0


def daily_trend(session: Session, period: Period, hotline_id: int | None = None) -> list[DayCounts]:
    """Return one entry per local day of `period` (in `period.tz`), in order."""
    clock = SqlClock.of(session, period)
    day = clock.local_date(Call.started_at).label("day")
    counts = [
        func.sum(case((Call.outcome == outcome, 1), else_=0)).label(outcome.value)
        for outcome in Outcome
    ]
    rows = session.execute(
        select(day, func.count().label("received"), *counts)
        .where(*calls_in(period, hotline_id))
        .group_by(day)
    ).all()
    found = {
        as_date(row.day): DayCounts(
            day=as_date(row.day),
            received=row.received,
            answered=row.answered,
            voicemail=row.voicemail,
            missed=row.missed,
            abandoned=row.abandoned,
            failed=row.failed,
            in_progress=row.ringing,
        )
        for row in rows
    }
    return [found.get(d) or DayCounts(day=d) for d in period.days()]
