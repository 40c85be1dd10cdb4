"""The planning's audit log: who changed what and when, with the entity before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.planning.models import AuditLog, Slot

CREATE, UPDATE, DELETE = "create", "update", "delete"
GENERATE, OVERRIDE, SWAP, ROTATE = "generate", "override", "swap", "rotate"

SLOT, ROTATION, UNAVAILABILITY = "slot", "rotation", "unavailability"
LABOUR_RULES, FEED_TOKEN = "labour_rules", "feed_token"


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
