"""Checks shared by every way into the planning: the planning file, the services, forms, API.

Times: a wall-clock time names an instant only in a time zone, and not always
exactly one (the clocks skip an hour in spring and repeat one in autumn).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Person
from hotline.planning.errors import PlanningError

# A slot longer than this is a typo (a wrong year or month), not a shift.
MAX_SLOT_LENGTH = timedelta(days=31)
# People plan within these years (inclusive); a date outside is a typo, and near
# the ends of the calendar (year 1, 9999) time-zone arithmetic overflows.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# A rotation's shift lasts 1 hour to 31 days (inclusive, in hours).
SHIFT_HOURS = (1, 744)

T = TypeVar("T", bound=Hashable)
Span = tuple[datetime, datetime]


def in_planning_years(moment: date) -> bool:
    """Whether a date (or date and time) falls within the years people plan for."""
    return FIRST_YEAR <= moment.year <= LAST_YEAR


class InvalidLocalTime(PlanningError):
    """A time that does not name exactly one instant in the hotline's time zone."""


# -- time zones and local times ---------------------------------------------------------------


def known_zone(name: str, field: str = "timezone") -> ZoneInfo:
    """Return the IANA time zone `name`, or raise PlanningError naming `field`."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PlanningError(
            _l(
                "timezone %(name)r is not a known IANA time zone (like Europe/Paris)",
                name=name,
            ),
            field,
        ) from None


def local_to_utc(wall: datetime, zone: ZoneInfo, field: str | None = None) -> datetime:
    """Return the instant a wall-clock time in `zone` names; refuse skipped or repeated times."""
    raw = wall.replace(tzinfo=None).isoformat(timespec="minutes")
    early, late = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    if _wall_clock(early) != wall.replace(tzinfo=None):
        raise InvalidLocalTime(
            _l(
                "%(time)s does not exist in %(zone)s: the clocks jump forward over it that day",
                time=raw,
                zone=zone.key,
            ),
            field,
        )
    if early.utcoffset() != late.utcoffset():
        raise InvalidLocalTime(
            _l(
                "%(time)s happens twice in %(zone)s (the clocks go back that day): write it "
                "with its UTC offset, %(early)s or %(late)s",
                time=raw,
                zone=zone.key,
                early=early.isoformat(timespec="minutes"),
                late=late.isoformat(timespec="minutes"),
            ),
            field,
        )
    return early.astimezone(UTC)


def parse_slot_time(raw: str, zone: ZoneInfo, field: str | None = None) -> datetime:
    """Read a wall-clock time in `zone` (or an ISO time with its offset) and return it in UTC."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidLocalTime(
            _l("%(raw)r is not a date and time like 2026-03-29T08:00", raw=raw), field
        ) from None
    if not in_planning_years(value):
        raise InvalidLocalTime(
            _l(
                "%(raw)r: choose a date between the years %(first)s and %(last)s",
                raw=raw,
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
            field,
        )
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    return local_to_utc(value, zone, field)


def wall_to_utc(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant of a computed wall-clock time, never refusing one (rotation boundaries).

    A repeated time is its first occurrence; a skipped time is read with the offset
    in force before the jump, so 02:30 on the spring-forward night is 03:30 by the
    clock: boundaries stay in order and no shift is lost.
    """
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _wall_clock(moment: datetime) -> datetime:
    # A time in the spring-forward gap comes back from UTC as a different wall-clock time.
    zone = moment.tzinfo
    return moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None)


def aware(moment: datetime, field: str) -> datetime:
    """Return `moment` in UTC; a naive datetime is refused (its zone is unknown)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PlanningError(_l("%(field)s needs a time zone", field=field), field)
    return moment.astimezone(UTC)


# -- spans ------------------------------------------------------------------------------------


def check_order(starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a span that ends before it starts or does not last."""
    if ends_at < starts_at:
        raise PlanningError(_l("end is before start"), "ends_at")
    if ends_at == starts_at:
        raise PlanningError(_l("end equals start: a slot must last"), "ends_at")


def check_span(starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a slot that ends before it starts, does not last, or lasts absurdly long."""
    check_order(starts_at, ends_at)
    if ends_at - starts_at > MAX_SLOT_LENGTH:
        raise PlanningError(
            _l("slot is longer than %(days)s days", days=MAX_SLOT_LENGTH.days), "ends_at"
        )


def overlapping(spans: Iterable[tuple[datetime, datetime, T]]) -> list[tuple[T, T]]:
    """Pairs (later, earlier) of labels whose [start, end) spans overlap, in start order."""
    pairs: list[tuple[T, T]] = []
    latest: tuple[datetime, datetime, T] | None = None
    for start, end, label in sorted(spans, key=lambda span: (span[0], span[1])):
        if latest is not None and start < latest[1]:
            pairs.append((label, latest[2]))
        if latest is None or end > latest[1]:
            latest = (start, end, label)
    return pairs


def subtract(span: Span, holes: Iterable[Span]) -> list[Span]:
    """The parts of `span` outside every hole, in order."""
    pieces = [span]
    for hole_start, hole_end in holes:
        kept = []
        for start, end in pieces:
            if hole_end <= start or hole_start >= end:
                kept.append((start, end))
                continue
            if start < hole_start:
                kept.append((start, hole_start))
            if hole_end < end:
                kept.append((hole_end, end))
        pieces = kept
    return [(start, end) for start, end in pieces if end > start]


def check_note(note: str | None, max_length: int = 200) -> str | None:
    """Return the note trimmed (None when blank), or refuse one too long."""
    note = (note or "").strip() or None
    if note is not None and len(note) > max_length:
        raise PlanningError(_l("at most %(n)s characters", n=max_length), "note")
    return note


# -- chains of people -------------------------------------------------------------------------


def repeated(items: Sequence[T]) -> list[T]:
    """The items that appear more than once, each once, in order of first appearance."""
    seen: set[T] = set()
    doubles: dict[T, None] = {}
    for item in items:
        if item in seen:
            doubles[item] = None
        seen.add(item)
    return list(doubles)


def check_people(session: Session, person_ids: Sequence[int], field: str) -> dict[int, Person]:
    """Return the people of a chain or member list by id; refuse empty, doubled or unknown."""
    if not person_ids:
        raise PlanningError(_l("at least one person is needed"), field)
    found = {
        person.id: person
        for person in session.scalars(select(Person).where(Person.id.in_(set(person_ids))))
    }
    unknown = [str(pid) for pid in person_ids if pid not in found]
    if unknown:
        raise PlanningError(
            _l("unknown person: %(ids)s", ids=", ".join(dict.fromkeys(unknown))), field
        )
    doubles = repeated(list(person_ids))
    if doubles:
        names = ", ".join(found[pid].name for pid in doubles)
        raise PlanningError(_l("%(names)s appears more than once", names=names), field)
    return found
