"""Who is on call at a given instant: the lookup the call path and the dry run share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

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


def covering_slot_id(session: Session, hotline_id: int, kind: str, at: datetime) -> int | None:
    """Return the slot of `kind` covering `at`, by one index seek.

    Slots of one kind never overlap, so the only candidate is the latest one
    starting at or before `at`; it covers `at` when it has not ended yet.
    """
    row = session.execute(
        select(Slot.id, Slot.ends_at)
        .where(Slot.hotline_id == hotline_id, Slot.kind == kind, Slot.starts_at <= at)
        .order_by(Slot.starts_at.desc())
        .limit(1)
    ).first()
    if row is None or row.ends_at <= at:
        return None
    return row.id


def resolve_chain(session: Session, hotline_id: int, at: datetime) -> Chain:
    """Return the ordered responders to ring for a call to `hotline_id` at `at`."""
    for kind, route in ((OVERRIDE, Route.OVERRIDE), (REGULAR, Route.SLOT)):
        slot_id = covering_slot_id(session, hotline_id, kind, at)
        if slot_id is not None:
            responders = _slot_responders(session, slot_id)
            if responders:
                return Chain(route, slot_id, responders)
    responders = _default_responders(session, hotline_id)
    if responders:
        return Chain(Route.DEFAULT, None, responders)
    return Chain(Route.NOBODY, None, ())


def _slot_responders(session: Session, slot_id: int) -> tuple[Responder, ...]:
    rows = session.execute(
        select(SlotResponder.position, Person.id, Person.name, Person.mobile)
        .join(Person, Person.id == SlotResponder.person_id)
        .where(SlotResponder.slot_id == slot_id, Person.active.is_(True))
        .order_by(SlotResponder.position)
    )
    return _numbered(rows)


def _default_responders(session: Session, hotline_id: int) -> tuple[Responder, ...]:
    rows = session.execute(
        select(DefaultResponder.position, Person.id, Person.name, Person.mobile)
        .join(Person, Person.id == DefaultResponder.person_id)
        .where(DefaultResponder.hotline_id == hotline_id, Person.active.is_(True))
        .order_by(DefaultResponder.position)
    )
    return _numbered(rows)


def _numbered(rows: object) -> tuple[Responder, ...]:
    # Positions are renumbered so an inactive person leaves no hole in the chain.
    return tuple(
        Responder(position=i, person_id=pid, name=name, number=mobile)
        for i, (_pos, pid, name, mobile) in enumerate(rows)  # type: ignore[call-overload]
    )
