"""The call list: filters, keyset paging, and a streaming walk for exports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, and_, exists, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from hotline.models import Hotline, Person
from hotline.stats.errors import StatsInputError
from hotline.stats.periods import Period
from hotline.stats.scope import calls_in
from hotline.stats.sqltime import dialect_of, seconds_between
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"^(\d{1,20})\.(\d{1,20})$")
_CALLER = re.compile(r"[^0-9+]")


@dataclass(frozen=True)
class CallFilters:
    """Which calls to list: a period, then optionally a hotline, outcome, agent, caller.

    `agent_id` keeps the calls on which that person was rung (any leg dialled);
    `caller` is a part of the caller's number (spaces and dots ignored).
    """

    period: Period
    hotline_id: int | None = None
    outcome: str | None = None
    agent_id: int | None = None
    caller: str | None = None


@dataclass(frozen=True)
class CallRow:
    id: int
    call_sid: str
    hotline_id: int | None
    hotline_name: str | None
    from_number: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str
    answered_by_id: int | None
    answered_by: str | None
    answered_position: int | None
    legs: int
    answer_seconds: float | None
    talk_seconds: int | None
    duration_seconds: int | None


@dataclass(frozen=True)
class CallPage:
    rows: list[CallRow]
    # Pass back as `cursor` to get the next (older) page; None on the last page.
    next_cursor: str | None


def list_calls(
    session: Session,
    filters: CallFilters,
    page_size: int = DEFAULT_PAGE_SIZE,
    cursor: str | None = None,
) -> CallPage:
    """Return one page of calls, newest first."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise StatsInputError(f"page size must be 1 to {MAX_PAGE_SIZE}, not {page_size}")
    query = _filtered(session, filters)
    if cursor:
        query = query.where(tuple_(Call.started_at, Call.id) < _decode(cursor))
    rows = [_row(r) for r in session.execute(query.limit(page_size + 1))]
    if len(rows) <= page_size:
        return CallPage(rows, None)
    rows = rows[:page_size]
    return CallPage(rows, _encode(rows[-1]))


def iter_calls(
    session: Session, filters: CallFilters, chunk: int = MAX_PAGE_SIZE
) -> Iterator[CallRow]:
    """Yield every call matching `filters`, newest first, a page at a time (for exports)."""
    cursor: str | None = None
    while True:
        page = list_calls(session, filters, chunk, cursor)
        yield from page.rows
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def count_calls(session: Session, filters: CallFilters) -> int:
    """Number of calls matching `filters`."""
    query = _filtered(session, filters).order_by(None)
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


# A leg of a caller gone during the greeting is recorded but never rang anyone.
_DIALLED = CallAttempt.result != LegResult.NOT_DIALLED


def _filtered(session: Session, filters: CallFilters) -> Select[tuple[object, ...]]:
    _check(session, filters)
    accepting = aliased(CallAttempt)
    answerer = aliased(Person)
    legs = (
        select(func.count())
        .where(CallAttempt.call_id == Call.id, _DIALLED)
        .correlate(Call)
        .scalar_subquery()
    )
    postgresql = dialect_of(session) == "postgresql"
    query = (
        select(
            Call.id,
            Call.call_sid,
            Call.hotline_id,
            Hotline.name.label("hotline_name"),
            Call.from_number,
            Call.started_at,
            Call.ended_at,
            Call.outcome,
            Call.answered_by_id,
            answerer.name.label("answered_by"),
            Call.answered_position,
            legs.label("legs"),
            seconds_between(postgresql, Call.started_at, accepting.accepted_at).label("wait"),
            accepting.talk_seconds,
            Call.duration,
        )
        .outerjoin(Hotline, Hotline.id == Call.hotline_id)
        .outerjoin(answerer, answerer.id == Call.answered_by_id)
        .outerjoin(
            accepting,
            and_(accepting.call_id == Call.id, accepting.position == Call.answered_position),
        )
        .where(*calls_in(filters.period, filters.hotline_id))
        .order_by(Call.started_at.desc(), Call.id.desc())
    )
    if filters.outcome:
        query = query.where(Call.outcome == filters.outcome)
    if filters.agent_id is not None:
        rung = exists().where(
            CallAttempt.call_id == Call.id, CallAttempt.person_id == filters.agent_id, _DIALLED
        )
        query = query.where(rung)
    caller = _caller_part(filters.caller)
    if caller:
        query = query.where(Call.from_number.contains(caller, autoescape=True))
    return query


def masked_caller(number: str) -> str:
    """The caller's number with all but its country prefix and last two digits hidden.

    For roles that need to tell calls apart but not to call back.
    """
    if len(number) <= 6:
        return "•" * len(number)
    return number[:3] + "•" * (len(number) - 5) + number[-2:]


def _check(session: Session, filters: CallFilters) -> None:
    if filters.outcome and filters.outcome not in {o.value for o in Outcome}:
        known = ", ".join(o.value for o in Outcome)
        raise StatsInputError(f"unknown outcome {filters.outcome!r}; choose one of {known}")
    if filters.agent_id is not None and session.get(Person, filters.agent_id) is None:
        raise StatsInputError(f"unknown agent {filters.agent_id}")
    if filters.hotline_id is not None and session.get(Hotline, filters.hotline_id) is None:
        raise StatsInputError(f"unknown hotline {filters.hotline_id}")


def _caller_part(text: str | None) -> str:
    if not text:
        return ""
    cleaned = _CALLER.sub("", text.replace(" ", "").replace(".", ""))
    if not cleaned:
        raise StatsInputError(f"caller filter {text!r} holds no digit")
    return cleaned


def _row(row: object) -> CallRow:
    r = row._mapping  # type: ignore[attr-defined]
    duration = r["duration"]
    if duration is None and r["ended_at"] is not None:
        duration = int((r["ended_at"] - r["started_at"]).total_seconds())
    return CallRow(
        id=r["id"],
        call_sid=r["call_sid"],
        hotline_id=r["hotline_id"],
        hotline_name=r["hotline_name"],
        from_number=r["from_number"],
        started_at=r["started_at"],
        ended_at=r["ended_at"],
        outcome=r["outcome"],
        answered_by_id=r["answered_by_id"],
        answered_by=r["answered_by"],
        answered_position=r["answered_position"],
        legs=r["legs"],
        answer_seconds=None if r["wait"] is None else float(r["wait"]),
        talk_seconds=r["talk_seconds"],
        duration_seconds=duration,
    )


def _encode(row: CallRow) -> str:
    micros = (row.started_at - EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{row.id}"


def _decode(cursor: str) -> tuple[datetime, int]:
    found = _CURSOR.match(cursor)
    if not found:
        raise StatsInputError(f"invalid page cursor {cursor!r}")
    micros, call_id = int(found[1]), int(found[2])
    try:
        started = EPOCH + timedelta(microseconds=micros)
    except (OverflowError, OSError, ValueError):
        raise StatsInputError(f"invalid page cursor {cursor!r}") from None
    return started, call_id


def calls_rung_for(session: Session, person_id: int, call_ids: set[int]) -> set[int]:
    """Those of `call_ids` whose chain actually rang the person (a leg was dialled)."""
    if not call_ids:
        return set()
    rows = session.scalars(
        select(CallAttempt.call_id).where(
            CallAttempt.call_id.in_(call_ids),
            CallAttempt.person_id == person_id,
            _DIALLED,
        )
    )
    return set(rows)
