"""A period's ring legs joined to their calls: per-agent counts and answer speed.

The per-agent table and the summary's answered-call figures (depth of
overflow, talk time, mean time to answer) read the same rows, so one GROUP BY
on (person, result, accepting leg or not, depth) serves both: a few dozen
rows come back and are added up here. The accepting leg of a call is the one
at its `answered_position` when its outcome is "answered". The service level
and the percentiles of the answer times need every answer time: from the call
records alone, a second query reads them (percentile_cont on PostgreSQL; ranks
on SQLite); with rollups, waits.py counts them per second.

Hours complete in the rollups are read from them (whole UTC days from the
per-day rows), the others from the call records (rollups.py); times are summed
in whole milliseconds either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from hotline.stats.periods import Period
from hotline.stats.rollup_models import StatsLegDay, StatsLegHour
from hotline.stats.rollups import Coverage, coverage, rollup_days_of, rollup_rows_of, within
from hotline.stats.scope import LEG_LAG
from hotline.stats.sqltime import dialect_of, ms_between, percentile_figures
from hotline.stats.waits import wait_figures
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome

RESULT_FIELDS = {
    LegResult.ACCEPTED: "accepted",
    LegResult.NO_ANSWER: "missed",
    LegResult.DECLINED: "declined",
    LegResult.REFUSED: "refused",
    LegResult.BUSY: "busy",
    LegResult.FAILED: "failed",
    LegResult.CANCELED: "canceled",
}


@dataclass
class AnsweredFigures:
    """What the accepting legs of a period's answered calls add up to."""

    calls: int = 0
    wait_total: float = 0.0
    within_target: int = 0
    by_depth: list[int] = field(default_factory=lambda: [0, 0, 0])  # primary, backup 1, 2+
    talk_total: int = 0
    wait_median: float | None = None
    wait_p90: float | None = None


@dataclass
class LegTotals:
    # person id -> AgentRow fields (offered, accepted, missed, ..., accept_seconds_mean)
    per_person: dict[int, dict[str, Any]]
    answered: AnsweredFigures


def leg_totals(
    session: Session, period: Period, hotline_id: int | None, target_seconds: int
) -> LegTotals:
    """Read the period's legs once; return per-person counts and the answered-call figures."""
    return leg_totals_over(
        session, coverage(session, period, hotline_id), hotline_id, target_seconds
    )


def leg_totals_over(
    session: Session, spans: Coverage, hotline_id: int | None, target_seconds: int
) -> LegTotals:
    """`leg_totals` of a period already split into rolled and raw spans."""
    postgresql = dialect_of(session) == "postgresql"
    # Legs are created within LEG_LAG of their call's start (scope.LEG_LAG): the
    # bound lets the database range-scan the legs of the raw hours only.
    leg_spans = [(start - LEG_LAG, end + LEG_LAG) for start, end in spans.raw]
    raw = [within(CallAttempt.created_at, leg_spans), within(Call.started_at, spans.raw)]
    if hotline_id is not None:
        raw.append(Call.hotline_id == hotline_id)
    groups = _either(
        leg_groups(postgresql, raw) if spans.raw else None,
        _rolled_groups(StatsLegHour, rollup_rows_of(StatsLegHour, spans.keys, spans.rolled_hours))
        if spans.rolled_hours
        else None,
        _rolled_groups(StatsLegDay, rollup_days_of(StatsLegDay, spans.keys, spans.rolled_days))
        if spans.rolled_days
        else None,
    )
    per_person: dict[int, dict[str, Any]] = defaultdict(lambda: {"offered": 0})
    accept_ms: dict[int, int] = defaultdict(int)
    answered = AnsweredFigures()
    wait_ms = talk = 0
    for row in session.execute(groups):
        if row.accepting:
            answered.calls += int(row.legs)
            wait_ms += int(row.wait or 0)
            answered.by_depth[row.depth] += int(row.legs)
            talk += int(row.talk or 0)
        if not row.person:
            continue  # the hotline's fallback number: nobody's leg
        if row.result == LegResult.NOT_DIALLED:
            continue  # the caller left during the greeting: this phone never rang
        person = per_person[row.person]
        person["offered"] += int(row.legs)
        name = RESULT_FIELDS.get(row.result)  # None for legs still ringing
        if name is not None:
            person[name] = person.get(name, 0) + int(row.legs)
        if row.result == LegResult.ACCEPTED:
            person["talk_seconds"] = person.get("talk_seconds", 0) + int(row.talk or 0)
            accept_ms[row.person] += int(row.to_accept or 0)
    for person_id, total in accept_ms.items():
        person = per_person[person_id]
        person["accept_seconds_mean"] = total / 1000 / person["accepted"]
    answered.wait_total = wait_ms / 1000
    answered.talk_total = talk
    if answered.calls:
        raw_waits = accepting_legs(postgresql, raw) if spans.raw else None
        if spans.rolled:
            figures = wait_figures(session, raw_waits, spans, (0.5, 0.9), target_seconds)
        else:
            figures = percentile_figures(
                session, raw_waits.subquery().c.wait, (0.5, 0.9), target_seconds * 1000
            )
        answered.within_target = figures.at_most
        median, p90 = figures.percentiles[0.5], figures.percentiles[0.9]
        answered.wait_median = None if median is None else median / 1000
        answered.wait_p90 = None if p90 is None else p90 / 1000
    return LegTotals(dict(per_person), answered)


def leg_groups(postgresql: bool, conditions: list[Any], *prefix: Any) -> Select[Any]:
    """Legs joined to their calls under `conditions`, grouped by `prefix`, person, result,
    accepting or not and depth: counts, talk, and the times to accept and to answer in ms."""
    ring_start = func.coalesce(CallAttempt.ring_started_at, CallAttempt.created_at)
    # Constants inline: PostgreSQL must see the grouping keys exactly as selected.
    person = func.coalesce(CallAttempt.person_id, literal_column("0")).label("person")
    accepting = case(
        (
            and_(
                Call.outcome == literal_column(f"'{Outcome.ANSWERED.value}'"),
                Call.answered_position == CallAttempt.position,
            ),
            literal_column("1"),
        ),
        else_=literal_column("0"),
    ).label("accepting")
    depth = case(
        (CallAttempt.position >= literal_column("2"), literal_column("2")),
        else_=CallAttempt.position,
    ).label("depth")
    keys = (*prefix, person, CallAttempt.result, accepting, depth)
    return (
        select(
            *keys,
            func.count().label("legs"),
            func.sum(CallAttempt.talk_seconds).label("talk"),
            func.sum(ms_between(postgresql, ring_start, CallAttempt.accepted_at)).label(
                "to_accept"
            ),
            func.sum(ms_between(postgresql, Call.started_at, CallAttempt.accepted_at)).label(
                "wait"
            ),
        )
        .join(Call, Call.id == CallAttempt.call_id)
        .where(*conditions)
        .group_by(*keys)
    )


def accepting_legs(postgresql: bool, conditions: list[Any], *prefix: Any) -> Select[Any]:
    """`prefix` and the wait (ms) of each answered call under `conditions` (its accepting leg)."""
    return (
        select(
            *prefix, ms_between(postgresql, Call.started_at, CallAttempt.accepted_at).label("wait")
        )
        .select_from(Call)
        .join(
            CallAttempt,
            and_(
                CallAttempt.call_id == Call.id,
                CallAttempt.position == Call.answered_position,
            ),
        )
        .where(Call.outcome == Outcome.ANSWERED, *conditions)
    )


def _rolled_groups(row: type[StatsLegHour | StatsLegDay], conditions: list[Any]) -> Select[Any]:
    keys = (row.person_key, row.result, row.accepting, row.depth)
    return (
        select(
            row.person_key.label("person"),
            row.result,
            row.accepting,
            row.depth,
            func.sum(row.legs).label("legs"),
            func.sum(row.talk_seconds).label("talk"),
            func.sum(row.to_accept_ms).label("to_accept"),
            func.sum(row.wait_ms).label("wait"),
        )
        .where(*conditions)
        .group_by(*keys)
    )


def _either(*parts_or_none: Select[Any] | None) -> Any:
    """The parts given, one after the other (one statement)."""
    parts = [part for part in parts_or_none if part is not None]
    return parts[0] if len(parts) == 1 else union_all(*parts)
