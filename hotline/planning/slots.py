"""Editing slots by hand: create, update, delete, with validation and optimistic locking.

Every write first locks the hotline's row (SELECT ... FOR UPDATE on PostgreSQL;
SQLite's writers are serialised already), so two managers cannot both pass the
overlap check and then both insert. An update or delete names the `version`
the editor loaded; the row is claimed with UPDATE ... WHERE version = :loaded,
so the second of two concurrent editors gets PlanningConflict and nothing of
theirs is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.message_times import WallTime
from hotline.models import Hotline
from hotline.planning import audit
from hotline.planning.errors import NotFound, PlanningConflict, PlanningError
from hotline.planning.models import OVERRIDE, REGULAR, Slot, SlotResponder
from hotline.planning.rules import RuleWarning, rule_warnings
from hotline.planning.unavailability import (
    AbsentPlace,
    Placement,
    confirmed_absences,
)
from hotline.planning.validation import (
    MAX_SLOT_LENGTH,
    aware,
    check_note,
    check_people,
    check_span,
    subtract,
)
from hotline.planning.versions import claim_version

SLOT_CHANGED = _l("somebody changed this slot meanwhile: reload it, then make your change again")


@dataclass(frozen=True)
class SlotEdit:
    """A slot as saved, and the labour rules it breaks (warnings: it is saved anyway).

    `absent` lists the pieces where somebody put on call despite a recorded absence rings.
    """

    slot: Slot
    warnings: tuple[RuleWarning, ...] = ()
    absent: tuple[AbsentPlace, ...] = ()


def lock_planning(session: Session, hotline_id: int) -> Hotline:
    """Lock a hotline's planning for this transaction and return the hotline."""
    hotline = session.scalar(select(Hotline).where(Hotline.id == hotline_id).with_for_update())
    if hotline is None:
        raise NotFound(_l("unknown hotline"), "hotline_id")
    return hotline


def get_slot(session: Session, slot_id: int) -> Slot:
    """The slot with its responders, or NotFound."""
    slot = session.get(Slot, slot_id, options=[selectinload(Slot.responders)])
    if slot is None:
        raise NotFound(_l("this slot does not exist (any more)"), "slot_id")
    return slot


def slots_between(
    session: Session,
    hotline_id: int,
    start: datetime,
    end: datetime,
    kinds: Sequence[str] = (OVERRIDE, REGULAR),
) -> list[Slot]:
    """Slots of `kinds` overlapping [start, end), by start, responders loaded."""
    return list(
        session.scalars(
            select(Slot)
            .where(
                Slot.hotline_id == hotline_id,
                Slot.kind.in_(kinds),
                # No slot is longer than MAX_SLOT_LENGTH: a bounded range of ix_slot_lookup.
                Slot.starts_at > start - MAX_SLOT_LENGTH,
                Slot.starts_at < end,
                Slot.ends_at > start,
            )
            .options(selectinload(Slot.responders).joinedload(SlotResponder.person))
            .order_by(Slot.starts_at, Slot.kind)
        )
    )


def add_slot(
    session: Session,
    hotline_id: int,
    *,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    chain: Sequence[int],
    note: str | None = None,
    despite_absence: bool = False,
    user_id: int | None,
) -> SlotEdit:
    """Check and add a slot of `kind` with its audit row; PlanningError leaves nothing.

    Somebody of the chain recorded as unavailable during the slot is refused
    (ResponderAbsent names who, when and where), unless `despite_absence` confirms
    the manager's choice; the result then lists those pieces.
    """
    hotline = lock_planning(session, hotline_id)
    starts_at, ends_at = aware(starts_at, "starts_at"), aware(ends_at, "ends_at")
    check_span(starts_at, ends_at)
    check_people(session, chain, "chain")
    note = check_note(note)
    _check_free(session, hotline, kind, starts_at, ends_at, exclude=None)
    placements = [Placement(starts_at, ends_at, i, pid) for i, pid in enumerate(chain)]
    absent = confirmed_absences(
        session, ZoneInfo(hotline.timezone), placements, "chain", despite_absence=despite_absence
    )
    slot = Slot(hotline_id=hotline_id, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note)
    slot.responders = _responders(chain)
    session.add(slot)
    session.flush()
    session.expire(slot, ["responders"])
    audit.record_slot_change(session, slot, action=audit.CREATE, user_id=user_id, before=None)
    warnings = rule_warnings(session, hotline_id, starts_at, ends_at, set(chain))
    return SlotEdit(slot, tuple(warnings), absent)


# A regular slot made by hand (rotations never rewrite it).
create_slot = partial(add_slot, kind=REGULAR)


def update_slot(
    session: Session,
    slot_id: int,
    *,
    version: int,
    starts_at: datetime,
    ends_at: datetime,
    chain: Sequence[int],
    note: str | None = None,
    despite_absence: bool = False,
    user_id: int | None,
) -> SlotEdit:
    """Change a slot's times, chain and note, if nobody changed it since `version` was read.

    A regular slot edited by hand leaves its rotation: generation will not undo the edit.
    Absences are checked as in add_slot, over what the edit changes: a place somebody
    takes, or hours added to theirs (a note changed alone refuses nothing).
    """
    slot = _loaded(session, slot_id, version)
    hotline = lock_planning(session, slot.hotline_id)
    starts_at, ends_at = aware(starts_at, "starts_at"), aware(ends_at, "ends_at")
    check_span(starts_at, ends_at)
    check_people(session, chain, "chain")
    note = check_note(note)
    _check_free(session, hotline, slot.kind, starts_at, ends_at, exclude=slot.id)
    absent = confirmed_absences(
        session,
        ZoneInfo(hotline.timezone),
        _new_places(slot, starts_at, ends_at, chain),
        "chain",
        despite_absence=despite_absence,
    )
    before = audit.slot_snapshot(slot)
    touched = {r.person_id for r in slot.responders} | set(chain)
    span = (min(slot.starts_at, starts_at), max(slot.ends_at, ends_at))
    claim_slot(session, slot, version)
    slot.starts_at, slot.ends_at, slot.note, slot.rotation_id = starts_at, ends_at, note, None
    set_chain(session, slot, chain)
    audit.record_slot_change(session, slot, action=audit.UPDATE, user_id=user_id, before=before)
    warnings = rule_warnings(session, slot.hotline_id, *span, touched)
    return SlotEdit(slot, tuple(warnings), absent)


def delete_slot(session: Session, slot_id: int, *, version: int, user_id: int | None) -> None:
    """Remove a slot (regular or override), if nobody changed it since `version` was read."""
    slot = _loaded(session, slot_id, version)
    lock_planning(session, slot.hotline_id)
    before = audit.slot_snapshot(slot)
    claim_slot(session, slot, version)
    remove_slot(session, slot, user_id=user_id, before=before)


def remove_slot(
    session: Session, slot: Slot, *, user_id: int | None, before: dict | None = None
) -> None:
    """Delete a slot already claimed or locked, with its audit row."""
    before = before or audit.slot_snapshot(slot)
    session.delete(slot)
    session.flush()
    audit.record_slot_change(session, slot, action=audit.DELETE, user_id=user_id, before=before)


def claim_slot(session: Session, slot: Slot, version: int) -> None:
    """Bump the slot's version if it is still `version`, else raise PlanningConflict."""
    claim_version(session, slot, version, SLOT_CHANGED)


def set_chain(session: Session, slot: Slot, chain: Sequence[int]) -> None:
    """Replace a slot's responders, in order, and flush."""
    slot.responders = _responders(chain)
    session.flush()
    session.expire(slot, ["responders"])


def _responders(chain: Sequence[int]) -> list[SlotResponder]:
    return [SlotResponder(position=i, person_id=pid) for i, pid in enumerate(chain)]


def _loaded(session: Session, slot_id: int, version: int) -> Slot:
    slot = session.get(Slot, slot_id, options=[selectinload(Slot.responders)])
    if slot is None:
        raise PlanningConflict(_l("this slot was deleted meanwhile: reload the planning"))
    if slot.version != version:
        raise PlanningConflict(SLOT_CHANGED)
    return slot


def _new_places(
    slot: Slot, starts_at: datetime, ends_at: datetime, chain: Sequence[int]
) -> list[Placement]:
    """Where the edited slot puts people that it did not before: new places, added hours."""
    held = {(r.position, r.person_id) for r in slot.responders}
    placements = []
    for position, person_id in enumerate(chain):
        spans = [(starts_at, ends_at)]
        if (position, person_id) in held:
            spans = subtract(spans[0], [(slot.starts_at, slot.ends_at)])
        placements += [Placement(start, end, position, person_id) for start, end in spans]
    return placements


def _check_free(
    session: Session,
    hotline: Hotline,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    exclude: int | None,
) -> None:
    """Refuse a span overlapping another slot of the same kind (overrides lie over regulars)."""
    query = select(Slot).where(
        Slot.hotline_id == hotline.id,
        Slot.kind == kind,
        Slot.starts_at > starts_at - MAX_SLOT_LENGTH,
        Slot.starts_at < ends_at,
        Slot.ends_at > starts_at,
    )
    if exclude is not None:
        query = query.where(Slot.id != exclude)
    other = session.scalars(query.order_by(Slot.starts_at).limit(1)).first()
    if other is None:
        return
    zone = ZoneInfo(hotline.timezone)
    values = {
        "start": WallTime.of(other.starts_at, zone),
        "end": WallTime.of(other.ends_at, zone),
        "names": ", ".join(r.person.name for r in other.responders),
    }
    if kind == OVERRIDE:
        raise PlanningError(
            _l("overlaps the override %(start)s - %(end)s (%(names)s)", **values), "starts_at"
        )
    raise PlanningError(
        _l("overlaps the regular slot %(start)s - %(end)s (%(names)s)", **values), "starts_at"
    )
