"""Hourly rollups of the call records, so a dashboard reads hundreds of rows instead of calls.

Every row is keyed by `hotline_key` (the call's hotline id, 0 for calls no
hotline took) and `hour`, the UTC hour the call started in. `StatsHour`
marks the hours whose rollups are complete: a trigger on `call` and
`call_attempt` (migration 0006) deletes the mark of the hour of any call
or leg written, so a late status callback or a replayed call sends that
hour back to the raw records until `hotline stats rollup` builds it again.
Rows of an unmarked hour are never read.

The figures that add up over a whole period (legs, answer times) are also kept
per UTC day (`StatsLegDay`, `StatsWaitDay`), built with the day's hours: a long
period reads a row set per day for its days whose 24 hours are all marked, and
the hourly rows only for the hours around them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base


class StatsHour(Base):
    """An hour of one hotline whose rollup rows agree with the call records."""

    __tablename__ = "stats_hour"

    hotline_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(primary_key=True)


class StatsCallHour(Base):
    """Calls started in an hour, per outcome."""

    __tablename__ = "stats_call_hour"

    hotline_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    calls: Mapped[int]


class LegGroup:
    """A group of ring legs after its hotline and time: its key, then its sums.

    `person_key` is 0 for legs to the hotline's fallback number; times are
    sums in milliseconds (NULL when no leg of the group has one). A class's own
    columns come first in its table, so its hotline and time lead the primary key.
    """

    person_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    result: Mapped[str] = mapped_column(String(16), primary_key=True)
    accepting: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    depth: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    legs: Mapped[int]
    talk_seconds: Mapped[int | None] = mapped_column(BigInteger)
    to_accept_ms: Mapped[int | None] = mapped_column(BigInteger)
    wait_ms: Mapped[int | None] = mapped_column(BigInteger)


class StatsLegHour(LegGroup, Base):
    """Ring legs of the calls started in an hour, per person, result, accepting or not, depth."""

    __tablename__ = "stats_leg_hour"

    hotline_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(primary_key=True)


class StatsAnswer(Base):
    """The wait of each answered call (percentiles and service level need every value)."""

    __tablename__ = "stats_answer"
    # The few answers around a percentile's rank are looked up by wait (legs.py).
    __table_args__ = (Index("ix_stats_answer_wait", "hotline_key", "wait_ms", "hour"),)

    hotline_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    wait_ms: Mapped[int | None] = mapped_column(BigInteger)


class StatsLegDay(LegGroup, Base):
    """`StatsLegHour` added up over a UTC day (`day` is its midnight)."""

    __tablename__ = "stats_leg_day"

    hotline_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[datetime] = mapped_column(primary_key=True)


class StatsWaitDay(Base):
    """How many answered calls of a UTC day waited `wait_second` (see legs.wait_second).

    The waits in milliseconds w with `wait_second - 1 < w / 1000 <= wait_second`:
    counts up to the service-level target and the rank of each percentile come
    from these rows; the exact values at that rank from `StatsAnswer`.
    """

    __tablename__ = "stats_wait_day"

    hotline_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[datetime] = mapped_column(primary_key=True)
    wait_second: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    answers: Mapped[int]
