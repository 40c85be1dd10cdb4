"""The calendar pages' data: a month or a week of local days, each with its slots and gaps.

Time no staffed slot covers shows as the default chain when the hotline has one (calls
ring it there), else as a gap; time already past is marked so the page mutes it, and
shows the default chain that was in force then (the audit log's record), or says it
is not recorded. A regular slot is cut where an override rings instead (one with an
active responder, as the call path picks it): the hours it does not ring are marked
overridden.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hotline.models import Person
from hotline.planning.coverage import Coverage, uncovered
from hotline.planning.default_hours import Members, PastView, chains_over, slot_pieces
from hotline.planning.models import OVERRIDE, REGULAR, Slot
from hotline.planning.validation import Span, in_planning_years

MONTH = "month"
WEEK = "week"
GAP = "gap"  # nobody is rung: only the fallback number or voicemail
DEFAULT = "default"  # no slot: the hotline's default chain rings
UNRECORDED = "unrecorded"  # no slot, in the past, before the default chain was recorded
OVERRIDDEN = "overridden"  # a regular slot's hours an override takes: it does not ring
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")


class BadPeriod(ValueError):
    """A ?month= or ?week= value that names no period."""


class PeriodOutOfRange(BadPeriod):
    """A ?month= or ?week= value naming a period outside the years people plan for."""


@dataclass(frozen=True)
class Responder:
    name: str
    active: bool
    absent: str | None = None  # the unavailability kind when they are away then


@dataclass(frozen=True)
class Absence:
    """A place of a slot's chain held by somebody unavailable over [starts_at, ends_at)."""

    slot_id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    kind: str


@dataclass(frozen=True)
class Entry:
    """A slot, or a gap, as seen within one local day."""

    kind: str  # regular, overridden, override, default, unrecorded or gap
    starts_at: datetime  # UTC, clipped to the day
    ends_at: datetime
    slot_id: int | None = None
    responders: tuple[Responder, ...] = ()
    from_previous_day: bool = False
    into_next_day: bool = False
    # Local wall-clock times of starts_at and ends_at, to format each distinct one once.
    start_clock: time | None = None
    end_clock: time | None = None
    past: bool = False  # over by now: nothing can be changed about it

    @property
    def primary(self) -> Responder | None:
        return self.responders[0] if self.responders else None

    @property
    def backups(self) -> tuple[Responder, ...]:
        return self.responders[1:]


@dataclass
class Day:
    day: date
    in_period: bool
    today: bool
    past: bool = False  # before today
    entries: list[Entry] = field(default_factory=list)

    @property
    def has_gap(self) -> bool:
        """Whether the day still has a gap to fill (past gaps are not alarms)."""
        return any(e.kind == GAP and not e.past for e in self.entries)


@dataclass(frozen=True)
class Period:
    """A month or an ISO week, with the days shown around it (whole weeks)."""

    kind: str
    first: date  # the 1st of the month or the Monday of the week
    last: date  # inclusive

    @property
    def shown_first(self) -> date:
        return self.first - timedelta(days=self.first.weekday())

    @property
    def shown_last(self) -> date:
        return self.last + timedelta(days=6 - self.last.weekday())

    @property
    def param(self) -> str:
        return _param(self.kind, self.first)

    @property
    def previous(self) -> str:
        if self.kind == WEEK:
            return _param(WEEK, self.first - timedelta(days=7))
        return _param(MONTH, (self.first - timedelta(days=1)).replace(day=1))

    @property
    def next(self) -> str:
        return _param(self.kind, self.last + timedelta(days=1))


def _param(kind: str, first: date) -> str:
    if kind == WEEK:
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{first.year}-{first.month:02d}"


def month_period(raw: str | None, today: date) -> Period:
    """The month named YYYY-MM (the current one when empty)."""
    if not raw:
        first = today.replace(day=1)
    else:
        match = _MONTH.fullmatch(raw.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise BadPeriod(raw)
        first = date(int(match[1]), int(match[2]), 1)
    _check_year(first, raw)
    following = (first + timedelta(days=31)).replace(day=1)
    return Period(MONTH, first, following - timedelta(days=1))


def week_period(raw: str | None, today: date) -> Period:
    """The ISO week named YYYY-Www (the current one when empty)."""
    if not raw:
        monday = today - timedelta(days=today.weekday())
    else:
        match = _WEEK.fullmatch(raw.strip())
        if not match:
            raise BadPeriod(raw)
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise BadPeriod(raw) from None
    _check_year(monday, raw)
    return Period(WEEK, monday, monday + timedelta(days=6))


def _check_year(day: date, raw: str | None) -> None:
    if not in_planning_years(day):
        raise PeriodOutOfRange(raw or "")


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local day starts."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def build_days(
    period: Period,
    zone: ZoneInfo,
    slots: Iterable[Slot],
    coverage: Coverage,
    now: datetime,
    absences: Iterable[Absence] = (),
    past: PastView = PastView(),  # noqa: B008 - frozen, never changed
) -> list[Day]:
    """The days shown for `period`, each with the slots and uncovered spans that touch it,
    by start.

    A responder is marked absent on the days their unavailability covers part of the slot.
    Past time shows the people active then, and where no slot had one, the default chain
    then (`past`), not today's.
    """
    first, last = period.shown_first, period.shown_last
    today = now.astimezone(zone).date()
    days = [
        Day(d, period.first <= d <= period.last, d == today, d < today)
        for i in range((last - first).days + 1)
        for d in [first + timedelta(days=i)]
    ]
    bounds = [local_midnight(d.day, zone) for d in days]
    bounds.append(local_midnight(last + timedelta(days=1), zone))
    away: dict[int, list[Absence]] = defaultdict(list)
    for absence in absences:
        away[absence.slot_id].append(absence)
    flags = past.history.flags
    found_pieces = [(slot, _shown(slot_pieces(slot, now, flags))) for slot in slots]
    overriding = _ringing(
        piece for slot, found in found_pieces if slot.kind == OVERRIDE for piece in found
    )
    staffed_then: list[tuple[datetime, datetime]] = []
    for slot, found in found_pieces:
        for piece, responders in found:
            for part, kind in _overridden_parts(slot.kind, piece, overriding):
                _place(
                    days,
                    bounds,
                    zone,
                    kind,
                    part,
                    slot.id,
                    responders,
                    part[1] <= now,
                    away.get(slot.id, []),
                )
            if piece[0] < now and any(r.active for r in responders):
                staffed_then.append(piece)
    past_end = min(bounds[-1], now)
    if bounds[0] < past_end:
        # The past's uncovered time, with the flags of then rather than coverage's today's.
        spans = uncovered(sorted(staffed_then), bounds[0], past_end)
        for span in spans:
            for piece, members in chains_over(span, past):
                kind, chain = _unplanned(_names(members))
                _place(days, bounds, zone, kind, piece, None, chain, True, [])
    today_chain = tuple(r.name for r in coverage.default_chain)
    for start, end in coverage.unplanned:
        # The hours ahead may still be filled; the ones behind are drawn above.
        if end > now:
            kind, chain = _unplanned(today_chain)
            _place(days, bounds, zone, kind, (max(start, now), end), None, chain, False, [])
    for day in days:
        day.entries.sort(key=lambda e: (e.starts_at, e.kind != OVERRIDE))
    return days


def _ringing(pieces: Iterable[tuple[Span, tuple[Responder, ...]]]) -> list[Span]:
    """The spans over which these override pieces ring, merged, in order: those with an
    active responder (then, for the past), as the call path picks them."""
    ringing = (span for span, responders in pieces if any(r.active for r in responders))
    merged: list[Span] = []
    for start, end in sorted(ringing):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _overridden_parts(
    kind: str, span: Span, overriding: Sequence[Span]
) -> Iterable[tuple[Span, str]]:
    """A regular slot's piece cut where an override of `overriding` (merged, in order)
    rings instead, each part with its kind: regular or overridden. Other kinds whole."""
    if kind != REGULAR:
        yield span, kind
        return
    cursor, end = span
    # The first override ending after the piece starts: the merged spans are disjoint,
    # so their ends are in order too.
    i = bisect_right(overriding, cursor, key=lambda over: over[1])
    while i < len(overriding) and overriding[i][0] < end:
        over_start, over_end = overriding[i]
        if over_start > cursor:
            yield (cursor, over_start), REGULAR
        cursor_end = min(over_end, end)
        yield (max(cursor, over_start), cursor_end), OVERRIDDEN
        cursor = cursor_end
        i += 1
    if cursor < end:
        yield (cursor, end), REGULAR


def _unplanned(names: tuple[str, ...] | None) -> tuple[str, tuple[Responder, ...]]:
    """The entry kind and responders of uncovered time whose default chain is `names`."""
    if names is None:
        return UNRECORDED, ()
    return (DEFAULT if names else GAP), tuple(Responder(n, active=True) for n in names)


def _names(members: Members | None) -> tuple[str, ...] | None:
    return None if members is None else tuple(name for _id, name in members)


def _shown(
    found: Iterable[tuple[Span, tuple[tuple[Person, bool], ...]]],
) -> list[tuple[Span, tuple[Responder, ...]]]:
    """Slot pieces with their people as the page shows them: name and flag then."""
    return [(span, tuple(Responder(p.name, on) for p, on in people)) for span, people in found]


def _place(
    days: list[Day],
    bounds: Sequence[datetime],
    zone: ZoneInfo,
    kind: str,
    span: tuple[datetime, datetime],
    slot_id: int | None,
    responders: tuple[Responder, ...],
    past: bool,
    absences: list[Absence],
) -> None:
    # Walk only the days the span touches: linear in slots, not slots x days.
    start, end = span
    i = max(0, _day_index(bounds, start))
    while i < len(days) and bounds[i] < end:
        day_start, day_end = bounds[i], bounds[i + 1]
        if start < day_end:
            shown_start, shown_end = max(start, day_start), min(end, day_end)
            days[i].entries.append(
                Entry(
                    kind=kind,
                    starts_at=shown_start,
                    ends_at=shown_end,
                    slot_id=slot_id,
                    responders=_marked(responders, absences, shown_start, shown_end),
                    from_previous_day=start < day_start,
                    into_next_day=end > day_end,
                    start_clock=shown_start.astimezone(zone).time(),
                    end_clock=shown_end.astimezone(zone).time(),
                    past=past,
                )
            )
        i += 1


def _marked(
    responders: tuple[Responder, ...], absences: list[Absence], start: datetime, end: datetime
) -> tuple[Responder, ...]:
    """The responders, those away over part of [start, end) marked with why."""
    if not absences:
        return responders
    away = {a.position: a.kind for a in absences if a.starts_at < end and a.ends_at > start}
    return tuple(replace(r, absent=away[i]) if i in away else r for i, r in enumerate(responders))


def _day_index(bounds: Sequence[datetime], moment: datetime) -> int:
    return bisect_right(bounds, moment) - 1


def clocks(days: Iterable[Day]) -> set[time]:
    """The distinct local times the entries of `days` show."""
    return {t for day in days for e in day.entries for t in (e.start_clock, e.end_clock) if t}


def weeks_of(days: list[Day]) -> list[list[Day]]:
    """The days in rows of seven, Monday first."""
    return [days[i : i + 7] for i in range(0, len(days), 7)]
