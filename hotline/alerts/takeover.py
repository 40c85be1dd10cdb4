"""Read side of shift takes for the on-call lookup: who stays first backup, and until when."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts.models import ShiftTake
from hotline.models import Person


def outgoing_backup(
    session: Session, slot_id: int, primary_id: int | None
) -> tuple[int, str, str] | None:
    """The outgoing agent kept as first backup while `primary_id` has not confirmed the slot.

    Returns (person id, name, mobile), or None once confirmed or when nobody is kept.
    One seek on uq_shift_take_slot_id_person_id.
    """
    if primary_id is None:
        return None
    row = session.execute(
        select(Person.id, Person.name, Person.mobile)
        .join(ShiftTake, ShiftTake.outgoing_person_id == Person.id)
        .where(
            ShiftTake.slot_id == slot_id,
            ShiftTake.person_id == primary_id,
            ShiftTake.confirmed_at.is_(None),
            Person.active.is_(True),
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])
