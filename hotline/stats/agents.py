"""The per-agent table: legs rung, how each ended, talk time, speed, on-call hours."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.stats.kpis import DEFAULT_TARGET_SECONDS
from hotline.stats.legs import leg_totals
from hotline.stats.oncall_hours import chain_rows, hours_of, intervals_of
from hotline.stats.periods import Period
from hotline.stats.scope import person_names


@dataclass(frozen=True)
class AgentRow:
    """One person's figures over a period.

    `offered` counts every ring leg sent to them (legs to the hotline's
    fallback number belong to nobody and are left out); `missed` are legs that rang
    out (no answer), `declined` legs picked up but not accepted (personal
    voicemail, no key press, hung up during the prompt), `refused` legs where
    the agent pressed another key than 1, `busy`/`failed` legs the network refused and
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
    refused: int = 0
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
    legs = leg_totals(session, period, hotline_id, DEFAULT_TARGET_SECONDS)
    return agent_table_from(session, period, hotline_id, legs.per_person)


def agent_table_from(
    session: Session,
    period: Period,
    hotline_id: int | None,
    legs: dict[int, dict[str, Any]],
) -> list[AgentRow]:
    """Add on-call hours and names to per-person leg counts (from `leg_totals`).

    On-call hours run until now at the latest: the planned hours still ahead
    have not been served.
    """
    span = (period.starts_at, max(period.starts_at, min(period.ends_at, utcnow())))
    chains = chain_rows(session, *span, hotline_id)
    primary = intervals_of(chains, *span, primary_only=True)
    anywhere = intervals_of(chains, *span)
    person_ids = set(legs) | set(anywhere)
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
