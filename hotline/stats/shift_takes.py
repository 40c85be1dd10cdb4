"""Shift takes ("prises de poste") of a period per person: how many, how many confirmed, how fast.

The alerts record one take per shift change (a handful a day per hotline), so
the rows come from `hotline.alerts.shifts.takes_between` and are added up here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts.shifts import takes_between
from hotline.models import Hotline
from hotline.stats.periods import Period


@dataclass(frozen=True)
class TakeFigures:
    """One person's shift takes starting in a period.

    `confirm_seconds_mean` runs from the shift's start to the confirmation,
    over confirmed takes only; it is negative when people confirm ahead of
    time (the reminder comes before the start).
    """

    shifts: int
    confirmed: int
    escalated: int
    confirm_seconds_mean: float | None


def take_figures(
    session: Session, period: Period, hotline_id: int | None = None
) -> dict[int, TakeFigures]:
    """Shift-take figures of `period` per incoming person (one hotline, or all of them)."""
    everywhere = hotline_id is None
    hotline_ids = list(session.scalars(select(Hotline.id))) if everywhere else [hotline_id]
    shifts: dict[int, int] = {}
    confirmed: dict[int, int] = {}
    escalated: dict[int, int] = {}
    delays: dict[int, float] = {}
    for hid in hotline_ids:
        for take in takes_between(session, hid, period.starts_at, period.ends_at):
            pid = take.person_id
            shifts[pid] = shifts.get(pid, 0) + 1
            if take.escalated_at is not None:
                escalated[pid] = escalated.get(pid, 0) + 1
            if take.confirmed_at is not None:
                confirmed[pid] = confirmed.get(pid, 0) + 1
                delay = (take.confirmed_at - take.starts_at).total_seconds()
                delays[pid] = delays.get(pid, 0.0) + delay
    return {
        pid: TakeFigures(
            shifts=count,
            confirmed=confirmed.get(pid, 0),
            escalated=escalated.get(pid, 0),
            confirm_seconds_mean=delays[pid] / confirmed[pid] if pid in confirmed else None,
        )
        for pid, count in shifts.items()
    }
