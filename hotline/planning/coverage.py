"""Coverage: who takes the calls no slot covers, and the gaps where a call rings nobody.

The one definition of a *gap*, shared by the calendar, the gaps page, the overview,
`hotline doctor` and the coverage alerts: a span where `resolve_chain` would answer
`Route.NOBODY`, so only the fallback number or voicemail takes the call. A span with
no staffed slot while the hotline has an active default responder is not a gap: the
default chain rings there (`Coverage.default_only`).

The default chain of a past hour is the one in force then, as the audit log recorded
its changes (`past_default_chains`), not today's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from hotline.models import Person
from hotline.planning.audit import default_chain_changes
from hotline.planning.models import OVERRIDE, REGULAR, Slot, SlotResponder
from hotline.planning.oncall import Chain, Responder, Route, default_chain, resolve_chain
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
    # Its active people then, in order, as (person id, name); None: not recorded.
    people: tuple[tuple[int, str], ...] | None

    @property
    def names(self) -> tuple[str, ...] | None:
        return None if self.people is None else tuple(name for _pid, name in self.people)


def past_default_chains(
    session: Session, hotline_id: int, start: datetime, until: datetime
) -> list[PastDefaultChain]:
    """The default chains in force over [start, until), in order, each until the change
    that replaced it. The time after the last of them (all of it when none) had the
    chain of today: nothing changed it since.
    """
    pieces: list[PastDefaultChain] = []
    cursor = start
    for at, before in default_chain_changes(session, hotline_id, start, until):
        if at > cursor and cursor < until:
            pieces.append(PastDefaultChain(cursor, min(at, until), _active_people(before)))
        cursor = max(cursor, at)
    return pieces


def _active_people(snapshot: dict[str, Any] | None) -> tuple[tuple[int, str], ...] | None:
    # A change's "before" is None only on the line that started the history (a hotline
    # kept from before the log recorded its chain): who was in it earlier is unknown.
    if snapshot is None:
        return None
    return tuple(
        (int(p["person_id"]), str(p.get("name")))
        for p in snapshot.get("chain") or ()
        if p.get("active", True)
    )


# The smallest span after an instant: the default chain in force over it is the one then.
_INSTANT = timedelta(microseconds=1)


def chain_at(session: Session, hotline_id: int, at: datetime, now: datetime) -> Chain:
    """The chain a call at `at` rang, or would ring: resolve_chain's answer, except that a
    past moment no slot covered gets the default chain in force then (the calendar's
    history), or Route.UNRECORDED when it is from before that history starts.

    The pages and the API ask this; a live call asks resolve_chain alone, so the history
    costs it nothing.
    """
    chain = resolve_chain(session, hotline_id, at)
    if at >= now or chain.route not in (Route.DEFAULT, Route.NOBODY):
        return chain
    then = past_default_chains(session, hotline_id, at, at + _INSTANT)
    if not then:
        return chain  # nothing changed the default chain since: today's rang then
    people = then[0].people
    if people is None:
        return Chain(Route.UNRECORDED, None, ())
    if not people:
        return Chain(Route.NOBODY, None, ())
    found = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_({pid for pid, _ in people})))
    }
    # As recorded then: the name of the time; the number is today's, to call them back.
    known = [(pid, name) for pid, name in people if pid in found]
    responders = tuple(
        Responder(position=i, person_id=pid, name=name, number=found[pid].mobile)
        for i, (pid, name) in enumerate(known)
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
