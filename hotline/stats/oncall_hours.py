"""Who was on call when: slots clipped to a period, overrides winning, split by kind of hour.

A slot's chain is the on-call duty: position 0 is the primary, the others
backups. Both are reported: `primary` hours (the person answering first) and
`any position` hours (every responder must stay reachable, which is what an
astreinte is). Where an override slot covers part of a regular slot, only the
override's responders are on call for that part, as in the call path.

Slots are few (a handful per day), so they are clipped in SQL and the
resulting intervals are split by local calendar in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from hotline.planning.models import OVERRIDE, Slot, SlotResponder
from hotline.stats.errors import StatsInputError

Interval = tuple[datetime, datetime]


class HourKind(StrEnum):
    """How an hour of availability or work is counted for compensation."""

    WEEKDAY_DAY = "weekday_day"
    WEEKDAY_NIGHT = "weekday_night"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class DayHours:
    """Local hours [start, end) that count as "day" on weekdays (default 08:00-20:00).

    Everything else on a weekday is night; Saturdays and Sundays are weekend
    and public holidays are holiday, whatever the hour.
    """

    start: int = 8
    end: int = 20

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= 24:
            raise StatsInputError(
                f"day hours must satisfy 0 <= start < end <= 24, not {self.start}-{self.end}"
            )


class HourClassifier:
    """Classes local dates and hours as weekday day / night, weekend or public holiday."""

    def __init__(self, zone: ZoneInfo, day_hours: DayHours, country: str = "FR") -> None:
        self.zone = zone
        self.day_hours = day_hours
        try:
            self.holidays = holidays.country_holidays(country)
        except NotImplementedError:
            raise StatsInputError(f"no public holidays known for country {country!r}") from None

    def kind(self, day: date, hour: int) -> HourKind:
        if day in self.holidays:
            return HourKind.HOLIDAY
        if day.weekday() >= 5:
            return HourKind.WEEKEND
        if self.day_hours.start <= hour < self.day_hours.end:
            return HourKind.WEEKDAY_DAY
        return HourKind.WEEKDAY_NIGHT

    def split(self, intervals: Iterable[Interval]) -> dict[HourKind, float]:
        """Seconds of `intervals` (UTC) falling in each kind of local hour."""
        seconds = dict.fromkeys(HourKind, 0.0)
        for start, end in intervals:
            at = start
            while at < end:
                local = at.astimezone(self.zone)
                until = min(self._next_boundary(local), end)
                seconds[self.kind(local.date(), local.hour)] += (until - at).total_seconds()
                at = until
        return seconds

    def _next_boundary(self, local: datetime) -> datetime:
        """The next local midnight, day start or day end after `local`, in UTC."""
        day = local.date()
        for hour in (self.day_hours.start, self.day_hours.end):
            if hour < 24 and local.hour < hour:
                return datetime.combine(day, time(hour), tzinfo=self.zone).astimezone(UTC)
        following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
        return following.astimezone(UTC)


def oncall_intervals(
    session: Session,
    starts_at: datetime,
    ends_at: datetime,
    *,
    hotline_id: int | None = None,
    person_id: int | None = None,
    primary_only: bool = False,
) -> dict[int, list[Interval]]:
    """Each person's on-call time within [starts_at, ends_at), as merged UTC intervals."""
    rows = chain_rows(session, starts_at, ends_at, hotline_id)
    return intervals_of(rows, starts_at, ends_at, person_id=person_id, primary_only=primary_only)


def chain_rows(
    session: Session, starts_at: datetime, ends_at: datetime, hotline_id: int | None = None
) -> Sequence[Row[Any]]:
    """The slots overlapping [starts_at, ends_at), one row per responder (for `intervals_of`)."""
    query = (
        select(
            Slot.id,
            Slot.hotline_id,
            Slot.kind,
            Slot.starts_at,
            Slot.ends_at,
            SlotResponder.person_id,
            SlotResponder.position,
        )
        .outerjoin(SlotResponder, SlotResponder.slot_id == Slot.id)
        .where(Slot.starts_at < ends_at, Slot.ends_at > starts_at)
    )
    if hotline_id is not None:
        query = query.where(Slot.hotline_id == hotline_id)
    return session.execute(query).all()


def intervals_of(
    rows: Sequence[Row[Any]],
    starts_at: datetime,
    ends_at: datetime,
    *,
    person_id: int | None = None,
    primary_only: bool = False,
) -> dict[int, list[Interval]]:
    """`oncall_intervals` from the rows `chain_rows` read (one read serves several views)."""
    overrides: dict[int, list[Interval]] = defaultdict(list)
    for row in rows:
        if row.kind == OVERRIDE:
            overrides[row.hotline_id].append((row.starts_at, row.ends_at))
    per_person: dict[int, list[Interval]] = defaultdict(list)
    for row in rows:
        if row.person_id is None or (person_id is not None and row.person_id != person_id):
            continue
        if primary_only and row.position != 0:
            continue
        span = (max(row.starts_at, starts_at), min(row.ends_at, ends_at))
        hidden = [] if row.kind == OVERRIDE else overrides[row.hotline_id]
        per_person[row.person_id].extend(_subtract(span, hidden))
    return {pid: merged(spans) for pid, spans in per_person.items() if spans}


def hours_of(intervals: Iterable[Interval]) -> float:
    return sum((end - start).total_seconds() for start, end in intervals) / 3600


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals: a person on call twice at once counts once."""
    result: list[Interval] = []
    for start, end in sorted(intervals):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def _subtract(span: Interval, holes: list[Interval]) -> list[Interval]:
    pieces = [span]
    for hole_start, hole_end in holes:
        next_pieces = []
        for start, end in pieces:
            if hole_end <= start or hole_start >= end:
                next_pieces.append((start, end))
                continue
            if start < hole_start:
                next_pieces.append((start, hole_start))
            if hole_end < end:
                next_pieces.append((hole_end, end))
        pieces = next_pieces
    return [(s, e) for s, e in pieces if e > s]
