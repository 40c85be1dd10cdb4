"""Who is on call at a given instant: the lookup the call path and the dry run share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    bindparam,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from hotline.alerts.models import ShiftTake
from hotline.db import UTCDateTime
from hotline.driver import DriverConnection, Prepared, driver_connection
from hotline.models import Person
from hotline.planning.models import OVERRIDE, REGULAR, DefaultResponder, Slot, SlotResponder


class Route(StrEnum):
    """Where a chain came from."""

    OVERRIDE = "override"
    SLOT = "slot"
    DEFAULT = "default"  # no slot covered the moment: the hotline's default chain
    NOBODY = "nobody"  # no chain at all: only the fallback number or voicemail
    # A past moment no slot covered, before the default chain's history starts: who was
    # in it then is not recorded (hotline.planning.coverage.chain_at; never a live call).
    UNRECORDED = "unrecorded"


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


def _latest_starting(
    kind: str, hotline_id: ColumnElement[int]
) -> Select[tuple[int, str, datetime]]:
    # Slots of one kind never overlap, so the only candidate is the latest one
    # starting at or before `at`: one seek down ix_slot_lookup.
    latest = (
        select(Slot.id, Slot.kind, Slot.ends_at)
        .where(
            Slot.hotline_id == hotline_id,
            # Constants in the SQL text, not parameters: PostgreSQL then settles
            # on one generic plan for the prepared lookup instead of planning it
            # at every call, and nothing is rendered per execution.
            Slot.kind == literal_column(f"'{kind}'"),
            Slot.starts_at <= bindparam("at", type_=UTCDateTime()),
        )
        .order_by(Slot.starts_at.desc())
        .limit(literal_column("1"))
        .subquery()
    )
    return select(latest)


# A Core alias: aliased() here would configure every mapper at import time.
_outgoing = Person.__table__.alias("outgoing")


def slot_chains(hotline_id: ColumnElement[int]) -> Select[Any]:
    """The override and the regular candidate at `at` with their active responders, in
    one query (see _slot_places)."""
    return _slot_places(hotline_id).where(Person.active.is_(True))


def _slot_places(hotline_id: ColumnElement[int]) -> Select[Any]:
    """The override and the regular candidate at `at` with all their responders.

    Each row also carries the slot's unconfirmed shift take, if any (hotline.alerts):
    until the incoming agent confirms, the outgoing agent stays first backup.
    'override' sorts before 'regular', so its rows come first.
    """
    # The override and the regular candidate, each read where the index seek found
    # it: the slot table is not joined again (on a small planning PostgreSQL would
    # scan it whole to find two ids).
    candidate = union_all(
        _latest_starting(OVERRIDE, hotline_id), _latest_starting(REGULAR, hotline_id)
    ).subquery("candidate")
    return (
        select(
            candidate.c.kind.label("slot_kind"),
            candidate.c.id.label("slot_id"),
            SlotResponder.position,
            Person.id.label("person_id"),
            Person.name.label("person_name"),
            Person.mobile.label("person_mobile"),
            ShiftTake.person_id.label("take_person_id"),
            _outgoing.c.id.label("outgoing_id"),
            _outgoing.c.name.label("outgoing_name"),
            _outgoing.c.mobile.label("outgoing_mobile"),
        )
        .select_from(candidate)
        .join(SlotResponder, SlotResponder.slot_id == candidate.c.id)
        .join(Person, Person.id == SlotResponder.person_id)
        .outerjoin(
            ShiftTake,
            and_(ShiftTake.slot_id == candidate.c.id, ShiftTake.confirmed_at.is_(None)),
        )
        .outerjoin(
            _outgoing,
            and_(_outgoing.c.id == ShiftTake.outgoing_person_id, _outgoing.c.active.is_(True)),
        )
        .where(candidate.c.ends_at > bindparam("at", type_=UTCDateTime()))
        .order_by(candidate.c.kind, SlotResponder.position)
    )


SLOT_CHAIN_COLUMNS = 10  # the columns of a slot_chains row, which chain_from reads
_SLOT_CHAINS = Prepared(slot_chains(bindparam("hotline_id")))
_DEFAULT_CHAIN = Prepared(
    select(DefaultResponder.position, Person.id, Person.name, Person.mobile)
    .join(Person, Person.id == DefaultResponder.person_id)
    .where(DefaultResponder.hotline_id == bindparam("hotline_id"), Person.active.is_(True))
    .order_by(DefaultResponder.position)
)


def resolve_chain(
    db: Session | Connection | DriverConnection, hotline_id: int, at: datetime
) -> Chain:
    """Return the ordered responders to ring for a call to `hotline_id` at `at`.

    The pages, the API and the alerts ask this; an incoming call asks the same with
    its hotline's number, in one statement (hotline.voice.calls.find_route).
    """
    conn = driver_connection(db)
    rows = _SLOT_CHAINS.all(conn, {"hotline_id": hotline_id, "at": at})
    return chain_from(conn, hotline_id, rows)


def chain_from(conn: DriverConnection, hotline_id: int, rows: Sequence[Sequence[Any]]) -> Chain:
    """The chain from the rows of `slot_chains` (no slot: none, or one of nulls), else the
    hotline's default chain."""
    found = _slot_chain(rows)
    if found is not None:
        return found
    responders = _default_responders(conn, hotline_id)
    if responders:
        return Chain(Route.DEFAULT, None, responders)
    return Chain(Route.NOBODY, None, ())


def _slot_chain(rows: Sequence[Sequence[Any]]) -> Chain | None:
    """The chain of the first slot in rows of `slot_chains`; None when they hold none."""
    if not rows or rows[0][0] is None:
        return None
    kind, slot_id = rows[0][0], rows[0][1]
    route = Route.OVERRIDE if kind == OVERRIDE else Route.SLOT
    mine = [r for r in rows if r[1] == slot_id]
    responders = _numbered(dict.fromkeys(tuple(r[2:6]) for r in mine))
    return Chain(route, slot_id, _keep_outgoing(responders, mine))


# Every responder of the candidates, their active flag last: a past moment keeps those
# active then (slot_chain_then), whom today's flags may have changed since.
_PAST_SLOT_PLACES = _slot_places(bindparam("hotline_id")).add_columns(Person.active)


def slot_chain_then(
    session: Session,
    hotline_id: int,
    at: datetime,
    active_then: Callable[[int, bool], bool],
) -> Chain | None:
    """The slot chain a call at a past `at` rang, keeping the responders for whom
    `active_then(person id, today's flag)` is true; None when no slot had one.

    The outgoing agent of a shift take not confirmed yet is kept on today's flag.
    """
    rows = session.execute(_PAST_SLOT_PLACES, {"hotline_id": hotline_id, "at": at}).all()
    kept = [tuple(r[:SLOT_CHAIN_COLUMNS]) for r in rows if active_then(r[3], r[SLOT_CHAIN_COLUMNS])]
    return _slot_chain(kept)


def _keep_outgoing(
    responders: tuple[Responder, ...], rows: Sequence[Sequence[Any]]
) -> tuple[Responder, ...]:
    """Put the outgoing agent second while the primary has not confirmed taking the shift."""
    primary = responders[0].person_id
    outgoing = next((r[7:10] for r in rows if r[6] == primary and r[7] is not None), None)
    if outgoing is None or outgoing[0] == primary:
        return responders
    kept = Responder(position=1, person_id=outgoing[0], name=outgoing[1], number=outgoing[2])
    others = [r for r in responders[1:] if r.person_id != kept.person_id]
    ordered = [responders[0], kept, *others]
    return tuple(replace(r, position=i) for i, r in enumerate(ordered))


def default_chain(
    db: Session | Connection | DriverConnection, hotline_id: int
) -> tuple[Responder, ...]:
    """The hotline's default chain as a call would ring it: its active people, in order."""
    return _default_responders(driver_connection(db), hotline_id)


def _default_responders(conn: DriverConnection, hotline_id: int) -> tuple[Responder, ...]:
    return _numbered(_DEFAULT_CHAIN.all(conn, {"hotline_id": hotline_id}))


def _numbered(rows: Iterable[Sequence[Any]]) -> tuple[Responder, ...]:
    # Positions are renumbered so an inactive person leaves no hole in the chain.
    return tuple(
        Responder(position=i, person_id=pid, name=name, number=mobile)
        for i, (_pos, pid, name, mobile) in enumerate(rows)
    )
