"""Coverage gaps: the spans where no slot puts an active person on call."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from hotline.models import Person
from hotline.planning.models import OVERRIDE, REGULAR, Slot, SlotResponder
from hotline.planning.validation import MAX_SLOT_LENGTH, Span


def coverage_gaps(session: Session, hotline_id: int, start: datetime, end: datetime) -> list[Span]:
    """The spans of [start, end) that no slot (override or regular) with an active responder
    covers, merged, in order. The default chain, if any, rings there.

    One ordered scan: a bounded range of ix_slot_lookup, whatever the planning's size.
    """
    staffed = exists(
        select(SlotResponder.slot_id)
        .join(Person, Person.id == SlotResponder.person_id)
        .where(SlotResponder.slot_id == Slot.id, Person.active.is_(True))
    )
    covered = session.execute(
        select(Slot.starts_at, Slot.ends_at)
        .where(
            Slot.hotline_id == hotline_id,
            Slot.kind.in_((OVERRIDE, REGULAR)),
            Slot.starts_at > start - MAX_SLOT_LENGTH,
            Slot.starts_at < end,
            Slot.ends_at > start,
            staffed,
        )
        .order_by(Slot.starts_at)
    )
    return uncovered(covered, start, end)


def uncovered(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    """The parts of [start, end) that none of `spans` (sorted by start) covers, in order."""
    gaps, cursor = [], start
    for span_start, span_end in spans:
        if span_start > cursor:
            gaps.append((cursor, span_start))
        cursor = max(cursor, span_end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
