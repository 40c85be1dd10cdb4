"""Labour rules per hotline: warnings (never errors) when the planning breaks one.

Only primary duty counts (position 0 of the chain in force, overrides winning):
the person who answers first. Two rules, each off when its limit is None:

- max consecutive on-call days: on-call stretches separated by less than 24 hours
  off form one run (a full day off ends a run); the run counts
  ceil(hours from its first start to its last end / 24) days. So a weekly shift is
  7 days, five 08:00-20:00 weekday shifts are 5, eight 24 h shifts in a row are 8.
- min rest between shifts: the time off between two on-call stretches of a person
  must reach the limit (back-to-back slots are one stretch, not a zero rest).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.message_times import WallDay, WallTime
from hotline.models import Hotline, Person
from hotline.planning import audit
from hotline.planning.errors import NotFound, PlanningError
from hotline.planning.models import LabourRules
from hotline.stats.oncall_hours import Interval, oncall_intervals

MAX_CONSECUTIVE_DAYS = "max_consecutive_days"
MIN_REST_HOURS = "min_rest_hours"
RULE_LIMITS = {MAX_CONSECUTIVE_DAYS: (1, 366), MIN_REST_HOURS: (1, 168)}
DAY = timedelta(hours=24)


@dataclass(frozen=True)
class RuleWarning:
    """One breach of a labour rule by one person, over [starts_at, ends_at)."""

    rule: str  # MAX_CONSECUTIVE_DAYS or MIN_REST_HOURS
    person_id: int
    person_name: str
    starts_at: datetime
    ends_at: datetime
    message: object  # a lazy string: str() it in the reader's language

    def __str__(self) -> str:
        return str(self.message)


def labour_rules(session: Session, hotline_id: int) -> LabourRules:
    """The hotline's rules; a hotline never configured gets both rules off (not saved)."""
    rules = session.get(LabourRules, hotline_id)
    return rules or LabourRules(
        hotline_id=hotline_id, max_consecutive_days=None, min_rest_hours=None
    )


def set_labour_rules(
    session: Session,
    hotline_id: int,
    *,
    max_consecutive_days: int | None,
    min_rest_hours: int | None,
    user_id: int | None,
) -> LabourRules:
    """Save a hotline's rules (None turns a rule off); raise PlanningError naming the field."""
    if session.get(Hotline, hotline_id) is None:
        raise NotFound(_l("unknown hotline"), "hotline_id")
    for field, value in (
        (MAX_CONSECUTIVE_DAYS, max_consecutive_days),
        (MIN_REST_HOURS, min_rest_hours),
    ):
        low, high = RULE_LIMITS[field]
        if value is not None and not low <= value <= high:
            raise PlanningError(
                _l("must be between %(low)s and %(high)s", low=low, high=high), field
            )
    rules = session.get(LabourRules, hotline_id)
    before = _snapshot(rules) if rules is not None else None
    if rules is None:
        rules = LabourRules(hotline_id=hotline_id)
        session.add(rules)
    rules.max_consecutive_days, rules.min_rest_hours = max_consecutive_days, min_rest_hours
    session.flush()
    audit.record_change(
        session,
        hotline_id=hotline_id,
        user_id=user_id,
        action=audit.UPDATE if before else audit.CREATE,
        entity=audit.LABOUR_RULES,
        entity_id=hotline_id,
        before=before,
        after=_snapshot(rules),
    )
    return rules


def _snapshot(rules: LabourRules) -> dict[str, int | None]:
    return {
        MAX_CONSECUTIVE_DAYS: rules.max_consecutive_days,
        MIN_REST_HOURS: rules.min_rest_hours,
    }


def rule_warnings(
    session: Session,
    hotline_id: int,
    start: datetime,
    end: datetime,
    person_ids: Collection[int] | None = None,
) -> list[RuleWarning]:
    """Breaches touching [start, end) in the planning as it stands (flush edits first)."""
    rules = labour_rules(session, hotline_id)
    if rules.max_consecutive_days is None and rules.min_rest_hours is None:
        return []
    # Look far enough around the span to see whole runs and rests that reach into it.
    margin = DAY * ((rules.max_consecutive_days or 0) + 31)
    duty = oncall_intervals(
        session, start - margin, end + margin, hotline_id=hotline_id, primary_only=True
    )
    if person_ids is not None:
        duty = {pid: spans for pid, spans in duty.items() if pid in person_ids}
    if not duty:
        return []
    zone = ZoneInfo(session.get_one(Hotline, hotline_id).timezone)
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(duty))).all())
    warnings: list[RuleWarning] = []
    for person_id, spans in duty.items():
        who = (person_id, names[person_id])
        if rules.max_consecutive_days is not None:
            warnings += _long_runs(who, spans, rules.max_consecutive_days, (start, end), zone)
        if rules.min_rest_hours is not None:
            warnings += _short_rests(who, spans, rules.min_rest_hours, (start, end), zone)
    return sorted(warnings, key=lambda w: (w.starts_at, w.person_name, w.rule))


def _runs(spans: list[Interval]) -> list[Interval]:
    """Stretches of duty with less than a full day off inside."""
    runs: list[Interval] = []
    for start, end in spans:
        if runs and start - runs[-1][1] < DAY:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def _long_runs(
    who: tuple[int, str], spans: list[Interval], limit: int, window: Interval, zone: ZoneInfo
) -> list[RuleWarning]:
    warnings = []
    for start, end in _runs(spans):
        days = math.ceil((end - start) / DAY)
        if days <= limit or end <= window[0] or start >= window[1]:
            continue
        message = lazy_ngettext(
            "max %(num)s consecutive on-call day: %(name)s would be on call "
            "%(days)s days in a row from %(date)s",
            "max %(num)s consecutive on-call days: %(name)s would be on call "
            "%(days)s days in a row from %(date)s",
            limit,
            name=who[1],
            days=days,
            date=WallDay.of(start, zone),
        )
        warnings.append(RuleWarning(MAX_CONSECUTIVE_DAYS, *who, start, end, message))
    return warnings


def _short_rests(
    who: tuple[int, str], spans: list[Interval], limit: int, window: Interval, zone: ZoneInfo
) -> list[RuleWarning]:
    warnings = []
    for (_, rest_start), (rest_end, _) in zip(spans, spans[1:], strict=False):
        # `spans` are merged: every pair is separated by a real rest.
        if rest_end - rest_start >= timedelta(hours=limit):
            continue
        if rest_start > window[1] or rest_end < window[0]:
            continue
        message = _l(
            "min rest %(limit)s h between shifts: %(name)s would rest %(rest)s "
            "from %(start)s to %(end)s",
            limit=limit,
            name=who[1],
            rest=_duration(rest_end - rest_start),
            start=WallTime.of(rest_start, zone),
            end=WallTime.of(rest_end, zone),
        )
        warnings.append(RuleWarning(MIN_REST_HOURS, *who, rest_start, rest_end, message))
    return warnings


def _duration(length: timedelta) -> str:
    minutes = round(length.total_seconds() / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d}" if minutes else f"{hours} h"
