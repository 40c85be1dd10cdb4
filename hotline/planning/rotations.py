"""Rotations: members taking turns, materialised as regular slots weeks ahead.

How a rotation becomes slots:

1. Shifts. From `start_date` at `handoff`, consecutive shifts of `shift_hours`,
   counted on the wall clock of the rotation's zone (the hotline's unless set):
   a 08:00 handoff stays at 08:00 across DST changes, so a 12 h night across
   spring-forward lasts 11 h and one across fall-back 13 h.
2. Cover. Each selected weekday covers from its handoff to the next day's
   handoff, or only its daily window (08:00-20:00; 20:00-08:00 runs overnight).
   Every day with no window is round the clock.
3. Slots. Each shift cut to the cover gives the slots (a weekly shift on a
   weekdays-only 08:00-20:00 rotation gives five slots). Shifts with no cover
   are not turns: the n-th covered shift is member n's turn (modulo the members).
4. Chain. A member unavailable (leave, sickness, inactive) at any time of a slot
   is skipped for it and the next available member in line takes it; the skip is
   reported. Then come `backup_count` available members next in line, then the
   available explicit backups. Nobody available: the slot is not written and is
   reported uncovered.

Generating is idempotent: slots already right are left alone, this rotation's
other slots in the window are updated or deleted, overrides are never touched,
and a regular slot made by hand or by another rotation is never overwritten: the
shift that would overlap it is reported as a conflict instead. Slots that
started before the window are left as they are (what was on call stays so).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload

from hotline.db import utcnow
from hotline.message_times import WallTime
from hotline.models import Person
from hotline.planning import audit
from hotline.planning.errors import NotFound, PlanningError
from hotline.planning.models import (
    EVERY_DAY,
    REGULAR,
    Rotation,
    RotationBackup,
    RotationMember,
    Slot,
    SlotResponder,
    Unavailability,
)
from hotline.planning.rules import RuleWarning, rule_warnings
from hotline.planning.slots import (
    claim_slot,
    lock_planning,
    remove_slot,
    set_chain,
    slots_between,
)
from hotline.planning.unavailability import unavailable_between
from hotline.planning.validation import (
    SHIFT_HOURS,
    Span,
    aware,
    check_people,
    in_planning_years,
    known_zone,
    wall_to_utc,
)
from hotline.planning.versions import claim_version
from hotline.stats.oncall_hours import merged

ALL_WEEKDAYS = frozenset(range(1, 8))
MAX_WEEKS = 104
INACTIVE = "inactive"  # a skip reason besides the unavailability kinds
ROTATION_CHANGED = _l(
    "somebody changed this rotation meanwhile: reload it, then make your change again"
)
Cutter = Callable[[datetime, datetime], list[Span]]

# What generation does with each slot it wants (PlannedSlot.status).
CREATE, UPDATE, KEEP, CONFLICT, STARTED = "create", "update", "keep", "conflict", "started"


@dataclass(frozen=True)
class RotationSpec:
    """Everything a rotation form or API call sets; see the module docstring."""

    name: str
    members: Sequence[int]  # person ids, in turn order
    shift_hours: int
    handoff: time  # local wall-clock time
    start_date: date  # the first shift starts this day at `handoff`
    timezone: str | None = None  # None: the hotline's
    weekdays: Collection[int] = ALL_WEEKDAYS  # ISO: 1 = Monday ... 7 = Sunday
    window_start: time | None = None  # both or neither
    window_end: time | None = None
    backup_count: int = 0  # members next in line after the primary
    backups: Sequence[int] = ()  # person ids rung after those


@dataclass(frozen=True)
class Skip:
    """A member passed over for one slot: who, why, and who took the place."""

    starts_at: datetime
    ends_at: datetime
    person_id: int
    person_name: str
    reason: str  # leave / sickness / other / inactive
    note: str | None
    position: int  # 0: the primary's turn; 1...: a backup place
    replaced_by_id: int | None
    replaced_by_name: str | None


@dataclass(frozen=True)
class Conflict:
    """A shift not written because another regular slot holds part of its span."""

    starts_at: datetime
    ends_at: datetime
    slot_id: int
    slot_starts_at: datetime
    slot_ends_at: datetime
    slot_rotation_id: int | None  # None: a slot made by hand
    message: object

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class PlannedSlot:
    starts_at: datetime
    ends_at: datetime
    chain: tuple[int, ...]
    status: str  # CREATE, UPDATE, KEEP, CONFLICT or STARTED


@dataclass(frozen=True)
class GenerationResult:
    """What a generation wrote (or, previewed, would write) and what it could not."""

    rotation_id: int
    start: datetime
    end: datetime
    slots: tuple[PlannedSlot, ...]
    deleted: int
    skips: tuple[Skip, ...]
    conflicts: tuple[Conflict, ...]
    uncovered: tuple[Span, ...]
    warnings: tuple[RuleWarning, ...]
    written: bool = True

    def count(self, status: str) -> int:
        return sum(1 for slot in self.slots if slot.status == status)

    @property
    def changed(self) -> bool:
        return self.deleted > 0 or any(s.status in (CREATE, UPDATE) for s in self.slots)


# -- rotations --------------------------------------------------------------------------------


def hotline_rotations(session: Session, hotline_id: int) -> list[Rotation]:
    """A hotline's rotations by name, members and backups loaded."""
    return list(
        session.scalars(
            select(Rotation)
            .where(Rotation.hotline_id == hotline_id)
            .options(
                selectinload(Rotation.members).joinedload(RotationMember.person),
                selectinload(Rotation.backups).joinedload(RotationBackup.person),
            )
            .order_by(Rotation.name)
        )
    )


def get_rotation(session: Session, rotation_id: int) -> Rotation:
    rotation = session.get(Rotation, rotation_id)
    if rotation is None:
        raise NotFound(_l("this rotation does not exist (any more)"), "rotation_id")
    return rotation


def rotation_spec(rotation: Rotation) -> RotationSpec:
    """A rotation as the spec that would create it (to fill an edit form)."""
    return RotationSpec(
        name=rotation.name,
        members=[m.person_id for m in rotation.members],
        shift_hours=rotation.shift_hours,
        handoff=rotation.handoff,
        start_date=rotation.start_date,
        timezone=rotation.timezone,
        weekdays=rotation.weekday_set,
        window_start=rotation.window_start,
        window_end=rotation.window_end,
        backup_count=rotation.backup_count,
        backups=[b.person_id for b in rotation.backups],
    )


def create_rotation(
    session: Session, hotline_id: int, spec: RotationSpec, *, user_id: int | None
) -> Rotation:
    """Add a rotation (no slots yet: generate_rotation writes them)."""
    lock_planning(session, hotline_id)
    _check_spec(session, hotline_id, spec, rotation_id=None)
    rotation = Rotation(hotline_id=hotline_id)
    _apply_spec(rotation, spec)
    session.add(rotation)
    session.flush()
    _record(session, rotation, audit.CREATE, None, user_id)
    return rotation


def update_rotation(
    session: Session, rotation_id: int, spec: RotationSpec, *, version: int, user_id: int | None
) -> Rotation:
    """Change a rotation, if nobody did since `version` was read; generate again to apply."""
    rotation = get_rotation(session, rotation_id)
    lock_planning(session, rotation.hotline_id)
    _check_spec(session, rotation.hotline_id, spec, rotation_id=rotation.id)
    before = _snapshot(rotation)
    _claim_rotation(session, rotation, version)
    # The old places go first: reordered members would break (rotation, person)
    # uniqueness if the rows were updated in place.
    rotation.members, rotation.backups = [], []
    session.flush()
    _apply_spec(rotation, spec)
    session.flush()
    _record(session, rotation, audit.UPDATE, before, user_id)
    return rotation


def delete_rotation(
    session: Session,
    rotation_id: int,
    *,
    version: int,
    user_id: int | None,
    now: datetime | None = None,
) -> int:
    """Delete a rotation and its slots from `now` on; earlier ones stay, as made by hand.

    Returns how many slots were deleted.
    """
    rotation = get_rotation(session, rotation_id)
    lock_planning(session, rotation.hotline_id)
    now = aware(now or utcnow(), "now")
    before = _snapshot(rotation)
    _claim_rotation(session, rotation, version)
    future = session.scalars(
        select(Slot)
        .where(Slot.rotation_id == rotation.id, Slot.starts_at >= now)
        .options(selectinload(Slot.responders))
    ).all()
    for slot in future:
        remove_slot(session, slot, user_id=user_id)
    session.execute(
        update(Slot)
        .where(Slot.rotation_id == rotation.id)
        .values(rotation_id=None)
        .execution_options(synchronize_session=False)
    )
    session.delete(rotation)
    session.flush()
    audit.record_change(
        session,
        hotline_id=rotation.hotline_id,
        user_id=user_id,
        action=audit.DELETE,
        entity=audit.ROTATION,
        entity_id=rotation_id,
        before=before,
        after=None,
    )
    return len(future)


def _claim_rotation(session: Session, rotation: Rotation, version: int) -> None:
    claim_version(session, rotation, version, ROTATION_CHANGED)


def _check_spec(
    session: Session, hotline_id: int, spec: RotationSpec, rotation_id: int | None
) -> None:
    """Raise PlanningError naming the first wrong field of `spec`."""
    name = spec.name.strip()
    if not name or len(name) > 120:
        raise PlanningError(_l("a name of 1 to 120 characters is needed"), "name")
    taken = select(Rotation.id).where(Rotation.hotline_id == hotline_id, Rotation.name == name)
    if rotation_id is not None:
        taken = taken.where(Rotation.id != rotation_id)
    if session.scalar(taken) is not None:
        raise PlanningError(_l("this hotline already has a rotation of this name"), "name")
    check_people(session, spec.members, "members")
    low, high = SHIFT_HOURS
    if not isinstance(spec.shift_hours, int) or not low <= spec.shift_hours <= high:
        raise PlanningError(
            _l("a shift lasts %(low)s to %(high)s hours", low=low, high=high), "shift_hours"
        )
    if not in_planning_years(spec.start_date):
        raise PlanningError(_l("this start date is not plausible"), "start_date")
    if spec.timezone is not None:
        known_zone(spec.timezone)
    if not spec.weekdays or not set(spec.weekdays) <= ALL_WEEKDAYS:
        raise PlanningError(_l("choose at least one day of the week"), "weekdays")
    _check_window(spec)
    if not 0 <= spec.backup_count < len(spec.members):
        raise PlanningError(_backup_count_refusal(len(spec.members)), "backup_count")
    if spec.backups:
        check_people(session, spec.backups, "backups")


def _backup_count_refusal(members: int) -> Any:
    # "between 0 and 0" tells a one-member rotation nothing: say why there is no choice.
    if members == 1:
        return _l(
            "a rotation with one member has no backups among its members: choose 0 "
            "(backups named separately still back them up)"
        )
    return _l("between 0 and %(n)s (the other members)", n=members - 1)


def _check_window(spec: RotationSpec) -> None:
    if (spec.window_start is None) != (spec.window_end is None):
        missing = "window_end" if spec.window_end is None else "window_start"
        raise PlanningError(_l("give both the start and the end of the daily window"), missing)
    if spec.window_start is not None and spec.window_start == spec.window_end:
        raise PlanningError(_l("the daily window must not start and end at once"), "window_end")


def _apply_spec(rotation: Rotation, spec: RotationSpec) -> None:
    rotation.name = spec.name.strip()
    rotation.shift_hours = spec.shift_hours
    rotation.handoff = spec.handoff
    rotation.start_date = spec.start_date
    rotation.timezone = spec.timezone
    rotation.weekdays = sum(1 << (day - 1) for day in set(spec.weekdays))
    rotation.window_start, rotation.window_end = spec.window_start, spec.window_end
    rotation.backup_count = spec.backup_count
    rotation.members = [
        RotationMember(position=i, person_id=pid) for i, pid in enumerate(spec.members)
    ]
    rotation.backups = [
        RotationBackup(position=i, person_id=pid) for i, pid in enumerate(spec.backups)
    ]


def _snapshot(rotation: Rotation) -> dict[str, Any]:
    return {
        "name": rotation.name,
        "members": [m.person_id for m in rotation.members],
        "shift_hours": rotation.shift_hours,
        "handoff": rotation.handoff.isoformat(timespec="minutes"),
        "start_date": rotation.start_date.isoformat(),
        "timezone": rotation.timezone,
        "weekdays": sorted(rotation.weekday_set),
        "window": None
        if rotation.window_start is None or rotation.window_end is None
        else [
            rotation.window_start.isoformat(timespec="minutes"),
            rotation.window_end.isoformat(timespec="minutes"),
        ],
        "backup_count": rotation.backup_count,
        "backups": [b.person_id for b in rotation.backups],
    }


def _record(
    session: Session,
    rotation: Rotation,
    action: str,
    before: dict[str, Any] | None,
    user_id: int | None,
) -> None:
    session.expire(rotation, ["members", "backups"])
    audit.record_change(
        session,
        hotline_id=rotation.hotline_id,
        user_id=user_id,
        action=action,
        entity=audit.ROTATION,
        entity_id=rotation.id,
        before=before,
        after=_snapshot(rotation),
    )


# -- generation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Wanted:
    starts_at: datetime
    ends_at: datetime
    chain: tuple[int, ...]


@dataclass
class _Plan:
    planned: list[PlannedSlot] = field(default_factory=list)
    creates: list[_Wanted] = field(default_factory=list)
    updates: list[tuple[Slot, _Wanted]] = field(default_factory=list)
    deletes: list[Slot] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def rotation_zone(rotation: Rotation) -> ZoneInfo:
    """The zone the rotation's handoff and window are read in."""
    return ZoneInfo(rotation.timezone or rotation.hotline.timezone)


def rotation_pieces(
    rotation: Rotation, zone: ZoneInfo, until: datetime
) -> Iterator[tuple[datetime, datetime, int]]:
    """The rotation's slots starting before `until`: (start, end, turn number), in order."""
    cut = _cutter(rotation, zone, until)
    step = timedelta(hours=rotation.shift_hours)
    wall = datetime.combine(rotation.start_date, rotation.handoff)
    turn = 0
    while True:
        start, end = wall_to_utc(wall, zone), wall_to_utc(wall + step, zone)
        wall += step
        if start >= until:
            return
        pieces = [(s, e) for s, e in cut(start, end) if s < until]
        for piece_start, piece_end in pieces:
            yield piece_start, piece_end, turn
        if pieces:
            turn += 1


def _cutter(rotation: Rotation, zone: ZoneInfo, until: datetime) -> Cutter:
    """A function cutting a shift to the rotation's cover (days and daily window)."""
    if rotation.weekdays == EVERY_DAY and rotation.window_start is None:
        return lambda start, end: [(start, end)] if end > start else []
    begin, finish = rotation.handoff, rotation.handoff
    if rotation.window_start is not None and rotation.window_end is not None:
        begin, finish = rotation.window_start, rotation.window_end
    days, spans = rotation.weekday_set, []
    day, last = rotation.start_date - timedelta(days=1), until.astimezone(zone).date()
    while day <= last + timedelta(days=1):
        if day.isoweekday() in days:
            end_day = day if finish > begin else day + timedelta(days=1)
            spans.append(
                (
                    wall_to_utc(datetime.combine(day, begin), zone),
                    wall_to_utc(datetime.combine(end_day, finish), zone),
                )
            )
        day += timedelta(days=1)
    cover = merged(spans)
    ends = [end for _start, end in cover]

    def cut(start: datetime, end: datetime) -> list[Span]:
        pieces = []
        for cover_start, cover_end in cover[bisect.bisect_right(ends, start) :]:
            if cover_start >= end:
                break
            piece = (max(start, cover_start), min(end, cover_end))
            if piece[1] > piece[0]:
                pieces.append(piece)
        return pieces

    return cut


def preview_generation(
    session: Session, rotation_id: int, *, start: datetime, weeks: int
) -> GenerationResult:
    """What generate_rotation would do, warnings included; nothing is kept."""
    nested = session.begin_nested()
    try:
        result = generate_rotation(session, rotation_id, start=start, weeks=weeks, user_id=None)
    finally:
        nested.rollback()
    return replace(result, written=False)


def generate_rotation(
    session: Session, rotation_id: int, *, start: datetime, weeks: int, user_id: int | None
) -> GenerationResult:
    """Write the rotation's regular slots for the shifts of [start, start + weeks)."""
    rotation = get_rotation(session, rotation_id)
    hotline = lock_planning(session, rotation.hotline_id)
    start = aware(start, "start")
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise PlanningError(_l("between 1 and %(n)s weeks", n=MAX_WEEKS), "weeks")
    zone = rotation_zone(rotation)
    # Weeks on the wall clock: two weeks from Friday 08:00 end on a Friday 08:00, DST or not.
    end = wall_to_utc(start.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks), zone)
    pieces = [p for p in rotation_pieces(rotation, zone, end) if p[1] > start]
    wanted, skips, uncovered = _chains(session, rotation, pieces)
    plan = _plan(session, rotation, (start, end), wanted, zone)
    if plan.creates or plan.updates or plan.deletes:
        _write(session, rotation, plan, user_id)
        _record_generation(session, rotation, (start, end), plan, skips, user_id)
    people = {m.person_id for m in rotation.members} | {b.person_id for b in rotation.backups}
    warnings = rule_warnings(session, hotline.id, start, end, people)
    return GenerationResult(
        rotation_id=rotation.id,
        start=start,
        end=end,
        slots=tuple(plan.planned),
        deleted=len(plan.deletes),
        skips=tuple(skips),
        conflicts=tuple(plan.conflicts),
        uncovered=tuple(uncovered),
        warnings=tuple(warnings),
    )


Absence = tuple[str, str | None]  # (reason, note)
Passed = tuple[int, int, int | None]  # (person, place in the chain, who took it)


@dataclass(frozen=True)
class _Roster:
    """The rotation's people and their unavailability over the generated span."""

    people: dict[int, Person]
    away: dict[int, list[Unavailability]]

    def absence(self, person_id: int, start: datetime, end: datetime) -> Absence | None:
        """Why the person cannot hold [start, end), or None when they can."""
        if not self.people[person_id].active:
            return INACTIVE, None
        for period in self.away.get(person_id, ()):
            if period.starts_at < end and period.ends_at > start:
                return period.kind, period.note
        return None


def _chains(
    session: Session, rotation: Rotation, pieces: list[tuple[datetime, datetime, int]]
) -> tuple[list[_Wanted], list[Skip], list[Span]]:
    """The chain of each piece, members unavailable over it skipped."""
    members = [m.person_id for m in rotation.members]
    backups = [b.person_id for b in rotation.backups]
    ids = set(members) | set(backups)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}
    away = unavailable_between(session, ids, pieces[0][0], pieces[-1][1]) if pieces else {}
    roster = _Roster(people, away)
    wanted, skips, uncovered = [], [], []
    for start, end, turn in pieces:
        order = [members[(turn + i) % len(members)] for i in range(len(members))]
        chain, passed = _fill_chain(roster, (start, end), order, 1 + rotation.backup_count)
        for pid in backups:
            if pid in chain:
                continue
            if roster.absence(pid, start, end) is None:
                chain.append(pid)
            else:
                passed.append((pid, len(chain), None))
        skips += [_skip(roster, (start, end), one) for one in passed]
        if chain:
            wanted.append(_Wanted(start, end, tuple(chain)))
        else:
            uncovered.append((start, end))
    return wanted, skips, uncovered


def _fill_chain(
    roster: _Roster, span: Span, order: list[int], places: int
) -> tuple[list[int], list[Passed]]:
    """Take the first `places` available people of `order`; note who was passed over."""
    chain: list[int] = []
    passed: list[Passed] = []
    waiting: list[int] = []
    for pid in order:
        if len(chain) == places:
            break
        if roster.absence(pid, *span) is not None:
            waiting.append(pid)
            continue
        passed += [(w, len(chain), pid) for w in waiting]
        waiting = []
        chain.append(pid)
    passed += [(w, len(chain), None) for w in waiting]
    return chain, passed


def _skip(roster: _Roster, span: Span, passed: Passed) -> Skip:
    person_id, position, taker = passed
    reason, note = roster.absence(person_id, *span) or (INACTIVE, None)
    return Skip(
        starts_at=span[0],
        ends_at=span[1],
        person_id=person_id,
        person_name=roster.people[person_id].name,
        reason=reason,
        note=note,
        position=position,
        replaced_by_id=taker,
        replaced_by_name=roster.people[taker].name if taker is not None else None,
    )


def _plan(
    session: Session, rotation: Rotation, window: Span, wanted: list[_Wanted], zone: ZoneInfo
) -> _Plan:
    """Compare the wanted slots with the hotline's regular slots: what to write, what not."""
    plan = _Plan()
    start, low, high = window[0], *window
    if wanted:
        # A shift in progress starts before the window, the last one may end after it.
        low, high = min(low, wanted[0].starts_at), max(high, wanted[-1].ends_at)
    existing = slots_between(session, rotation.hotline_id, low, high, kinds=(REGULAR,))
    ours = {
        (s.starts_at, s.ends_at): s
        for s in existing
        if s.rotation_id == rotation.id and s.starts_at >= start
    }
    keys = {(w.starts_at, w.ends_at) for w in wanted if w.starts_at >= start}
    plan.deletes = [slot for key, slot in ours.items() if key not in keys]
    staying = [s for s in existing if s not in plan.deletes]
    ends = [s.ends_at for s in staying]
    for piece in wanted:
        slot = ours.get((piece.starts_at, piece.ends_at)) if piece.starts_at >= start else None
        if slot is None:
            status = _place(plan, rotation, piece, staying, ends, start, zone)
        elif tuple(r.person_id for r in slot.responders) == piece.chain:
            status = KEEP
        else:
            plan.updates.append((slot, piece))
            status = UPDATE
        plan.planned.append(PlannedSlot(piece.starts_at, piece.ends_at, piece.chain, status))
    return plan


def _place(
    plan: _Plan,
    rotation: Rotation,
    piece: _Wanted,
    staying: list[Slot],
    ends: list[datetime],
    start: datetime,
    zone: ZoneInfo,
) -> str:
    """CREATE unless a staying slot holds part of the piece's span."""
    # Regular slots never overlap: sorted by start, they are sorted by end too.
    index = bisect.bisect_right(ends, piece.starts_at)
    blocker = staying[index] if index < len(staying) else None
    if blocker is None or blocker.starts_at >= piece.ends_at:
        plan.creates.append(piece)
        return CREATE
    if piece.starts_at < start and blocker.rotation_id == rotation.id:
        return STARTED
    values = {
        "start": WallTime.of(piece.starts_at, zone),
        "end": WallTime.of(piece.ends_at, zone),
        "slot_start": WallTime.of(blocker.starts_at, zone),
        "slot_end": WallTime.of(blocker.ends_at, zone),
    }
    if blocker.rotation_id is None:
        message = _l(
            "shift %(start)s - %(end)s not generated: the slot %(slot_start)s - %(slot_end)s "
            "made by hand is in the way",
            **values,
        )
    else:
        message = _l(
            "shift %(start)s - %(end)s not generated: the slot %(slot_start)s - %(slot_end)s "
            "of another rotation is in the way",
            **values,
        )
    plan.conflicts.append(
        Conflict(
            piece.starts_at,
            piece.ends_at,
            blocker.id,
            blocker.starts_at,
            blocker.ends_at,
            blocker.rotation_id,
            message,
        )
    )
    return CONFLICT


def _record_generation(
    session: Session,
    rotation: Rotation,
    window: Span,
    plan: _Plan,
    skips: list[Skip],
    user_id: int | None,
) -> None:
    """One audit row for the run; updated and deleted slots have their own rows."""
    audit.record_change(
        session,
        hotline_id=rotation.hotline_id,
        user_id=user_id,
        action=audit.GENERATE,
        entity=audit.ROTATION,
        entity_id=rotation.id,
        before=None,
        after={
            "start": window[0].isoformat(),
            "end": window[1].isoformat(),
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "deleted": len(plan.deletes),
            "conflicts": len(plan.conflicts),
            "skips": [
                [s.starts_at.isoformat(), s.person_name, s.reason, s.replaced_by_name]
                for s in skips
            ],
        },
    )


def _write(session: Session, rotation: Rotation, plan: _Plan, user_id: int | None) -> None:
    for slot in plan.deletes:
        remove_slot(session, slot, user_id=user_id)
    for slot, piece in plan.updates:
        before = audit.slot_snapshot(slot)
        claim_slot(session, slot, slot.version)
        set_chain(session, slot, piece.chain)
        audit.record_slot_change(session, slot, action=audit.UPDATE, user_id=user_id, before=before)
    if not plan.creates:
        return
    # Bulk INSERT ... RETURNING, as the planning file does: a year of shifts is two
    # statements, not hundreds of ORM objects.
    slot_ids = session.scalars(
        insert(Slot).returning(Slot.id, sort_by_parameter_order=True),
        [
            {
                "hotline_id": rotation.hotline_id,
                "kind": REGULAR,
                "starts_at": piece.starts_at,
                "ends_at": piece.ends_at,
                "rotation_id": rotation.id,
            }
            for piece in plan.creates
        ],
    ).all()
    session.execute(
        insert(SlotResponder),
        [
            {"slot_id": slot_id, "position": i, "person_id": pid}
            for slot_id, piece in zip(slot_ids, plan.creates, strict=True)
            for i, pid in enumerate(piece.chain)
        ],
    )
