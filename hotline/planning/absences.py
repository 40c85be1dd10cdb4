"""Slots still ringing somebody who is unavailable then (leave, sickness), and their fix.

Recording an unavailability changes no slot: rotations skip the person only when
generated. Until a manager regenerates the rotation or replaces the person, the
planning still rings them; `absent_responders` is the one place that finds these
slots, for the person's page, the calendar and the regeneration below.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Person
from hotline.planning.errors import NotFound, PlanningError
from hotline.planning.models import OVERRIDE, REGULAR, Slot, SlotResponder, Unavailability
from hotline.planning.rotations import GenerationResult, generate_rotation, get_rotation
from hotline.planning.validation import MAX_SLOT_LENGTH, Span, subtract

WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class AbsentResponder:
    """A place in a slot's chain held by somebody unavailable over part of the slot.

    [starts_at, ends_at) is the part of the slot the absence covers, first to last
    moment the slot is the one ringing (an override over a regular slot hides it).
    """

    slot: Slot
    position: int  # 0: primary, 1...: backups
    person_id: int
    person_name: str
    period: Unavailability
    starts_at: datetime
    ends_at: datetime


def absent_responders(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    hotline_ids: Collection[int] | None = None,
    person_id: int | None = None,
) -> list[AbsentResponder]:
    """The places of slots ringing during [start, end) held by an active person unavailable then.

    `hotline_ids` (None: every hotline) and `person_id` narrow the search. Ordered
    by the slot's start, then the place in its chain.
    """
    query = (
        select(Slot, SlotResponder.position, Person, Unavailability)
        .join(SlotResponder, SlotResponder.slot_id == Slot.id)
        .join(Person, Person.id == SlotResponder.person_id)
        .join(
            Unavailability,
            (Unavailability.person_id == SlotResponder.person_id)
            & (Unavailability.starts_at < Slot.ends_at)
            & (Unavailability.ends_at > Slot.starts_at),
        )
        .where(
            Slot.kind.in_((OVERRIDE, REGULAR)),
            Slot.starts_at > start - MAX_SLOT_LENGTH,
            Slot.starts_at < end,
            Slot.ends_at > start,
            Unavailability.starts_at < end,
            Unavailability.ends_at > start,
            Person.active.is_(True),
        )
        .options(selectinload(Slot.hotline))
        .order_by(Slot.starts_at, SlotResponder.position, Unavailability.starts_at)
    )
    if hotline_ids is not None:
        query = query.where(Slot.hotline_id.in_(set(hotline_ids)))
    if person_id is not None:
        query = query.where(SlotResponder.person_id == person_id)
    rows = session.execute(query).all()
    hidden = _override_spans(session, [slot for slot, *_rest in rows if slot.kind == REGULAR])
    found = []
    for slot, position, person, period in rows:
        overlap = (max(slot.starts_at, period.starts_at), min(slot.ends_at, period.ends_at))
        # The override there rings instead: the regular slot's chain is not what rings.
        parts = subtract(overlap, hidden[slot.hotline_id]) if slot.kind == REGULAR else [overlap]
        if parts:
            found.append(
                AbsentResponder(
                    slot, position, person.id, person.name, period, parts[0][0], parts[-1][1]
                )
            )
    return found


def still_ringing(
    session: Session,
    period: Unavailability,
    *,
    now: datetime,
    hotline_ids: Collection[int] | None = None,
) -> list[AbsentResponder]:
    """The places of slots not ended yet that ring the period's person during the period.

    What the page and the API answer after a period is recorded or changed;
    `hotline_ids` (None: every hotline) narrows the search as in absent_responders.
    """
    found = absent_responders(
        session,
        max(now, period.starts_at),
        period.ends_at,
        hotline_ids=hotline_ids,
        person_id=period.person_id,
    )
    # Another period of the person overlapping this one finds the same places again.
    return [place for place in found if place.period.id == period.id]


def _override_spans(session: Session, slots: list[Slot]) -> dict[int, list[Span]]:
    """The spans of the staffed overrides over `slots`, by hotline."""
    spans: dict[int, list[Span]] = defaultdict(list)
    if not slots:
        return spans
    # As in resolve_chain, an override nobody active holds does not hide the regular slot.
    staffed = exists(
        select(SlotResponder.slot_id)
        .join(Person, Person.id == SlotResponder.person_id)
        .where(SlotResponder.slot_id == Slot.id, Person.active.is_(True))
    )
    rows = session.execute(
        select(Slot.hotline_id, Slot.starts_at, Slot.ends_at)
        .where(
            Slot.kind == OVERRIDE,
            Slot.hotline_id.in_({s.hotline_id for s in slots}),
            Slot.starts_at < max(s.ends_at for s in slots),
            Slot.ends_at > min(s.starts_at for s in slots),
            staffed,
        )
        .order_by(Slot.starts_at)
    )
    for hotline_id, starts_at, ends_at in rows:
        spans[hotline_id].append((starts_at, ends_at))
    return spans


def cover_absence(
    session: Session,
    rotation_id: int,
    unavailability_id: int,
    *,
    now: datetime,
    user_id: int | None,
) -> GenerationResult:
    """Regenerate a rotation over the slots of its still ringing somebody absent then.

    Generation starts at the first such slot (not ended yet) and runs the whole weeks
    up to the last one: the rotation's chains are recomputed, skipping whoever is
    unavailable, as "Generate" does.
    """
    period = session.get(Unavailability, unavailability_id)
    if period is None:
        raise NotFound(_l("this period does not exist (any more)"), "unavailability_id")
    rotation = get_rotation(session, rotation_id)
    slots = [
        found.slot
        for found in absent_responders(
            session,
            max(now, period.starts_at),
            period.ends_at,
            hotline_ids=[rotation.hotline_id],
            person_id=period.person_id,
        )
        if found.slot.rotation_id == rotation.id and found.period.id == period.id
    ]
    if not slots:
        raise PlanningError(
            _l("no slot of this rotation rings the person during this period any more"),
            "unavailability_id",
        )
    start = min(s.starts_at for s in slots)
    weeks = math.ceil((max(s.ends_at for s in slots) - start) / WEEK)
    return generate_rotation(session, rotation.id, start=start, weeks=weeks, user_id=user_id)
