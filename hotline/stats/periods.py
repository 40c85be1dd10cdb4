"""Periods of local days, turned into the UTC span [starts_at, ends_at) the queries use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.stats.errors import StatsInputError

MAX_DAYS = 366
PRESETS = ("today", "7d", "30d", "month", "custom")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def zone_named(name: str) -> ZoneInfo:
    """Return the IANA time zone `name`, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise StatsInputError(f"unknown time zone {name!r}") from None


@dataclass(frozen=True)
class Period:
    """The local days `start` to `end` (both included) in the time zone `tz`."""

    start: date
    end: date
    tz: str

    def __post_init__(self) -> None:
        zone_named(self.tz)
        if self.end < self.start:
            raise StatsInputError(
                f"the period ends ({self.end.isoformat()}) before it starts"
                f" ({self.start.isoformat()})"
            )
        if self.day_count > MAX_DAYS:
            raise StatsInputError(
                f"the period spans {self.day_count} days; choose at most {MAX_DAYS}"
            )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def day_count(self) -> int:
        return (self.end - self.start).days + 1

    @cached_property
    def starts_at(self) -> datetime:
        """UTC instant of local midnight opening the first day."""
        return local_midnight(self.start, self.zone)

    @cached_property
    def ends_at(self) -> datetime:
        """UTC instant of local midnight closing the last day (excluded)."""
        return local_midnight(self.end + timedelta(days=1), self.zone)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.day_count)]

    def utc_offsets(self) -> list[tuple[datetime, int]]:
        """The zone's UTC offset (seconds) from each instant on, over the period.

        The first entry starts at `starts_at`; one more follows each DST change.
        """
        zone = self.zone
        offsets = [(self.starts_at, _offset(self.starts_at, zone))]
        at = self.starts_at
        while at < self.ends_at:
            step = min(at + timedelta(hours=6), self.ends_at)
            if _offset(step, zone) != offsets[-1][1]:
                change = _first_change(at, step, zone)
                offsets.append((change, _offset(change, zone)))
            at = step
        return offsets

    @classmethod
    def today(cls, tz: str, now: datetime | None = None) -> Period:
        day = _local_today(tz, now)
        return cls(day, day, tz)

    @classmethod
    def last_days(cls, days: int, tz: str, now: datetime | None = None) -> Period:
        """The `days` local days ending today (today included)."""
        if days < 1:
            raise StatsInputError("a period needs at least one day")
        today = _local_today(tz, now)
        return cls(today - timedelta(days=days - 1), today, tz)

    @classmethod
    def month(cls, year: int, month: int, tz: str) -> Period:
        if not 1 <= month <= 12:
            raise StatsInputError(f"no month {month}: months go from 1 to 12")
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(first, following - timedelta(days=1), tz)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def parse_period(
    preset: str,
    tz: str,
    *,
    now: datetime | None = None,
    start: str | None = None,
    end: str | None = None,
    month: str | None = None,
) -> Period:
    """Build a period from form values: a preset, or custom dates, or a YYYY-MM month."""
    if preset == "today":
        return Period.today(tz, now)
    if preset in ("7d", "30d"):
        return Period.last_days(int(preset[:-1]), tz, now)
    if preset == "month":
        return _parse_month(month or _local_today(tz, now).strftime("%Y-%m"), tz)
    if preset == "custom":
        return Period(_parse_day(start, "start"), _parse_day(end, "end"), tz)
    raise StatsInputError(f"unknown period {preset!r}; choose one of {', '.join(PRESETS)}")


def _parse_month(text: str, tz: str) -> Period:
    found = _MONTH.match(text.strip())
    if not found:
        raise StatsInputError(f"month {text!r} is not of the form YYYY-MM")
    return Period.month(int(found[1]), int(found[2]), tz)


def _parse_day(text: str | None, what: str) -> date:
    if not text:
        raise StatsInputError(f"a custom period needs its {what} date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StatsInputError(f"{what} date {text!r} is not of the form YYYY-MM-DD") from None


def _local_today(tz: str, now: datetime | None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone_named(tz)).date()


def _offset(at: datetime, zone: ZoneInfo) -> int:
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _first_change(before: datetime, after: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (before, after] whose offset differs from `before`'s."""
    initial = _offset(before, zone)
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if _offset(middle, zone) == initial:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)
