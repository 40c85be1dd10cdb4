"""The per-agent table: legs rung, how each ended, talk time, speed, on-call hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
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


RESULT_FIELDS = {
    LegResult.ACCEPTED: "accepted",
    LegResult.NO_ANSWER: "missed",
    LegResult.DECLINED: "declined",
    LegResult.BUSY: "busy",
    LegResult.FAILED: "failed",
    LegResult.CANCELED: "canceled",
}


def _leg_counts(
    session: Session, period: Period, hotline_id: int | None
) -> dict[int, dict[str, Any]]:
    """Legs per person and result, summed in SQL (a few rows per person), then pivoted."""
    clock = SqlClock.of(session, period)
    ring_start = func.coalesce(CallAttempt.ring_started_at, CallAttempt.created_at)
    rows = session.execute(
        select(
            CallAttempt.person_id,
            CallAttempt.result,
            func.count().label("legs"),
            func.sum(CallAttempt.talk_seconds).label("talk"),
            func.sum(clock.seconds_between(ring_start, CallAttempt.accepted_at)).label("to_accept"),
        )
        .join(Call, Call.id == CallAttempt.call_id)
        .where(
            CallAttempt.person_id.is_not(None),
            *legs_in(period),
            *calls_in(period, hotline_id),
        )
        .group_by(CallAttempt.person_id, CallAttempt.result)
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        person = found.setdefault(row.person_id, {"offered": 0})
        person["offered"] += row.legs
        field = RESULT_FIELDS.get(row.result)  # None for legs still ringing
        if field is not None:
            person[field] = row.legs
        if row.result == LegResult.ACCEPTED:
            person["talk_seconds"] = int(row.talk or 0)
            if row.to_accept is not None:
                person["accept_seconds_mean"] = float(row.to_accept) / row.legs
    return found
