"""The per-agent table: legs rung, how each ended, talk time, speed, on-call hours."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.stats.oncall_hours import hours_of, oncall_intervals
from hotline.stats.periods import Period
from hotline.stats.scope import calls_in, legs_in, person_names
from hotline.stats.sqltime import SqlClock
from hotline.voice.models import Call, CallAttempt, LegResult


@dataclass(frozen=True)
class AgentRow:
    """One person's figures over a period.

    `offered` counts every ring leg sent to them (legs to the hotline's
    fallback number belong to nobody and are left out); `missed` are legs that rang
    out (no answer), `declined` legs picked up but not accepted (personal
    voicemail, no key press), `busy`/`failed` legs the network refused and
    `canceled` legs cut by the caller hanging up. Time to accept runs from the
    leg starting to ring to the agent accepting. On-call hours come from the
    planning: `oncall_hours_primary` as primary only, `oncall_hours_any` in
    any position of the chain.
    """

    person_id: int
    name: str
    offered: int = 0
    accepted: int = 0
    missed: int = 0
    declined: int = 0
    busy: int = 0
    failed: int = 0
    canceled: int = 0
    talk_seconds: int = 0
    accept_seconds_mean: float | None = None
    oncall_hours_primary: float = 0.0
    oncall_hours_any: float = 0.0

    @property
    def accept_rate(self) -> float | None:
        return self.accepted / self.offered if self.offered else None


def agent_table(session: Session, period: Period, hotline_id: int | None = None) -> list[AgentRow]:
    """Return a row per person rung or on call during `period`, sorted by name."""
    legs = _leg_counts(session, period, hotline_id)
    span = (period.starts_at, period.ends_at)
    primary = oncall_intervals(session, *span, hotline_id=hotline_id, primary_only=True)
    anywhere = oncall_intervals(session, *span, hotline_id=hotline_id)
    person_ids = set(legs) | set(anywhere)
    if not person_ids:
        return []
    names = person_names(session, person_ids)
    rows = [
        AgentRow(
            person_id=pid,
            name=names.get(pid, f"#{pid}"),
            **legs.get(pid, {}),
            oncall_hours_primary=hours_of(primary.get(pid, [])),
            oncall_hours_any=hours_of(anywhere.get(pid, [])),
        )
        for pid in person_ids
    ]
    return sorted(rows, key=lambda row: (row.name.casefold(), row.person_id))


def _leg_counts(
    session: Session, period: Period, hotline_id: int | None
) -> dict[int, dict[str, object]]:
    clock = SqlClock.of(session, period)
    accepted = CallAttempt.result == LegResult.ACCEPTED
    ring_start = func.coalesce(CallAttempt.ring_started_at, CallAttempt.created_at)

    def legs_with(result: LegResult) -> object:
        return func.sum(case((CallAttempt.result == result, 1), else_=0))

    rows = session.execute(
        select(
            CallAttempt.person_id,
            func.count().label("offered"),
            legs_with(LegResult.ACCEPTED).label("accepted"),
            legs_with(LegResult.NO_ANSWER).label("missed"),
            legs_with(LegResult.DECLINED).label("declined"),
            legs_with(LegResult.BUSY).label("busy"),
            legs_with(LegResult.FAILED).label("failed"),
            legs_with(LegResult.CANCELED).label("canceled"),
            func.coalesce(func.sum(case((accepted, CallAttempt.talk_seconds))), 0).label("talk"),
            func.avg(
                case((accepted, clock.seconds_between(ring_start, CallAttempt.accepted_at)))
            ).label("accept_mean"),
        )
        .join(Call, Call.id == CallAttempt.call_id)
        .where(
            CallAttempt.person_id.is_not(None),
            *legs_in(period),
            *calls_in(period, hotline_id),
        )
        .group_by(CallAttempt.person_id)
    ).all()
    return {
        row.person_id: {
            "offered": row.offered,
            "accepted": row.accepted,
            "missed": row.missed,
            "declined": row.declined,
            "busy": row.busy,
            "failed": row.failed,
            "canceled": row.canceled,
            "talk_seconds": int(row.talk),
            "accept_seconds_mean": None if row.accept_mean is None else float(row.accept_mean),
        }
        for row in rows
    }
