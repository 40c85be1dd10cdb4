"""Summary figures of a period: volumes, outcomes, speed of answer, depth of overflow."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from hotline.stats.errors import StatsInputError
from hotline.stats.periods import Period
from hotline.stats.scope import calls_in, legs_in
from hotline.stats.sqltime import SqlClock, percentiles
from hotline.stats.trend import HourCounts, OutcomeCounts, hourly_counts
from hotline.voice.models import Call, CallAttempt, Outcome

DEFAULT_TARGET_SECONDS = 30
MAX_TARGET_SECONDS = 3600


@dataclass(frozen=True)
class Summary:
    """Counts, rates and times of the calls of a period.

    Rates are shares of `received` (0.0-1.0; None when no call came). Time to
    answer runs from the call's start to the moment the accepting agent
    accepted it (pressed 1, or was bridged without screening). The service
    level is the share of received calls answered within `target_seconds`.
    """

    received: int
    answered: int
    voicemail: int
    missed: int
    abandoned: int
    failed: int
    in_progress: int
    answer_seconds_mean: float | None
    answer_seconds_median: float | None
    answer_seconds_p90: float | None
    talk_seconds_mean: float | None
    talk_seconds_total: int
    answered_by_primary: int
    answered_by_backup1: int
    answered_by_backup2_plus: int
    target_seconds: int
    answered_within_target: int

    def rate(self, count: int) -> float | None:
        return count / self.received if self.received else None

    @property
    def answered_rate(self) -> float | None:
        return self.rate(self.answered)

    @property
    def voicemail_rate(self) -> float | None:
        return self.rate(self.voicemail)

    @property
    def missed_rate(self) -> float | None:
        return self.rate(self.missed)

    @property
    def abandoned_rate(self) -> float | None:
        return self.rate(self.abandoned)

    @property
    def failed_rate(self) -> float | None:
        return self.rate(self.failed)

    @property
    def service_level(self) -> float | None:
        return self.rate(self.answered_within_target)

    def depth_share(self, count: int) -> float | None:
        """Share of answered calls taken at one depth of the chain."""
        return count / self.answered if self.answered else None


def summary(
    session: Session,
    period: Period,
    hotline_id: int | None = None,
    target_seconds: int = DEFAULT_TARGET_SECONDS,
) -> Summary:
    """Compute the summary KPIs of `period` for one hotline, or all when `hotline_id` is None."""
    check_target(target_seconds)
    hours = hourly_counts(session, period, hotline_id)
    return summary_from_hours(session, period, hotline_id, target_seconds, hours)


def check_target(target_seconds: int) -> None:
    if not 1 <= target_seconds <= MAX_TARGET_SECONDS:
        raise StatsInputError(
            f"the service-level target must be 1 to {MAX_TARGET_SECONDS} seconds,"
            f" not {target_seconds}"
        )


def summary_from_hours(
    session: Session,
    period: Period,
    hotline_id: int | None,
    target_seconds: int,
    hours: Iterable[HourCounts],
) -> Summary:
    """The summary, taking outcome counts from hourly counts already read (the dashboard's)."""
    counts = dict.fromkeys((f.name for f in fields(OutcomeCounts)), 0)
    for entry in hours:
        for name in counts:
            counts[name] += getattr(entry, name)
    answered = _answered_figures(session, period, hotline_id, target_seconds)
    return Summary(**counts, **answered, target_seconds=target_seconds)


def _answered_figures(
    session: Session, period: Period, hotline_id: int | None, target_seconds: int
) -> dict[str, Any]:
    """Speed, depth and talk of the answered calls: each joined to its accepting leg."""
    clock = SqlClock.of(session, period)
    accepting = aliased(CallAttempt)
    wait = clock.seconds_between(Call.started_at, accepting.accepted_at)
    columns = [
        func.avg(wait).label("wait_mean"),
        _count_where(wait <= target_seconds).label("within"),
        _count_where(Call.answered_position == 0).label("depth0"),
        _count_where(Call.answered_position == 1).label("depth1"),
        _count_where(Call.answered_position >= 2).label("depth2"),
        func.avg(accepting.talk_seconds).label("talk_mean"),
        func.coalesce(func.sum(accepting.talk_seconds), 0).label("talk_total"),
    ]
    if clock.postgresql:
        # In the same pass on PostgreSQL; SQLite ranks the waits in a second query.
        columns += [
            func.percentile_cont(0.5).within_group(wait).label("median"),
            func.percentile_cont(0.9).within_group(wait).label("p90"),
        ]
    answered_calls = (
        select(*columns)
        .select_from(Call)
        .join(
            accepting,
            and_(
                accepting.call_id == Call.id,
                accepting.position == Call.answered_position,
                *legs_in(period, accepting),
            ),
        )
        .where(Call.outcome == Outcome.ANSWERED, *calls_in(period, hotline_id))
    )
    row = session.execute(answered_calls).one()
    if clock.postgresql:
        waits = {0.5: _float(row.median), 0.9: _float(row.p90)}
    else:
        waits = percentiles(session, answered_calls.with_only_columns(wait), (0.5, 0.9))
    return {
        "answer_seconds_mean": _float(row.wait_mean),
        "answer_seconds_median": waits[0.5],
        "answer_seconds_p90": waits[0.9],
        "talk_seconds_mean": _float(row.talk_mean),
        "talk_seconds_total": int(row.talk_total),
        "answered_by_primary": row.depth0,
        "answered_by_backup1": row.depth1,
        "answered_by_backup2_plus": row.depth2,
        "answered_within_target": row.within,
    }


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
