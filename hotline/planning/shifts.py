"""A person's shifts: where the phone rings them, on every hotline, overrides resolved.

"My shifts" and the person's iCal feed both read this, so they cannot disagree:
a person replaced by an override loses that span, the replacement gains it, and a
swapped shift shows once, as the override that rings. Both also list the hours no slot
covers where a hotline's default chain rings the person (`person_default_cover`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.planning.active_flags import ActiveFlags
from hotline.planning.audit import default_chains_held
from hotline.planning.coverage import past_history
from hotline.planning.default_hours import default_hours
from hotline.planning.models import DefaultResponder, Slot, SlotResponder
from hotline.planning.overrides import in_force
from hotline.planning.validation import MAX_SLOT_LENGTH

DEFAULT = "default"  # no slot covers the span: the hotline's default chain rings


@dataclass(frozen=True)
class Shift:
    """A span over which one hotline's phone rings the person, at one place in the chain."""

    hotline: Hotline
    starts_at: datetime
    ends_at: datetime
    slot_id: int | None  # None for the default chain
    kind: str  # OVERRIDE or REGULAR: the slot whose chain rings; DEFAULT: no slot's
    position: int  # 0: on call; n: backup n
    names: tuple[str, ...]  # the whole chain, primary first


def person_shifts(
    session: Session, person_id: int, start: datetime, end: datetime, *, now: datetime | None = None
) -> list[Shift]:
    """The person's shifts overlapping [start, end), whole, by start then hotline name.

    Given `now`, the time before it is judged with the flags of then, as the calendar and
    the default chain's hours are: a slot whose people were all inactive then rang nobody,
    and an override whose people were active then hid the regular slot.
    """
    # Look one slot length further on each side: a shift under way at `start` shows
    # its real start, not `start` (no piece of in_force outlives its slot).
    wide = (start - MAX_SLOT_LENGTH, end + MAX_SLOT_LENGTH)
    shifts = [
        Shift(
            hotline=hotline,
            starts_at=piece.starts_at,
            ends_at=piece.ends_at,
            slot_id=piece.slot_id,
            kind=piece.kind,
            position=piece.chain.index(person_id),
            names=piece.names,
        )
        for hotline in _hotlines_of(session, person_id, *wide)
        for piece in in_force(
            session, hotline.id, *wide, now=now, flags=_flags_then(session, hotline.id, wide, now)
        )
        if person_id in piece.chain and piece.starts_at < end and piece.ends_at > start
    ]
    return sorted(shifts, key=_in_order)


def person_cover(
    session: Session, person_id: int, start: datetime, end: datetime, *, now: datetime
) -> list[Shift]:
    """The person's shifts overlapping [start, end) and the spans of it where a default
    chain rings them, by start then hotline name."""
    found = person_shifts(session, person_id, start, end)
    found += person_default_cover(session, person_id, start, end, now=now)
    return sorted(found, key=_in_order)


def person_default_cover(
    session: Session, person_id: int, start: datetime, end: datetime, *, now: datetime
) -> list[Shift]:
    """The spans of [start, end) that no staffed slot covers on a hotline whose default
    chain rings (or rang) the person, with their place in it: over the past, the chain
    and the flags of then (hotline.planning.default_hours)."""
    shifts = []
    for hotline in _default_chains_of(session, person_id, start, now):
        for hours in default_hours(session, hotline.id, start, end, now):
            ids = [pid for pid, _name in hours.members or ()]
            if person_id not in ids:
                continue  # not in the chain then, or inactive: a call left them out
            names = tuple(name for _pid, name in hours.members or ())
            place = ids.index(person_id)
            shifts.append(
                Shift(hotline, hours.starts_at, hours.ends_at, None, DEFAULT, place, names)
            )
    return shifts


def _flags_then(
    session: Session, hotline_id: int, span: tuple[datetime, datetime], now: datetime | None
) -> ActiveFlags:
    """People's flag changes over the part of `span` before now (none without `now`)."""
    if now is None or span[0] >= now:
        return ActiveFlags()
    return past_history(session, hotline_id, span[0], min(span[1], now)).flags


def _in_order(shift: Shift) -> tuple[datetime, str, int]:
    return shift.starts_at, shift.hotline.name, shift.hotline.id


def _default_chains_of(
    session: Session, person_id: int, start: datetime, now: datetime
) -> list[Hotline]:
    """The hotlines whose default chain holds the person, or held them since `start`."""
    ids = set(
        session.scalars(
            select(DefaultResponder.hotline_id).where(DefaultResponder.person_id == person_id)
        )
    )
    if start < now:
        ids |= default_chains_held(session, person_id, start)
    return list(session.scalars(select(Hotline).where(Hotline.id.in_(ids)).order_by(Hotline.name)))


def _hotlines_of(session: Session, person_id: int, start: datetime, end: datetime) -> list[Hotline]:
    """The hotlines where the person holds a place in some slot over [start, end)."""
    ids = (
        select(Slot.hotline_id)
        .join(SlotResponder, SlotResponder.slot_id == Slot.id)
        .where(SlotResponder.person_id == person_id, Slot.starts_at < end, Slot.ends_at > start)
    )
    return list(session.scalars(select(Hotline).where(Hotline.id.in_(ids)).order_by(Hotline.name)))
