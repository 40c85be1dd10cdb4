"""The planning's audit log: who changed what and when, with the entity before and after."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from hotline.db import utcnow
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
# A person's creation and each change of their details or active flag: one line per
# hotline they are on call for then, so each hotline's log shows it (one with no hotline
# for a person on call for none).
PERSON = "person"


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


def record_person_change(
    session: Session,
    person: Person,
    *,
    before: dict[str, Any] | None,
    hotline_ids: Sequence[int],
    user_id: int | None,
) -> list[AuditLog]:
    """Log that `person` was created (`before` None) or had details or status changed.

    The caller checks that something changed (hotline.planning.people.record_person_change).
    The pages and the API read the active flag back from these lines to give past
    moments the flag of then: every line holds the whole snapshot, flag included.
    """
    at = utcnow()  # one instant for every copy: they are one change
    entries = [
        record_change(
            session,
            hotline_id=hotline_id,
            user_id=user_id,
            action=CREATE if before is None else UPDATE,
            entity=PERSON,
            entity_id=person.id,
            before=before,
            after=person_snapshot(person),
        )
        for hotline_id in (hotline_ids or [None])
    ]
    for entry in entries:
        entry.at = at
    return entries


def person_snapshot(person: Person) -> dict[str, Any]:
    """A person's details as JSON for the log: the number the hotline rang, and whose it was.

    The planning file's export writes the same fields (with the person's ref).
    """
    return {
        "name": person.name,
        "mobile": person.mobile,
        "email": person.email,
        "language": person.language,
        "active": person.active,
    }


def chain_snapshot(people: dict[int, Person], person_ids: Sequence[int]) -> dict[str, Any]:
    """A default chain as JSON: names and active flags copied, as they were then."""
    return {
        "chain": [
            {"person_id": pid, "name": people[pid].name, "active": people[pid].active}
            for pid in person_ids
        ]
    }


@dataclass(frozen=True)
class PastChanges:
    """The lines that tell a past span's default chain and people's active flags."""

    # (at, before) of the hotline's default chain changes, oldest first.
    chains: list[tuple[datetime, dict[str, Any] | None]]
    # (person id, at, before, after) of active flag changes, oldest first.
    people: list[tuple[int, datetime, dict[str, Any] | None, dict[str, Any] | None]]


def past_changes(
    session: Session, hotline_id: int, start: datetime, until: datetime
) -> PastChanges:
    """The changes that tell what rang over [start, until): for the hotline's default chain
    and for each person's active flag, those made in between, then the first made from
    `until` on (its "before" held until then).

    One statement whatever the log's size: ranges of ix_audit_log_hotline_entity_at and
    ix_audit_log_entity_time, then ix_audit_log_entity_at for each person's next change.
    """
    lines = select(
        AuditLog.entity,
        AuditLog.entity_id,
        AuditLog.at,
        AuditLog.id,
        AuditLog.before,
        AuditLog.after,
    ).where(AuditLog.at > start)
    of_chain = (AuditLog.hotline_id == hotline_id, AuditLog.entity == DEFAULT_CHAIN)
    next_chain = select(func.min(AuditLog.at)).where(*of_chain, AuditLog.at >= until)
    chains = lines.where(
        *of_chain, or_(AuditLog.at < until, AuditLog.at <= next_chain.scalar_subquery())
    )
    later = aliased(AuditLog)
    next_flag = select(func.min(later.at)).where(
        later.entity == PERSON, later.entity_id == AuditLog.entity_id, later.at >= until
    )
    flags = lines.where(
        AuditLog.entity == PERSON,
        or_(AuditLog.at < until, AuditLog.at == next_flag.scalar_subquery()),
    )
    both = union_all(chains, flags).subquery()
    rows = session.execute(select(both).order_by(both.c.at, both.c.id))
    found = PastChanges([], [])
    for entity, entity_id, at, _id, before, after in rows:
        if entity == DEFAULT_CHAIN:
            found.chains.append((at, before))
        else:
            found.people.append((entity_id, at, before, after))
    return found


def default_chains_held(session: Session, person_id: int, since: datetime) -> set[int]:
    """The hotlines whose default chain held the person before a change made after
    `since`: their past hours may have rung them, whatever the chain is today."""
    rows = session.execute(
        select(AuditLog.hotline_id, AuditLog.before).where(
            AuditLog.entity == DEFAULT_CHAIN, AuditLog.at > since
        )
    )
    return {
        hotline_id
        for hotline_id, before in rows
        if hotline_id is not None
        and any(p.get("person_id") == person_id for p in (before or {}).get("chain") or ())
    }


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


def person_history(session: Session, person_id: int, limit: int = 50) -> list[AuditLog]:
    """The latest changes of one person, newest first, each once (`entry.user` is loaded).

    A change is written once per hotline the person serves: the copies share their
    instant, author and action, and only the first is read, `limit` of them at most.
    """
    firsts = (
        select(func.min(AuditLog.id))
        .where(AuditLog.entity == PERSON, AuditLog.entity_id == person_id)
        .group_by(AuditLog.at, AuditLog.user_id, AuditLog.action)
        .order_by(AuditLog.at.desc())
        .limit(limit)
    )
    return list(
        session.scalars(
            select(AuditLog)
            .where(AuditLog.id.in_(firsts))
            .order_by(AuditLog.at.desc(), AuditLog.id.desc())
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
