"""The monthly on-call (astreinte) report used for compensation.

Per person and month, in the hotline's time zone:

- availability: hours on call in any position of a chain (a backup must stay
  reachable too), overrides winning over regular slots;
- intervention: talk time of the calls they accepted, which is work time;
- both split into weekday day, weekday night, weekend and public holiday
  (`DayHours`, 08:00-20:00 by default; holidays from the `holidays` package,
  France by default). Availability is split to the second across boundaries;
  an intervention is classed by the local hour it was accepted in;
- calls handled: calls they accepted;
- rest breaches: an intervention after which the person rested less than 11
  consecutive hours before their next duty (their next intervention), when
  they had not already rested 11 hours before it. On-call time without an
  intervention counts as rest (Code du travail, art. L3121-10), so the start
  of the next on-call slot is not a duty. Interventions on every hotline count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.stats.errors import StatsInputError
from hotline.stats.oncall_hours import DayHours, HourClassifier, HourKind, oncall_intervals
from hotline.stats.periods import Period
from hotline.stats.scope import person_names
from hotline.stats.sqltime import EPOCH_UTC, SqlClock, as_hour
from hotline.voice.models import Call, CallAttempt, LegResult

MIN_REST_HOURS = 11
# A leg starts ringing shortly after its call starts; bound the call scan by it.
LONGEST_RING = timedelta(hours=1)


@dataclass(frozen=True)
class RestBreach:
    call_id: int
    intervention_ended_at: datetime
    next_duty_at: datetime
    rest_hours: float
    rest_before_hours: float


@dataclass(frozen=True)
class AstreinteLine:
    person_id: int
    name: str
    availability_seconds: dict[HourKind, float] = field(default_factory=dict)
    intervention_seconds: dict[HourKind, float] = field(default_factory=dict)
    calls_handled: int = 0
    rest_breaches: list[RestBreach] = field(default_factory=list)

    def availability_hours(self, kind: HourKind) -> float:
        return self.availability_seconds.get(kind, 0.0) / 3600

    def intervention_hours(self, kind: HourKind) -> float:
        return self.intervention_seconds.get(kind, 0.0) / 3600


def astreinte_report(
    session: Session,
    year: int,
    month: int,
    tz: str,
    *,
    hotline_id: int | None = None,
    person_id: int | None = None,
    day_hours: DayHours = DayHours(),  # noqa: B008 - frozen dataclass, never mutated
    country: str = "FR",
) -> list[AstreinteLine]:
    """Return one line per person on call or intervening in the month, sorted by name."""
    period = Period.month(year, month, tz)
    if person_id is not None and not person_names(session, [person_id]):
        raise StatsInputError(f"unknown agent {person_id}")
    classifier = HourClassifier(period.zone, day_hours, country)
    available = oncall_intervals(
        session, period.starts_at, period.ends_at, hotline_id=hotline_id, person_id=person_id
    )
    work, handled = _interventions(session, period, classifier, hotline_id, person_id)
    breaches = rest_breaches(session, period, person_id=person_id)
    person_ids = set(available) | set(handled)
    if not person_ids:
        return []
    names = person_names(session, person_ids)
    lines = [
        AstreinteLine(
            person_id=pid,
            name=names.get(pid, f"#{pid}"),
            availability_seconds=classifier.split(available.get(pid, [])),
            intervention_seconds=work.get(pid, dict.fromkeys(HourKind, 0.0)),
            calls_handled=handled.get(pid, 0),
            rest_breaches=breaches.get(pid, []),
        )
        for pid in person_ids
    ]
    return sorted(lines, key=lambda line: (line.name.casefold(), line.person_id))


def _interventions(
    session: Session,
    period: Period,
    classifier: HourClassifier,
    hotline_id: int | None,
    person_id: int | None,
) -> tuple[dict[int, dict[HourKind, float]], dict[int, int]]:
    """Talk seconds per person and kind of hour, and calls handled, summed in SQL by hour."""
    clock = SqlClock.of(session, period)
    hour = clock.local_hour_start(CallAttempt.accepted_at).label("hour")
    query = (
        select(
            CallAttempt.person_id,
            hour,
            func.count().label("calls"),
            func.coalesce(func.sum(CallAttempt.talk_seconds), 0).label("talk"),
        )
        .join(Call, Call.id == CallAttempt.call_id)
        .where(*_accepted_in(period.starts_at, period.ends_at))
        .group_by(CallAttempt.person_id, hour)
    )
    if hotline_id is not None:
        query = query.where(Call.hotline_id == hotline_id)
    if person_id is not None:
        query = query.where(CallAttempt.person_id == person_id)
    work: dict[int, dict[HourKind, float]] = {}
    handled: dict[int, int] = {}
    for row in session.execute(query):
        kinds = work.setdefault(row.person_id, dict.fromkeys(HourKind, 0.0))
        local = as_hour(row.hour)
        kinds[classifier.kind(local.date(), local.hour)] += float(row.talk)
        handled[row.person_id] = handled.get(row.person_id, 0) + row.calls
    return work, handled


def rest_breaches(
    session: Session, period: Period, *, person_id: int | None = None
) -> dict[int, list[RestBreach]]:
    """Interventions of `period` followed by less than 11 h of rest, per person."""
    rest = MIN_REST_HOURS * 3600
    margin = timedelta(hours=MIN_REST_HOURS) + LONGEST_RING
    clock = SqlClock.of(session, period)
    start = clock.epoch(CallAttempt.accepted_at)
    conditions = _accepted_in(period.starts_at - margin, period.ends_at + margin)
    if person_id is not None:
        conditions.append(CallAttempt.person_id == person_id)
    spans = (
        select(
            CallAttempt.person_id,
            CallAttempt.call_id,
            start.label("s"),
            (start + func.coalesce(CallAttempt.talk_seconds, 0)).label("e"),
        )
        .join(Call, Call.id == CallAttempt.call_id)
        .where(*conditions)
        .subquery()
    )
    order = {"partition_by": spans.c.person_id, "order_by": (spans.c.s, spans.c.call_id)}
    windowed = select(
        spans,
        func.lag(spans.c.e).over(**order).label("prev_e"),
        func.lead(spans.c.s).over(**order).label("next_s"),
    ).subquery()
    w = windowed.c
    rows = session.execute(
        select(w.person_id, w.call_id, w.s, w.e, w.prev_e, w.next_s)
        .where(
            w.s >= _epoch(period.starts_at),
            w.s < _epoch(period.ends_at),
            w.prev_e.is_not(None),
            w.s - w.prev_e < rest,
            w.next_s.is_not(None),
            w.next_s - w.e < rest,
        )
        .order_by(w.person_id, w.s)
    ).all()
    found: dict[int, list[RestBreach]] = {}
    for row in rows:
        found.setdefault(row.person_id, []).append(
            RestBreach(
                call_id=row.call_id,
                intervention_ended_at=_instant(row.e),
                next_duty_at=_instant(row.next_s),
                # Interventions that overlap (two calls taken at once) leave no rest, not less.
                rest_hours=max(0.0, (row.next_s - row.e) / 3600),
                rest_before_hours=max(0.0, (row.s - row.prev_e) / 3600),
            )
        )
    return found


def _accepted_in(starts_at: datetime, ends_at: datetime) -> list[object]:
    return [
        CallAttempt.result == LegResult.ACCEPTED,
        CallAttempt.person_id.is_not(None),
        CallAttempt.accepted_at >= starts_at,
        CallAttempt.accepted_at < ends_at,
        # The call's own index narrows the scan; accepting follows the start.
        Call.started_at >= starts_at - LONGEST_RING,
        Call.started_at < ends_at,
    ]


def _epoch(at: datetime) -> float:
    return (at - EPOCH_UTC).total_seconds()


def _instant(seconds: float) -> datetime:
    return EPOCH_UTC + timedelta(seconds=round(float(seconds)))
