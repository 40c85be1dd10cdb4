"""Summary figures of a period: volumes, outcomes, speed of answer, depth of overflow."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from hotline.stats.errors import StatsInputError
from hotline.stats.periods import Period
from hotline.stats.scope import calls_in, legs_in
from hotline.stats.sqltime import SqlClock, percentiles
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
    if not 1 <= target_seconds <= MAX_TARGET_SECONDS:
        raise StatsInputError(
            f"the service-level target must be 1 to {MAX_TARGET_SECONDS} seconds,"
            f" not {target_seconds}"
        )
    clock = SqlClock.of(session, period)
    accepting = aliased(CallAttempt)
    answered = Call.outcome == Outcome.ANSWERED
    wait = clock.seconds_between(Call.started_at, accepting.accepted_at)
    answered_wait = case((answered, wait))
    talk = case((answered, accepting.talk_seconds))
    columns = [
        func.count().label("received"),
        *(_count_where(Call.outcome == o).label(o.value) for o in Outcome),
        func.avg(answered_wait).label("wait_mean"),
        _count_where(and_(answered, wait <= target_seconds)).label("within"),
        _count_where(and_(answered, Call.answered_position == 0)).label("depth0"),
        _count_where(and_(answered, Call.answered_position == 1)).label("depth1"),
        _count_where(and_(answered, Call.answered_position >= 2)).label("depth2"),
        func.avg(talk).label("talk_mean"),
        func.coalesce(func.sum(talk), 0).label("talk_total"),
    ]
    if clock.postgresql:
        # Same pass as the counts: percentile_cont skips the NULLs of unanswered calls.
        columns += [
            func.percentile_cont(0.5).within_group(answered_wait).label("median"),
            func.percentile_cont(0.9).within_group(answered_wait).label("p90"),
        ]
    accepting_leg = and_(
        accepting.call_id == Call.id,
        accepting.position == Call.answered_position,
        *legs_in(period, accepting),
    )
    scope = calls_in(period, hotline_id)
    row = session.execute(
        select(*columns).select_from(Call).outerjoin(accepting, accepting_leg).where(*scope)
    ).one()
    if clock.postgresql:
        waits = {0.5: _float(row.median), 0.9: _float(row.p90)}
    else:
        answered_waits = (
            select(wait).select_from(Call).join(accepting, accepting_leg).where(answered, *scope)
        )
        waits = percentiles(session, answered_waits, (0.5, 0.9))
    return Summary(
        received=row.received,
        answered=row.answered,
        voicemail=row.voicemail,
        missed=row.missed,
        abandoned=row.abandoned,
        failed=row.failed,
        in_progress=row.ringing,
        answer_seconds_mean=_float(row.wait_mean),
        answer_seconds_median=waits[0.5],
        answer_seconds_p90=waits[0.9],
        talk_seconds_mean=_float(row.talk_mean),
        talk_seconds_total=int(row.talk_total),
        answered_by_primary=row.depth0,
        answered_by_backup1=row.depth1,
        answered_by_backup2_plus=row.depth2,
        target_seconds=target_seconds,
        answered_within_target=row.within,
    )


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]
