"""Small helpers shared by the planning tests: Paris times, chains, audit rows, SQL run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from hotline.planning.models import AuditLog, Slot
from hotline.planning.oncall import resolve_chain

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int, fold: int = 0) -> datetime:
    """A Paris wall-clock time as a UTC instant."""
    return datetime(*args, tzinfo=PARIS, fold=fold).astimezone(UTC)


def names_at(session: Session, hotline_id: int, at: datetime) -> list[str]:
    """Who the phone rings, in order, at `at` (the live lookup)."""
    return [r.name for r in resolve_chain(session, hotline_id, at).responders]


def regular_slots(session: Session, hotline_id: int) -> list[tuple[datetime, datetime, list[str]]]:
    """Every regular slot of a hotline as (start, end, names), in order."""
    session.expire_all()
    slots = session.scalars(
        select(Slot)
        .where(Slot.hotline_id == hotline_id, Slot.kind == "regular")
        .order_by(Slot.starts_at)
    )
    return [(s.starts_at, s.ends_at, [r.person.name for r in s.responders]) for s in slots]


def audit_rows(session: Session, hotline_id: int | None = None) -> list[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.id)
    if hotline_id is not None:
        query = query.where(AuditLog.hotline_id == hotline_id)
    return list(session.scalars(query))


def wall(moment: datetime) -> str:
    """A UTC instant as Paris wall-clock text: 2026-03-29 08:00."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")


def planning_table(session: Session, hotline_id: int) -> list[tuple[str, str, float, str]]:
    """Regular slots as (local start, local end, hours, names) rows: easy to compare."""
    return [
        (wall(start), wall(end), (end - start).total_seconds() / 3600, ",".join(names))
        for start, end, names in regular_slots(session, hotline_id)
    ]


@contextmanager
def statements_run(connection: Any) -> Iterator[list[str]]:
    """The SQL statements run on `connection` within the block, in order."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)
