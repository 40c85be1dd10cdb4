"""Overrides: replace a person for a span, swap two shifts, add or remove an override.

An override slot wins over the regular slots for exactly its span (see
hotline.planning.oncall); overrides never overlap each other. A change is live
for the very next call: the lookup reads the tables. The regular slots are never
modified, so removing an override brings the regular assignment back, and the
audit log keeps the chain that was in force before each override.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import Session

from hotline.message_times import WallTime
from hotline.models import Hotline, Person
from hotline.planning import audit
from hotline.planning.active_flags import ActiveFlags
from hotline.planning.default_hours import slot_pieces
from hotline.planning.errors import NotFound, PlanningConflict, PlanningError
from hotline.planning.hotline_settings import default_chain_ids
from hotline.planning.models import OVERRIDE, REGULAR, Rotation, Slot, SlotResponder
from hotline.planning.rules import RuleWarning, rule_warnings
from hotline.planning.slots import (
    SLOT_CHANGED,
    add_slot,
    claim_slot,
    delete_slot,
    get_slot,
    lock_planning,
    remove_slot,
    slots_between,
)
from hotline.planning.unavailability import (
    AbsentPlace,
    Placement,
    confirmed_absences,
    unavailable_between,
)
from hotline.planning.validation import (
    Span,
    aware,
    check_note,
    check_span,
    subtract,
)


@dataclass(frozen=True)
class InForce:
    """A piece of time over which one slot's chain is what the phone rings."""

    starts_at: datetime
    ends_at: datetime
    slot_id: int
    kind: str  # OVERRIDE or REGULAR
    chain: tuple[int, ...]  # person ids, primary first
    names: tuple[str, ...]


Transform = Callable[[InForce], tuple[int, ...]]

# No recorded flag change: everybody's flag is today's.
_NO_CHANGES = ActiveFlags()


@dataclass(frozen=True)
class ShortChain:
    """A piece of a replacement's span left with fewer responders than before."""

    starts_at: datetime
    ends_at: datetime
    before: int  # responders in force until then
    names: tuple[str, ...]  # the responders now, primary first
    message: object  # a lazy string: str() it in the reader's language

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class OverrideResult:
    """The override slots written, the labour rules they break and the chains they shorten.

    All are saved anyway: the manager is told, and decides. `absent` lists the
    pieces where somebody put on call despite a recorded absence rings.
    """

    slots: tuple[Slot, ...]
    warnings: tuple[RuleWarning, ...] = ()
    short: tuple[ShortChain, ...] = ()
    absent: tuple[AbsentPlace, ...] = ()


@dataclass
class _NewOverride:
    starts_at: datetime
    ends_at: datetime
    chain: tuple[int, ...]
    replaced: list[InForce]


def in_force(
    session: Session,
    hotline_id: int,
    start: datetime,
    end: datetime,
    *,
    now: datetime | None = None,
    flags: ActiveFlags = _NO_CHANGES,
) -> list[InForce]:
    """The chains rung over [start, end), as the live lookup picks them; gaps left out.

    An override with no active responder does not hide the regular slot, as in
    resolve_chain. Before `now` a slot counts where one of its people was active then
    (`flags`, audit.past_changes), as the calendar and default_hours judge it; without
    them, today's flags throughout. Consecutive moments under the same slot form one piece.
    """
    staffed = _staffed(slots_between(session, hotline_id, start, end), now or start, flags)
    by_kind = {
        kind: sorted((p for p in staffed if p[0].kind == kind), key=lambda p: p[1])
        for kind in (OVERRIDE, REGULAR)
    }
    starts = {kind: [span[0] for _slot, span in found] for kind, found in by_kind.items()}
    cuts = sorted({start, end} | {t for _slot, span in staffed for t in span if start < t < end})
    pieces: list[InForce] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        slot = _covering(by_kind[OVERRIDE], starts[OVERRIDE], a) or _covering(
            by_kind[REGULAR], starts[REGULAR], a
        )
        if slot is None:
            continue
        if pieces and pieces[-1].slot_id == slot.id and pieces[-1].ends_at == a:
            last = pieces.pop()
            pieces.append(InForce(last.starts_at, b, slot.id, slot.kind, last.chain, last.names))
            continue
        chain = tuple(r.person_id for r in slot.responders)
        names = tuple(r.person.name for r in slot.responders)
        pieces.append(InForce(a, b, slot.id, slot.kind, chain, names))
    return pieces


def _staffed(slots: list[Slot], now: datetime, flags: ActiveFlags) -> list[tuple[Slot, Span]]:
    """The parts of the slots where one of their people was active (then, before now)."""
    return [
        (slot, span)
        for slot in slots
        for span, people in slot_pieces(slot, now, flags)
        if any(active for _person, active in people)
    ]


def _covering(pieces: list[tuple[Slot, Span]], starts: list[datetime], at: datetime) -> Slot | None:
    # Pieces of one kind never overlap: the candidate is the last one starting by `at`.
    index = bisect.bisect_right(starts, at) - 1
    if index >= 0 and pieces[index][1][1] > at:
        return pieces[index][0]
    return None


# An explicit chain on call over a span (it must not overlap another override);
# somebody of the chain recorded as unavailable then is refused as in add_slot.
create_override = partial(add_slot, kind=OVERRIDE)


def remove_override(session: Session, slot_id: int, *, version: int, user_id: int | None) -> None:
    """Delete an override: the regular assignment under it rings again."""
    if get_slot(session, slot_id).kind != OVERRIDE:
        raise PlanningError(_l("this slot is not an override"), "slot_id")
    delete_slot(session, slot_id, version=version, user_id=user_id)


def replace_person(
    session: Session,
    hotline_id: int,
    *,
    person_id: int,
    replacement_id: int,
    starts_at: datetime,
    ends_at: datetime,
    note: str | None = None,
    despite_absence: bool = False,
    user_id: int | None,
) -> OverrideResult:
    """Put `replacement_id` in `person_id`'s place wherever they are on call in the span.

    Each piece of the span with its own chain gets an override: that chain with the
    person replaced. A replacement already in the chain leaves its other place to
    the next one who can take it (see _stand_in); when nobody can, the chain is
    shorter and the result says so. Overrides already there are cut around the new
    ones. Exactly the span is overridden.

    A replacement recorded as unavailable during the pieces they would ring is
    refused (ResponderAbsent names the pieces), as rotations and stand-ins pass
    over the unavailable, unless `despite_absence` confirms the manager's choice;
    the result then lists those pieces. Labour-rule warnings cover everybody whose
    place changes: the person, the replacement and whoever takes a freed place.
    """
    hotline = lock_planning(session, hotline_id)
    starts_at, ends_at = aware(starts_at, "starts_at"), aware(ends_at, "ends_at")
    check_span(starts_at, ends_at)
    person = _person(session, person_id, "person_id")
    replacement = _person(session, replacement_id, "replacement_id")
    if replacement.id == person.id:
        raise PlanningError(_l("choose somebody else"), "replacement_id")
    if not replacement.active:
        raise PlanningError(
            _l("%(name)s is inactive: nobody would ring them", name=replacement.name),
            "replacement_id",
        )
    note = check_note(note)
    transform = _replacing(session, hotline.id, person.id, replacement.id)
    plans = _plan(session, hotline, (starts_at, ends_at), person, transform)
    absent = confirmed_absences(
        session,
        ZoneInfo(hotline.timezone),
        _placements(plans, replacement.id),
        "replacement_id",
        despite_absence=despite_absence,
    )
    short = _shortened(session, hotline, plans)
    slots = _write(session, hotline, plans, note, audit.OVERRIDE, user_id)
    warnings = rule_warnings(session, hotline.id, starts_at, ends_at, _moved(plans))
    return OverrideResult(tuple(slots), tuple(warnings), tuple(short), tuple(absent))


def swap_shifts(
    session: Session,
    first_slot_id: int,
    second_slot_id: int,
    *,
    first_version: int | None = None,
    second_version: int | None = None,
    note: str | None = None,
    despite_absence: bool = False,
    user_id: int | None,
) -> OverrideResult:
    """Swap two shifts between their primaries, by overrides over each slot's span.

    The two people exchange places in each chain (the other one's place, if any,
    goes to the first). Versions, when given, must be those the editor loaded.
    Either of them recorded as unavailable during the shift they take is refused
    (ResponderAbsent) unless `despite_absence` confirms; the result then lists the pieces.
    """
    first, second = get_slot(session, first_slot_id), get_slot(session, second_slot_id)
    for slot, version in ((first, first_version), (second, second_version)):
        if version is not None and slot.version != version:
            raise PlanningConflict(SLOT_CHANGED)
    if second.hotline_id != first.hotline_id:
        raise PlanningError(_l("both shifts must belong to the same hotline"), "second_slot_id")
    if first.starts_at < second.ends_at and second.starts_at < first.ends_at:
        raise PlanningError(_l("the two shifts overlap"), "second_slot_id")
    hotline = lock_planning(session, first.hotline_id)
    one, other = first.responders[0].person, second.responders[0].person
    if one.id == other.id:
        raise PlanningError(
            _l("both shifts are %(name)s's: nothing to swap", name=one.name), "second_slot_id"
        )
    note = check_note(note)
    # Both plans are made before anything is written: a refusal leaves nothing behind.
    firsts = _plan(
        session, hotline, (first.starts_at, first.ends_at), one, _exchanging(one.id, other.id)
    )
    seconds = _plan(
        session, hotline, (second.starts_at, second.ends_at), other, _exchanging(other.id, one.id)
    )
    # Each takes the other's shift: that is where an absence of theirs would ring.
    placements = _placements(firsts, other.id) + _placements(seconds, one.id)
    absent = confirmed_absences(
        session,
        ZoneInfo(hotline.timezone),
        placements,
        "second_slot_id",
        despite_absence=despite_absence,
    )
    slots = _write(session, hotline, firsts + seconds, note, audit.SWAP, user_id)
    warnings = []
    for slot in (first, second):
        warnings += rule_warnings(
            session, hotline.id, slot.starts_at, slot.ends_at, {one.id, other.id}
        )
    return OverrideResult(tuple(slots), tuple(dict.fromkeys(warnings)), absent=tuple(absent))


def _replacing(session: Session, hotline_id: int, person_id: int, replacement_id: int) -> Transform:
    def transform(piece: InForce) -> tuple[int, ...]:
        chain = [replacement_id if p == person_id else p for p in piece.chain]
        if replacement_id not in piece.chain:
            return tuple(chain)
        # The replacement moves up: its former place is free for somebody else.
        freed = piece.chain.index(replacement_id)
        del chain[freed]
        taker = _stand_in(session, hotline_id, piece, {person_id, *chain})
        if taker is not None:
            chain.insert(freed, taker)
        return tuple(chain)

    return transform


def _stand_in(session: Session, hotline_id: int, piece: InForce, taken: set[int]) -> int | None:
    """The first person who can take a freed place in `piece`'s chain, or None.

    Candidates in order: the members of the rotation that made the slot, next in
    line after its primary, then its explicit backups, then the hotline's default
    chain. Anyone already in the chain, the person replaced, the inactive and the
    unavailable over the piece are passed over.
    """
    candidates = [
        pid
        for pid in dict.fromkeys(
            _rotation_line(session, piece) + default_chain_ids(session, hotline_id)
        )
        if pid not in taken
    ]
    away = unavailable_between(session, candidates, piece.starts_at, piece.ends_at)
    for pid in candidates:
        person = session.get(Person, pid)
        if person is not None and person.active and pid not in away:
            return pid
    return None


def _rotation_line(session: Session, piece: InForce) -> list[int]:
    """The people of the rotation behind `piece`, next in line after its primary first."""
    slot = session.get(Slot, piece.slot_id)
    rotation = session.get(Rotation, slot.rotation_id) if slot and slot.rotation_id else None
    if rotation is None:
        return []
    members = [m.person_id for m in rotation.members]
    if piece.chain and piece.chain[0] in members:
        turn = members.index(piece.chain[0])
        members = members[turn + 1 :] + members[: turn + 1]
    return members + [b.person_id for b in rotation.backups]


def _shortened(session: Session, hotline: Hotline, plans: list[_NewOverride]) -> list[ShortChain]:
    """The planned overrides ringing fewer people than the chains they replace."""
    zone = ZoneInfo(hotline.timezone)
    short = []
    for plan in plans:
        before = max(len(piece.chain) for piece in plan.replaced)
        if len(plan.chain) >= before:
            continue
        names = tuple(_person(session, pid, "person_id").name for pid in plan.chain)
        message = lazy_ngettext(
            "from %(start)s to %(end)s this shift now has only %(num)d responder (%(names)s): "
            "nobody else of the rotation or the default chain can take the freed place",
            "from %(start)s to %(end)s this shift now has only %(num)d responders (%(names)s): "
            "nobody else of the rotation or the default chain can take the freed place",
            len(plan.chain),
            start=WallTime.of(plan.starts_at, zone),
            end=WallTime.of(plan.ends_at, zone),
            names=", ".join(names),
        )
        short.append(ShortChain(plan.starts_at, plan.ends_at, before, names, message))
    return short


def _placements(plans: list[_NewOverride], person_id: int) -> list[Placement]:
    """Where the planned overrides put `person_id`: each piece's span and their place."""
    return [
        Placement(plan.starts_at, plan.ends_at, plan.chain.index(person_id), person_id)
        for plan in plans
        if person_id in plan.chain
    ]


def _moved(plans: list[_NewOverride]) -> set[int]:
    """Everybody whose place changes between the chains replaced and the planned ones."""
    moved: set[int] = set()
    for plan in plans:
        for piece in plan.replaced:
            for pid in set(plan.chain) | set(piece.chain):
                before = piece.chain.index(pid) if pid in piece.chain else None
                after = plan.chain.index(pid) if pid in plan.chain else None
                if before != after:
                    moved.add(pid)
    return moved


def _exchanging(person_id: int, other_id: int) -> Transform:
    def transform(piece: InForce) -> tuple[int, ...]:
        swapped = {person_id: other_id, other_id: person_id}
        return tuple(swapped.get(p, p) for p in piece.chain)

    return transform


def _plan(
    session: Session, hotline: Hotline, span: Span, person: Person, transform: Transform
) -> list[_NewOverride]:
    """The overrides to write over `span`: one per piece where `person` is on call."""
    plans: list[_NewOverride] = []
    for piece in in_force(session, hotline.id, *span):
        if person.id not in piece.chain:
            continue
        chain = transform(piece)
        last = plans[-1] if plans else None
        if last is not None and last.ends_at == piece.starts_at and last.chain == chain:
            last.ends_at = piece.ends_at
            last.replaced.append(piece)
        else:
            plans.append(_NewOverride(piece.starts_at, piece.ends_at, chain, [piece]))
    if not plans:
        zone = ZoneInfo(hotline.timezone)
        raise PlanningError(
            _l(
                "%(name)s is not on call between %(start)s and %(end)s",
                name=person.name,
                start=WallTime.of(span[0], zone),
                end=WallTime.of(span[1], zone),
            ),
            "person_id",
        )
    return plans


def _write(
    session: Session,
    hotline: Hotline,
    plans: list[_NewOverride],
    note: str | None,
    action: str,
    user_id: int | None,
) -> list[Slot]:
    slots = []
    for plan in plans:
        _carve(session, hotline.id, (plan.starts_at, plan.ends_at), user_id)
        slot = Slot(
            hotline_id=hotline.id,
            kind=OVERRIDE,
            starts_at=plan.starts_at,
            ends_at=plan.ends_at,
            note=note,
            responders=[SlotResponder(position=i, person_id=p) for i, p in enumerate(plan.chain)],
        )
        session.add(slot)
        session.flush()
        session.expire(slot, ["responders"])
        # What rang over the span until now: the previous assignment stays readable.
        audit.record_slot_change(
            session,
            slot,
            action=action,
            user_id=user_id,
            before={"in_force": [_piece_snapshot(piece) for piece in plan.replaced]},
        )
        slots.append(slot)
    return slots


def _carve(session: Session, hotline_id: int, span: Span, user_id: int | None) -> None:
    """Cut existing overrides out of `span`, so that overrides never overlap."""
    for slot in slots_between(session, hotline_id, *span, kinds=(OVERRIDE,)):
        rest = subtract((slot.starts_at, slot.ends_at), [span])
        if not rest:
            remove_slot(session, slot, user_id=user_id)
            continue
        before = audit.slot_snapshot(slot)
        claim_slot(session, slot, slot.version)
        (slot.starts_at, slot.ends_at), tail = rest[0], rest[1:]
        session.flush()
        audit.record_slot_change(session, slot, action=audit.UPDATE, user_id=user_id, before=before)
        for start, end in tail:
            add_slot(
                session,
                hotline_id,
                kind=OVERRIDE,
                starts_at=start,
                ends_at=end,
                chain=[r.person_id for r in slot.responders],
                note=slot.note,
                # What already rang there keeps ringing: cutting puts nobody anywhere new.
                despite_absence=True,
                user_id=user_id,
            )


def _piece_snapshot(piece: InForce) -> dict[str, Any]:
    return {
        "starts_at": piece.starts_at.isoformat(),
        "ends_at": piece.ends_at.isoformat(),
        "kind": piece.kind,
        "slot_id": piece.slot_id,
        "chain": [
            {"person_id": pid, "name": name}
            for pid, name in zip(piece.chain, piece.names, strict=True)
        ],
    }


def _person(session: Session, person_id: int, field: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_l("unknown person"), field)
    return person
