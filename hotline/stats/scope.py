"""Which calls a figure covers: a period, and one hotline or all of them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from hotline.models import Person
from hotline.stats.periods import Period
from hotline.voice.models import Call, Outcome

# Ring legs are created within minutes of their call's start (ring timeouts are at
# most 10 minutes per leg): six hours bounds any chain, with room for clocks a
# little apart on two app nodes. Bounding the legs' created_at by it lets the
# database range-scan the legs too; the hourly rollups use it around each day.
LEG_LAG = timedelta(hours=6)
# Calls nobody in the chain took: they feed the "misses" heatmap.
UNANSWERED = (Outcome.MISSED, Outcome.VOICEMAIL, Outcome.ABANDONED, Outcome.FAILED)


def calls_in(period: Period, hotline_id: int | None) -> list[ColumnElement[Any]]:
    """Conditions on `Call` for calls started in `period` (to one hotline, or any)."""
    conditions: list[ColumnElement[Any]] = [
        Call.started_at >= period.starts_at,
        Call.started_at < period.ends_at,
    ]
    if hotline_id is not None:
        conditions.append(Call.hotline_id == hotline_id)
    return conditions


def person_names(session: Session, person_ids: Iterable[int]) -> dict[int, str]:
    """Names of the given people, by id."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {pid: name for pid, name in rows}
