"""Shift changes: the reminder before, the take confirmation at the start, the escalation after.

A shift change is a slot start where the primary differs from the one on call
just before. All times are UTC instants, so "30 minutes before 08:00 local"
is right on both sides of a DST change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts import outbox, preferences
from hotline.alerts.models import AlertKind, ShiftTake
from hotline.models import Hotline, Person
from hotline.planning.models import Slot
from hotline.planning.oncall import resolve_chain

JUST_BEFORE = timedelta(microseconds=1)
# Replies that confirm a shift, in French or English, case and punctuation aside.
CONFIRMING_WORDS = frozenset({"ok", "oui", "yes", "1", "confirme", "confirmé", "confirm", "go"})


@dataclass(frozen=True)
class ShiftPolicy:
    reminder_minutes: int  # remind the incoming agent this long before
    confirm_minutes: int  # alert the managers when unconfirmed this long after


@dataclass(frozen=True)
class ShiftChange:
    hotline_id: int
    slot_id: int
    starts_at: datetime
    incoming_id: int
    outgoing_id: int | None


def shift_changes(
    session: Session, hotline_id: int, start: datetime, end: datetime
) -> list[ShiftChange]:
    """The shift changes of a hotline starting in [start, end)."""
    slots = session.execute(
        select(Slot.id, Slot.starts_at)
        .where(Slot.hotline_id == hotline_id, Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at)
    )
    changes = []
    for slot_id, starts_at in slots:
        incoming = resolve_chain(session, hotline_id, starts_at)
        if incoming.slot_id != slot_id or not incoming.responders:
            continue  # hidden by an override, or nobody active in it
        before = resolve_chain(session, hotline_id, starts_at - JUST_BEFORE)
        incoming_id = incoming.responders[0].person_id
        outgoing_id = before.responders[0].person_id if before.responders else None
        if incoming_id is None or incoming_id == outgoing_id:
            continue
        changes.append(ShiftChange(hotline_id, slot_id, starts_at, incoming_id, outgoing_id))
    return changes


def ensure_take(session: Session, change: ShiftChange) -> ShiftTake:
    """The take record of a shift change, created once."""
    take = session.scalar(
        select(ShiftTake).where(
            ShiftTake.slot_id == change.slot_id, ShiftTake.person_id == change.incoming_id
        )
    )
    if take is None:
        take = ShiftTake(
            hotline_id=change.hotline_id,
            slot_id=change.slot_id,
            person_id=change.incoming_id,
            outgoing_person_id=change.outgoing_id,
            starts_at=change.starts_at,
        )
        session.add(take)
        session.flush()
    return take


def watch_shifts(session: Session, now: datetime, policy: ShiftPolicy) -> None:
    """Run every minute: reminders due, take requests due, escalations due."""
    lead = timedelta(minutes=policy.reminder_minutes)
    grace = timedelta(minutes=policy.confirm_minutes)
    for hotline_id in session.scalars(select(Hotline.id).order_by(Hotline.id)):
        if not preferences.hotline_enabled(session, hotline_id, AlertKind.SHIFT_TAKE):
            _remind(session, shift_changes(session, hotline_id, now, now + lead + JUST_BEFORE), now)
            continue
        # Shifts about to start get their take record now, so a reply to the
        # reminder already confirms; shifts started lately get the request.
        for change in shift_changes(session, hotline_id, now - grace, now + lead + JUST_BEFORE):
            take = ensure_take(session, change)
            if change.starts_at > now:
                _remind(session, [change], now, take)
            elif take.confirmed_at is None:
                outbox.record_event(
                    session,
                    AlertKind.SHIFT_TAKE,
                    f"shift_take:{take.id}",
                    hotline_id=hotline_id,
                    person_id=take.person_id,
                    shift_take_id=take.id,
                )
    escalate_unconfirmed(session, now, grace)


def _remind(
    session: Session, changes: list[ShiftChange], now: datetime, take: ShiftTake | None = None
) -> None:
    for change in changes:
        minutes = max(1, round((change.starts_at - now).total_seconds() / 60))
        outbox.record_event(
            session,
            AlertKind.SHIFT_REMINDER,
            f"shift_reminder:{change.slot_id}:{change.incoming_id}",
            hotline_id=change.hotline_id,
            person_id=change.incoming_id,
            shift_take_id=take.id if take is not None else None,
            payload={
                "slot_id": change.slot_id,
                "starts_at": change.starts_at.isoformat(),
                "minutes": minutes,
            },
        )


def escalate_unconfirmed(session: Session, now: datetime, grace: timedelta) -> None:
    """Tell the managers about takes still unconfirmed `grace` after their start."""
    takes = session.scalars(
        select(ShiftTake)
        .join(Slot, Slot.id == ShiftTake.slot_id)
        .where(
            ShiftTake.confirmed_at.is_(None),
            ShiftTake.escalated_at.is_(None),
            ShiftTake.starts_at <= now - grace,
            Slot.ends_at > now,
        )
    )
    for take in takes:
        take.escalated_at = now
        outbox.record_event(
            session,
            AlertKind.SHIFT_UNCONFIRMED,
            f"shift_unconfirmed:{take.id}",
            hotline_id=take.hotline_id,
            person_id=take.person_id,
            shift_take_id=take.id,
        )


class NothingToConfirm(LookupError):
    """No shift of this person waits for a confirmation."""


def is_confirmation(text: str) -> bool:
    words = re.findall(r"\w+", text.lower())
    return bool(words) and words[0] in CONFIRMING_WORDS


def pending_takes(
    session: Session, person_id: int, now: datetime, lead: timedelta
) -> list[ShiftTake]:
    """The person's unconfirmed takes of shifts started, or starting within `lead`."""
    return list(
        session.scalars(
            select(ShiftTake)
            .join(Slot, Slot.id == ShiftTake.slot_id)
            .where(
                ShiftTake.person_id == person_id,
                ShiftTake.confirmed_at.is_(None),
                ShiftTake.starts_at <= now + lead,
                Slot.ends_at > now,
            )
            .order_by(ShiftTake.starts_at)
        )
    )


def confirm_take(session: Session, take: ShiftTake, via: str, now: datetime) -> ShiftTake:
    """Mark the take confirmed (a replay keeps the first confirmation)."""
    if take.confirmed_at is None:
        take.confirmed_at = now
        take.confirmed_via = via
    return take


def confirm_by_sms(
    session: Session, from_number: str, now: datetime, lead: timedelta
) -> list[ShiftTake]:
    """Confirm every pending take of the person texting from `from_number`."""
    people = session.scalars(
        select(Person.id).where(Person.mobile == from_number, Person.active.is_(True))
    ).all()
    takes = [t for pid in people for t in pending_takes(session, pid, now, lead)]
    if not takes:
        raise NothingToConfirm(from_number)
    return [confirm_take(session, take, "sms", now) for take in takes]


def takes_between(
    session: Session, hotline_id: int, start: datetime, end: datetime
) -> list[ShiftTake]:
    """Shift takes of a hotline starting in [start, end): for the planning and statistics."""
    return list(
        session.scalars(
            select(ShiftTake)
            .where(
                ShiftTake.hotline_id == hotline_id,
                ShiftTake.starts_at >= start,
                ShiftTake.starts_at < end,
            )
            .order_by(ShiftTake.starts_at)
        )
    )
