"""Build the hourly rollups (the worker's hourly task, `hotline stats rollup`): see rollups.py.

Each closed UTC day (ended LEG_LAG ago) with an hour not marked complete is
rebuilt from the call records, one day per transaction: its hourly rows, then
its per-day rows from them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from hotline.db import UTCDateTime, database, utcnow
from hotline.stats.legs import accepting_legs, leg_groups
from hotline.stats.rollup_models import (
    StatsAnswer,
    StatsCallHour,
    StatsHour,
    StatsLegDay,
    StatsLegHour,
    StatsWaitDay,
)
from hotline.stats.rollups import HOUR, hotline_key, rollup_keys
from hotline.stats.scope import LEG_LAG
from hotline.stats.sqltime import dialect_of, utc_hour
from hotline.stats.waits import wait_second
from hotline.voice.models import Call, CallAttempt

log = logging.getLogger("hotline.stats")
DAY = timedelta(days=1)
ROLLUP_TABLES = (StatsCallHour, StatsLegHour, StatsAnswer, StatsHour)
DAY_TABLES = (StatsLegDay, StatsWaitDay)
LEG_SUMS = ("legs", "talk_seconds", "to_accept_ms", "wait_ms")


def rollup_closed_days(app: Flask) -> int:
    """Build what is due now (the worker's hourly task and `hotline stats rollup`)."""
    with database(app).sessionmaker() as session:
        days = build_rollups(session, utcnow())
    log.info("rebuilt the statistics rollups of %d day(s)", days)
    return days


def build_rollups(session: Session, now: datetime) -> int:
    """Rebuild every closed UTC day with an hour not marked complete; return how many.

    Commits after each day, so writers wait at most one day's rebuild.
    """
    first = session.scalar(select(func.min(Call.started_at)))
    if first is None:
        return 0
    keys = rollup_keys(session, None)
    until = _day_of(now - LEG_LAG)
    marked = Counter(
        _day_of(hour)
        for hour in session.scalars(
            select(StatsHour.hour).where(StatsHour.hotline_key.in_(keys), StatsHour.hour < until)
        )
    )
    built = 0
    day = _day_of(first)
    while day < until:
        if marked[day] != 24 * len(keys):
            build_day(session, keys, day)
            session.commit()
            built += 1
        day += DAY
    return built


def build_day(session: Session, keys: Sequence[int], day: datetime) -> None:
    """Replace the rollups of the UTC day starting at `day` by what the call records say now."""
    postgresql = dialect_of(session) == "postgresql"
    if postgresql:
        # The triggers delete marks: holding them off until this day is committed
        # means a change made meanwhile removes the mark written here.
        session.execute(text("LOCK TABLE stats_hour IN EXCLUSIVE MODE"))
    end = day + DAY
    for table in ROLLUP_TABLES:
        session.execute(delete(table).where(table.hour >= day, table.hour < end))
    for day_table in DAY_TABLES:
        session.execute(delete(day_table).where(day_table.day == day))
    calls = [Call.started_at >= day, Call.started_at < end]
    legs = [CallAttempt.created_at >= day - LEG_LAG, CallAttempt.created_at < end + LEG_LAG]
    key, hour = hotline_key(Call.hotline_id), utc_hour(postgresql, Call.started_at)
    by_outcome = select(key, hour, Call.outcome, func.count()).where(*calls)
    session.execute(
        insert(StatsCallHour).from_select(
            ["hotline_key", "hour", "outcome", "calls"],
            by_outcome.group_by(key, hour, Call.outcome),
        )
    )
    session.execute(
        insert(StatsLegHour).from_select(
            [
                "hotline_key",
                "hour",
                "person_key",
                "result",
                "accepting",
                "depth",
                "legs",
                "talk_seconds",
                "to_accept_ms",
                "wait_ms",
            ],
            leg_groups(postgresql, [*calls, *legs], key, hour),
        )
    )
    session.execute(
        insert(StatsAnswer).from_select(
            ["hotline_key", "hour", "call_id", "wait_ms"],
            accepting_legs(postgresql, [*calls, *legs], key, hour, Call.id),
        )
    )
    build_day_totals(session, day)
    session.execute(
        insert(StatsHour),
        [{"hotline_key": k, "hour": day + i * HOUR} for k in keys for i in range(24)],
    )


def build_day_totals(session: Session, day: datetime) -> None:
    """Add up the hourly leg and answer rows of the UTC day starting at `day` into its day rows."""
    at = literal(day, UTCDateTime())
    hours = (StatsLegHour.hour >= day, StatsLegHour.hour < day + DAY)
    keys = ("hotline_key", "person_key", "result", "accepting", "depth")
    leg = StatsLegHour
    session.execute(
        insert(StatsLegDay).from_select(
            ["day", *keys, *LEG_SUMS],
            select(
                at,
                *(getattr(leg, k) for k in keys),
                *(func.sum(getattr(leg, s)) for s in LEG_SUMS),
            )
            .where(*hours)
            .group_by(*(getattr(leg, k) for k in keys)),
        )
    )
    second = wait_second(StatsAnswer.wait_ms)
    session.execute(
        insert(StatsWaitDay).from_select(
            ["day", "hotline_key", "wait_second", "answers"],
            select(at, StatsAnswer.hotline_key, second, func.count())
            .where(
                StatsAnswer.hour >= day,
                StatsAnswer.hour < day + DAY,
                StatsAnswer.wait_ms.is_not(None),
            )
            .group_by(StatsAnswer.hotline_key, second),
        )
    )


def _day_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
