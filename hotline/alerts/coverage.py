"""The daily coverage-gap digest: the spans of the coming days where a call would ring nobody.

Hours without a slot that the hotline's default chain takes are not gaps
(hotline.planning.coverage): the digest tells managers of what needs fixing, and
the gaps page lists those hours apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts import outbox
from hotline.alerts.models import AlertKind
from hotline.models import Hotline
from hotline.planning.coverage import Span, coverage_gaps  # noqa: F401 - re-exported; planning owns it


def record_digests(session: Session, now: datetime, hour: int, days: int) -> None:
    """Once a day per hotline, from `hour` local time on: record its gaps of the next days."""
    for hotline in session.scalars(select(Hotline).order_by(Hotline.id)):
        local = now.astimezone(ZoneInfo(hotline.timezone))
        if local.hour < hour:
            continue
        key = f"coverage_gap:{hotline.id}:{local.date().isoformat()}"
        if outbox.event_exists(session, key):
            continue
        gaps = coverage_gaps(session, hotline.id, now, now + timedelta(days=days))
        # The event is recorded even without gaps: it marks the day as checked.
        outbox.record_event(
            session,
            AlertKind.COVERAGE_GAP,
            key,
            hotline_id=hotline.id,
            payload={
                "days": days,
                "gaps": [[s.isoformat(), e.isoformat()] for s, e in gaps],
            },
        )
