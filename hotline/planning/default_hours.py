"""The hours a hotline's default chain rings: those no slot with an active responder covers.

The calendar pages and the iCal feeds read the same answer. Over the past it is the
default chain in force then (the audit log's record) with the people active then, and a
slot counts only if one of its people was active then; from now on, today's chain and
today's flags, as a call would ring them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.models import Person
from hotline.planning.active_flags import ActiveFlags, pieces
from hotline.planning.coverage import (
    DefaultMember,
    PastDefaultChain,
    PastHistory,
    past_history,
    people_today,
    uncovered,
    unplanned_spans,
)
from hotline.planning.models import Slot
from hotline.planning.slots import slots_between
from hotline.planning.validation import Span

# The people of a default chain, (person id, name), in ringing order.
Members = tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class PastView:
    """What past hours show beyond today's planning: the default chains in force then,
    people's active flags then, today's default chain (inactive people included) and
    today's flags of the people of every default chain shown."""

    history: PastHistory = field(default_factory=PastHistory)
    members: Sequence[DefaultMember] = ()
    today: Mapping[int, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class DefaultHours:
    """A span no staffed slot covers, and who the default chain rang (or rings) there."""

    starts_at: datetime
    ends_at: datetime
    # Its people active then, in order: () rings nobody (a gap); None: not recorded.
    members: Members | None


def default_hours(
    session: Session, hotline_id: int, start: datetime, end: datetime, now: datetime
) -> list[DefaultHours]:
    """The spans of [start, end) no staffed slot covers, each with the default chain's
    people who rang there, in order, cut where they change; a bounded number of
    statements whatever the span's length."""
    past_end = min(end, now)
    history = PastHistory()
    if start < past_end:
        history = past_history(session, hotline_id, start, past_end)
    then = {pid for chain in history.chains for pid, _name in chain.people or ()}
    people = people_today(session, hotline_id, then)
    found: list[DefaultHours] = []
    if start < past_end:
        slots = slots_between(session, hotline_id, start, past_end)
        staffed = sorted(
            span
            for slot in slots
            for span, responders in slot_pieces(slot, now, history.flags)
            if any(active for _person, active in responders)
        )
        past = PastView(history, people.chain, people.flags)
        found += [
            DefaultHours(piece[0], piece[1], members)
            for span in uncovered(staffed, start, past_end)
            for piece, members in chains_over(span, past)
        ]
    if now < end:
        today = tuple((m.person_id, m.name) for m in people.chain if m.active)
        ahead = unplanned_spans(session, hotline_id, max(start, now), end)
        found += [DefaultHours(s, e, today) for s, e in ahead]
    return _joined(found)


def _joined(found: list[DefaultHours]) -> list[DefaultHours]:
    """Adjacent spans of the same people as one: "now" is no change for a calendar."""
    joined: list[DefaultHours] = []
    for hours in found:
        last = joined[-1] if joined else None
        if last and last.ends_at == hours.starts_at and last.members == hours.members:
            joined[-1] = DefaultHours(last.starts_at, hours.ends_at, last.members)
        else:
            joined.append(hours)
    return joined


def slot_pieces(
    slot: Slot, now: datetime, flags: ActiveFlags
) -> Iterable[tuple[Span, tuple[tuple[Person, bool], ...]]]:
    """The slot's span cut where a responder's flag changed before now, each part with
    its people and whether each was active then (today's flag from now on)."""
    people = [r.person for r in slot.responders]
    cuts = flags.cuts((p.id for p in people), slot.starts_at, min(slot.ends_at, now))
    for start, end in pieces((slot.starts_at, slot.ends_at), cuts):
        then = start < now
        yield (
            (start, end),
            tuple((p, flags.at(p.id, start, p.active) if then else p.active) for p in people),
        )


def chains_over(span: Span, past: PastView) -> Iterable[tuple[Span, Members | None]]:
    """The parts of a past span, each with the default chain's people active then
    (None: unknown)."""
    today_chain = tuple((m.person_id, m.name) for m in past.members)
    flags = past.history.flags
    for piece, members in _members_over(span, past.history.chains, today_chain):
        if members is None:
            yield piece, None
            continue
        for start, end in pieces(piece, flags.cuts((pid for pid, _ in members), *piece)):
            # A person since removed keeps the name of then, as the log recorded it.
            yield (
                (start, end),
                tuple(m for m in members if flags.at(m[0], start, past.today.get(m[0], True))),
            )


def _members_over(
    span: Span, past_chains: Sequence[PastDefaultChain], today_chain: Members
) -> Iterable[tuple[Span, Members | None]]:
    """The parts of a past span, each with the default chain's people then (None: unknown)."""
    cursor, end = span
    for past in past_chains:
        if past.ends_at <= cursor:
            continue
        if past.starts_at >= end:
            break
        if past.starts_at > cursor:
            yield (cursor, past.starts_at), today_chain
        cursor_end = min(past.ends_at, end)
        yield (max(cursor, past.starts_at), cursor_end), past.people
        cursor = cursor_end
    if cursor < end:
        yield (cursor, end), today_chain
