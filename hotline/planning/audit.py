"""The planning's audit log: who changed what and when, with the entity before and after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from hotline.models import Person
from hotline.planning.models import AuditLog, Slot

CREATE, UPDATE, DELETE = "create", "update", "delete"
GENERATE, OVERRIDE, SWAP, ROTATE = "generate", "override", "swap", "rotate"
# The default chain as it stood when the log started keeping its changes (migration
# 0014): "before" is None, as what came earlier was never recorded.
BASELINE = "baseline"

SLOT, ROTATION, UNAVAILABILITY = "slot", "rotation", "unavailability"
LABOUR_RULES, FEED_TOKEN = "labour_rules", "feed_token"
DEFAULT_CHAIN = "default_chain"


def record_change(
    session: Session,
    *,
    hotline_id: int | None,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditLog:
    """Add one audit row in the caller's transaction: it commits or rolls back with the change."""
    entry = AuditLog(
        hotline_id=hotline_id,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def record_slot_change(
    session: Session,
    slot: Slot,
    *,
    action: str,
    user_id: int | None,
    before: dict[str, Any] | None,
) -> AuditLog:
    """Log a change to `slot`; the row's "after" is the slot as it is now (none once deleted)."""
    return record_change(
        session,
        hotline_id=slot.hotline_id,
        user_id=user_id,
        action=action,
        entity=SLOT,
        entity_id=slot.id,
        before=before,
        after=None if action == DELETE else slot_snapshot(slot),
    )


def record_default_chain_change(
    session: Session,
    hotline_id: int,
    *,
    action: str,
    before: Sequence[int],
    after: Sequence[int],
    user_id: int | None,
) -> AuditLog | None:
    """Log a new default chain (person ids, primary first); nothing when it is unchanged.

    The calendar reads these rows back to show past hours with the chain in force then.
    """
    if list(before) == list(after) and action != CREATE:
        return None
    people = {
        p.id: p for p in session.scalars(select(Person).where(Person.id.in_({*before, *after})))
    }
    return record_change(
        session,
        hotline_id=hotline_id,
        user_id=user_id,
        action=action,
        entity=DEFAULT_CHAIN,
        entity_id=None,
        before=chain_snapshot(people, before),
        after=chain_snapshot(people, after),
    )


def chain_snapshot(people: dict[int, Person], person_ids: Sequence[int]) -> dict[str, Any]:
    """A default chain as JSON: names and active flags copied, as they were then."""
    return {
        "chain": [
            {"person_id": pid, "name": people[pid].name, "active": people[pid].active}
            for pid in person_ids
        ]
    }


def default_chain_changes(
    session: Session, hotline_id: int, start: datetime, until: datetime
) -> list[Row[tuple[datetime, dict[str, Any] | None]]]:
    """The changes of a hotline's default chain that tell which chain rang over
    [start, until): those made in between, then the first made from `until` on (its
    "before" held until then); (at, before) rows, oldest first.

    One statement, a range of ix_audit_log_hotline_entity_at, whatever the log's size.
    """
    of_chain = (AuditLog.hotline_id == hotline_id, AuditLog.entity == DEFAULT_CHAIN)
    next_one = select(func.min(AuditLog.at)).where(*of_chain, AuditLog.at >= until)
    return list(
        session.execute(
            select(AuditLog.at, AuditLog.before)
            .where(
                *of_chain,
                AuditLog.at > start,
                or_(AuditLog.at < until, AuditLog.at <= next_one.scalar_subquery()),
            )
            .order_by(AuditLog.at, AuditLog.id)
        )
    )


def audit_entries(session: Session, hotline_id: int, limit: int = 100) -> list[AuditLog]:
    """The latest changes to a hotline's planning, newest first (`entry.user` is loaded)."""
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.hotline_id == hotline_id)
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
            .limit(limit)
        )
    )


def entity_history(session: Session, entity: str, entity_id: int) -> list[AuditLog]:
    """Every recorded change of one slot, rotation, period..., oldest first."""
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
            .order_by(AuditLog.at, AuditLog.id)
        )
    )


def slot_snapshot(slot: Slot) -> dict[str, Any]:
    """A slot as JSON for the log; names are copied so the entry reads the same later."""
    return {
        "kind": slot.kind,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "chain": [{"person_id": r.person_id, "name": r.person.name} for r in slot.responders],
        "note": slot.note,
        "rotation_id": slot.rotation_id,
        "version": slot.version,
    }
