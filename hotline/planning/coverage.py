"""Coverage: who takes the calls no slot covers, and the gaps where a call rings nobody.

The one definition of a *gap*, shared by the calendar, the gaps page, the overview,
`hotline doctor` and the coverage alerts: a span where `resolve_chain` would answer
`Route.NOBODY`, so only the fallback number or voicemail takes the call. A span with
no staffed slot while the hotline has an active default responder is not a gap: the
default chain rings there (`Coverage.default_only`).

The default chain of a past hour is the one in force then, as the audit log recorded
its changes, and its people and the slots' are those active then (`past_history`),
not today's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from hotline.models import Person
from hotline.planning.active_flags import ActiveFlags
from hotline.planning.audit import past_changes
from hotline.planning.models import OVERRIDE, REGULAR, DefaultResponder, Slot, SlotResponder
from hotline.planning.oncall import (
    Chain,
    Responder,
    Route,
    default_chain,
    resolve_chain,
    slot_chain_then,
)
from hotline.planning.validation import MAX_SLOT_LENGTH, Span


@dataclass(frozen=True)
class Coverage:
    """The spans of a period no staffed slot covers, and the chain that rings there."""

    unplanned: list[Span]
    default_chain: tuple[Responder, ...]  # active default responders, in order

    @property
    def route(self) -> Route:
        """What a call gets in the unplanned spans: the default chain, or nobody."""
        return Route.DEFAULT if self.default_chain else Route.NOBODY

    @property
    def gaps(self) -> list[Span]:
        """The spans where a call rings nobody: only the fallback number or voicemail."""
        return [] if self.default_chain else self.unplanned

    @property
    def default_only(self) -> list[Span]:
        """The spans covered only by the hotline's default chain."""
        return self.unplanned if self.default_chain else []


def coverage(session: Session, hotline_id: int, start: datetime, end: datetime) -> Coverage:
    """Who takes the calls of [start, end) that no staffed slot covers."""
    return Coverage(
        unplanned=unplanned_spans(session, hotline_id, start, end),
        default_chain=default_chain(session, hotline_id),
    )


@dataclass(frozen=True)
class PastDefaultChain:
    """The default chain that rang over [starts_at, ends_at), as the audit log recorded it."""

    starts_at: datetime
    ends_at: datetime
    # Its people then, in order, as (person id, name), whatever their flag; None: not
    # recorded. Who of them was active is the flags' business (PastHistory.flags).
    people: tuple[tuple[int, str], ...] | None


@dataclass(frozen=True)
class DefaultMember:
    """A place in today's default chain, inactive people included."""

    person_id: int
    name: str
    mobile: str
    active: bool


@dataclass(frozen=True)
class PastHistory:
    """What a past span needs beyond today's planning: the default chains in force then
    and people's active flags then."""

    chains: list[PastDefaultChain] = field(default_factory=list)
    flags: ActiveFlags = field(default_factory=ActiveFlags)


def past_history(
    session: Session, hotline_id: int, start: datetime, until: datetime
) -> PastHistory:
    """The default chains in force over [start, until), in order, each until the change
    that replaced it, and the flag changes of the people; one statement. The time after
    the last chain (all of it when none) had the chain of today: nothing changed it since.
    """
    changes = past_changes(session, hotline_id, start, until)
    pieces: list[PastDefaultChain] = []
    cursor = start
    for at, before in changes.chains:
        if at > cursor and cursor < until:
            pieces.append(PastDefaultChain(cursor, min(at, until), _members(before)))
        cursor = max(cursor, at)
    return PastHistory(pieces, ActiveFlags.from_lines(changes.people))


def _members(snapshot: dict[str, Any] | None) -> tuple[tuple[int, str], ...] | None:
    # A change's "before" is None only on the line that started the history (a hotline
    # kept from before the log recorded its chain): who was in it earlier is unknown.
    if snapshot is None:
        return None
    return tuple((int(p["person_id"]), str(p.get("name"))) for p in snapshot.get("chain") or ())


@dataclass(frozen=True)
class PeopleToday:
    """Today's default chain of a hotline, inactive people included, in order, and the
    flags of today of its people and of others asked about."""

    chain: list[DefaultMember]
    flags: dict[int, bool]


def people_today(
    session: Session, hotline_id: int, person_ids: Collection[int] = ()
) -> PeopleToday:
    """Today's default chain of the hotline and today's flags of its people and of
    `person_ids` (the people of its past chains), in one statement."""
    place = DefaultResponder
    rows = session.execute(
        select(place.position, Person.id, Person.name, Person.mobile, Person.active)
        .select_from(Person)
        .outerjoin(place, and_(place.person_id == Person.id, place.hotline_id == hotline_id))
        .where(or_(place.position.is_not(None), Person.id.in_(person_ids)))
        .order_by(place.position)
    ).all()
    chain = [DefaultMember(*row[1:]) for row in rows if row[0] is not None]
    return PeopleToday(chain, {row[1]: row[4] for row in rows})


def active_chain(members: Iterable[DefaultMember]) -> tuple[Responder, ...]:
    """The default chain as a call rings it today: its active people, in order."""
    active = [m for m in members if m.active]
    return tuple(
        Responder(position=i, person_id=m.person_id, name=m.name, number=m.mobile)
        for i, m in enumerate(active)
    )


# The smallest span after an instant: the default chain in force over it is the one then.
_INSTANT = timedelta(microseconds=1)


def chain_at(session: Session, hotline_id: int, at: datetime, now: datetime) -> Chain:
    """The chain a call at `at` rang, or would ring: resolve_chain's answer for now and
    ahead; for a past moment, the same lookup with the active flags of then, and, where
    no slot covered it, the default chain in force then (the calendar's history), or
    Route.UNRECORDED when that is from before the history starts.

    The pages and the API ask this; a live call asks resolve_chain alone, so the history
    costs it nothing.
    """
    if at >= now:
        return resolve_chain(session, hotline_id, at)
    history = past_history(session, hotline_id, at, at + _INSTANT)
    flags = history.flags

    def active_then(person_id: int, today: bool) -> bool:
        return flags.at(person_id, at, today)

    slot = slot_chain_then(session, hotline_id, at, active_then)
    if slot is not None:
        return slot
    if not history.chains:
        # Nothing changed the default chain since: today's rang then.
        members = [(m.person_id, m.name) for m in people_today(session, hotline_id).chain]
    elif history.chains[0].people is None:
        return Chain(Route.UNRECORDED, None, ())
    else:
        members = list(history.chains[0].people)
    found = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_({pid for pid, _ in members})))
    }
    # As recorded then: the name of the time; the number is today's, to call them back.
    kept = [
        (pid, name) for pid, name in members if pid in found and active_then(pid, found[pid].active)
    ]
    if not kept:
        return Chain(Route.NOBODY, None, ())
    responders = tuple(
        Responder(position=i, person_id=pid, name=name, number=found[pid].mobile)
        for i, (pid, name) in enumerate(kept)
    )
    return Chain(Route.DEFAULT, None, responders)


def coverage_gaps(session: Session, hotline_id: int, start: datetime, end: datetime) -> list[Span]:
    """The gaps of [start, end), merged, in order: no staffed slot and no active default
    responder, so a call there rings nobody."""
    if default_chain(session, hotline_id):
        return []
    return unplanned_spans(session, hotline_id, start, end)


def unplanned_spans(
    session: Session, hotline_id: int, start: datetime, end: datetime
) -> list[Span]:
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
