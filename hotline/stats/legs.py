"""One pass over a period's ring legs joined to their calls: per-agent counts and answer speed.

The per-agent table and the summary's answered-call figures (time to answer,
service level, depth of overflow, talk time) read the same rows, so one
GROUP BY on (person, result, accepting leg or not, depth) serves both: a few
dozen rows come back and are added up here. The accepting leg of a call is
the one at its `answered_position` when its outcome is "answered".
The percentiles of the answer times need the answer times sorted, which a
hashed GROUP BY cannot do: they take a second query (percentile_cont on
PostgreSQL; ranks on SQLite), over the answered calls only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from hotline.stats.periods import Period
from hotline.stats.scope import calls_in, legs_in
from hotline.stats.sqltime import SqlClock, percentiles
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome

RESULT_FIELDS = {
    LegResult.ACCEPTED: "accepted",
    LegResult.NO_ANSWER: "missed",
    LegResult.DECLINED: "declined",
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
    clock = SqlClock.of(session, period)
    query, keys = _grouped_legs(clock, period, hotline_id, target_seconds)
    per_person: dict[int, dict[str, Any]] = defaultdict(lambda: {"offered": 0})
    accept_seconds: dict[int, float] = defaultdict(float)
    answered = AnsweredFigures()
    for row in session.execute(query):
        if row.accepting:
            answered.calls += row.legs
            answered.wait_total += float(row.wait or 0)
            answered.within_target += row.within
            answered.by_depth[row.depth] += row.legs
            answered.talk_total += int(row.talk or 0)
        if row.person_id is None:
            continue  # the hotline's fallback number: nobody's leg
        if row.result == LegResult.NOT_DIALLED:
            continue  # the caller left during the greeting: this phone never rang
        person = per_person[row.person_id]
        person["offered"] += row.legs
        name = RESULT_FIELDS.get(row.result)  # None for legs still ringing
        if name is not None:
            person[name] = person.get(name, 0) + row.legs
        if row.result == LegResult.ACCEPTED:
            person["talk_seconds"] = person.get("talk_seconds", 0) + int(row.talk or 0)
            accept_seconds[row.person_id] += float(row.to_accept or 0)
    for person_id, seconds in accept_seconds.items():
        person = per_person[person_id]
        person["accept_seconds_mean"] = seconds / person["accepted"]
    if answered.calls:
        waits = percentiles(session, _accepting_waits(keys), (0.5, 0.9))
        answered.wait_median, answered.wait_p90 = waits[0.5], waits[0.9]
    return LegTotals(dict(per_person), answered)


@dataclass(frozen=True)
class _Keys:
    wait: Any
    accepting: Any
    joined: Select[Any]


def _grouped_legs(
    clock: SqlClock, period: Period, hotline_id: int | None, target_seconds: int
) -> tuple[Select[Any], _Keys]:
    wait = clock.seconds_between(Call.started_at, CallAttempt.accepted_at)
    ring_start = func.coalesce(CallAttempt.ring_started_at, CallAttempt.created_at)
    # Constants inline: PostgreSQL must see the grouping keys exactly as selected.
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
    joined = (
        select(CallAttempt.person_id)
        .join(Call, Call.id == CallAttempt.call_id)
        .where(*legs_in(period), *calls_in(period, hotline_id))
    )
    keys = (CallAttempt.person_id, CallAttempt.result, accepting, depth)
    columns = [
        *keys,
        func.count().label("legs"),
        func.sum(CallAttempt.talk_seconds).label("talk"),
        func.sum(clock.seconds_between(ring_start, CallAttempt.accepted_at)).label("to_accept"),
        func.sum(wait).label("wait"),
        func.sum(case((wait <= target_seconds, 1), else_=0)).label("within"),
    ]
    query = joined.with_only_columns(*columns).group_by(*keys)
    return query, _Keys(wait, accepting.element, joined)


def _accepting_waits(keys: _Keys) -> Select[Any]:
    return keys.joined.with_only_columns(keys.wait).where(keys.accepting == literal_column("1"))
