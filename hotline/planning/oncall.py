"""Who is on call at a given instant: the lookup the call path and the dry run share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ScalarSelect, bindparam, select
from sqlalchemy.orm import Session

from hotline.db import UTCDateTime
from hotline.models import Person
from hotline.planning.models import OVERRIDE, REGULAR, DefaultResponder, Slot, SlotResponder


class Route(StrEnum):
    """Where a chain came from."""

    OVERRIDE = "override"
    SLOT = "slot"
    DEFAULT = "default"  # no slot covered the moment: the hotline's default chain
    NOBODY = "nobody"  # no chain at all: only the fallback number or voicemail


@dataclass(frozen=True)
class Responder:
    position: int
    person_id: int | None
    name: str
    number: str


@dataclass(frozen=True)
class Chain:
    route: Route
    slot_id: int | None
    responders: tuple[Responder, ...]


def _covering(kind: str) -> ScalarSelect[int]:
    # Slots of one kind never overlap, so the only candidate is the latest one
    # starting at or before `at`: one seek down ix_slot_lookup.
    return (
        select(Slot.id)
        .where(
            Slot.hotline_id == bindparam("hotline_id"),
            Slot.kind == kind,
            Slot.starts_at <= bindparam("at", type_=UTCDateTime()),
        )
        .order_by(Slot.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )


# Built once: the override and the regular candidate with their responders, in
# one round trip. 'override' sorts before 'regular', so its rows come first.
_SLOT_CHAINS = (
    select(Slot.kind, Slot.id, SlotResponder.position, Person.id, Person.name, Person.mobile)
    .join(SlotResponder, SlotResponder.slot_id == Slot.id)
    .join(Person, Person.id == SlotResponder.person_id)
    .where(
        Slot.id.in_([_covering(OVERRIDE), _covering(REGULAR)]),
        Slot.ends_at > bindparam("at", type_=UTCDateTime()),
        Person.active.is_(True),
    )
    .order_by(Slot.kind, SlotResponder.position)
)


def resolve_chain(session: Session, hotline_id: int, at: datetime) -> Chain:
    """Return the ordered responders to ring for a call to `hotline_id` at `at`."""
    rows = session.execute(_SLOT_CHAINS, {"hotline_id": hotline_id, "at": at}).all()
    if rows:
        kind, slot_id = rows[0][0], rows[0][1]
        route = Route.OVERRIDE if kind == OVERRIDE else Route.SLOT
        return Chain(route, slot_id, _numbered(r[2:] for r in rows if r[1] == slot_id))
    responders = _default_responders(session, hotline_id)
    if responders:
        return Chain(Route.DEFAULT, None, responders)
    return Chain(Route.NOBODY, None, ())


def _default_responders(session: Session, hotline_id: int) -> tuple[Responder, ...]:
    rows = session.execute(
        select(DefaultResponder.position, Person.id, Person.name, Person.mobile)
        .join(Person, Person.id == DefaultResponder.person_id)
        .where(DefaultResponder.hotline_id == hotline_id, Person.active.is_(True))
        .order_by(DefaultResponder.position)
    )
    return _numbered(rows)


def _numbered(rows: Iterable[Sequence[Any]]) -> tuple[Responder, ...]:
    # Positions are renumbered so an inactive person leaves no hole in the chain.
    return tuple(
        Responder(position=i, person_id=pid, name=name, number=mobile)
        for i, (_pos, pid, name, mobile) in enumerate(rows)
    )
