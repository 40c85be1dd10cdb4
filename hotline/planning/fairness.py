"""Fairness: on-call hours per person over a period, by kind of hour, against an even share.

Hours counted are primary duty: position 0 of the chain in force, overrides
winning (hotline.stats.oncall_hours), the person who answers first. They are
split by the statistics' HourClassifier into weekday day (08:00-20:00 local by
default), weekday night, weekend and public holiday (French holidays by default).

The even share is taken among the n people who took part (some primary duty in
the period), for each kind k and for the total:

    share_k = (hours_k of all of them) / n
    deviation_k(person) = hours_k(person) - share_k        (hours; > 0: more than even)
    relative_deviation(person) = deviation_total / share_total   (+0.25: a quarter more)

Example: Alice 22 h, Bruno 16 h, Chloé 2 h: share 40 / 3 = 13.33 h, Alice +8.67 h
(+65 %), Bruno +2.67 h (+20 %), Chloé -11.33 h (-85 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline, Person
from hotline.planning.errors import NotFound, PlanningError
from hotline.planning.validation import aware
from hotline.stats.errors import StatsInputError
from hotline.stats.oncall_hours import DayHours, HourClassifier, HourKind, oncall_intervals

MAX_DAYS = 400  # local days a report covers at most
# Midnight to midnight over MAX_DAYS local days lasts an hour more across a change of clocks.
MAX_PERIOD = timedelta(days=MAX_DAYS, hours=1)


@dataclass(frozen=True)
class PersonHours:
    """One person's primary on-call hours and how far they are from an even share."""

    person_id: int
    name: str
    hours: dict[HourKind, float]
    total: float
    deviation: dict[HourKind, float]
    total_deviation: float
    relative_deviation: float  # total_deviation / the even total share


@dataclass(frozen=True)
class FairnessReport:
    start: datetime
    end: datetime
    people: tuple[PersonHours, ...]  # by name
    share: dict[HourKind, float]  # the even share of each kind of hour
    share_total: float


def fairness(
    session: Session,
    hotline_id: int,
    start: datetime,
    end: datetime,
    *,
    day_hours: DayHours | None = None,
    country: str = "FR",
) -> FairnessReport:
    """Each participant's primary on-call hours over [start, end) and their deviation."""
    hotline = session.get(Hotline, hotline_id)
    if hotline is None:
        raise NotFound(_l("unknown hotline"), "hotline_id")
    start, end = aware(start, "start"), aware(end, "end")
    if not start < end <= start + MAX_PERIOD:
        raise PlanningError(
            _l(
                "The period must end after it starts and span %(days)s days at most.",
                days=MAX_DAYS,
            ),
            "end",
        )
    try:
        classifier = HourClassifier(ZoneInfo(hotline.timezone), day_hours or DayHours(), country)
    except StatsInputError as exc:
        raise PlanningError(str(exc), "country") from None
    duty = oncall_intervals(session, start, end, hotline_id=hotline_id, primary_only=True)
    hours = {
        pid: {kind: seconds / 3600 for kind, seconds in classifier.split(spans).items()}
        for pid, spans in duty.items()
    }
    hours = {pid: split for pid, split in hours.items() if sum(split.values()) > 0}
    count = len(hours) or 1
    share = {kind: sum(split[kind] for split in hours.values()) / count for kind in HourKind}
    share_total = sum(share.values())
    names = dict(session.execute(select(Person.id, Person.name).where(Person.id.in_(hours))).all())
    people = [
        _person_hours(pid, names[pid], split, share, share_total) for pid, split in hours.items()
    ]
    people.sort(key=lambda row: (row.name, row.person_id))
    return FairnessReport(start, end, tuple(people), share, share_total)


def _person_hours(
    person_id: int,
    name: str,
    hours: dict[HourKind, float],
    share: dict[HourKind, float],
    share_total: float,
) -> PersonHours:
    total = sum(hours.values())
    return PersonHours(
        person_id=person_id,
        name=name,
        hours=hours,
        total=total,
        deviation={kind: hours[kind] - share[kind] for kind in HourKind},
        total_deviation=total - share_total,
        relative_deviation=(total - share_total) / share_total if share_total else 0.0,
    )
