"""Events the queue refused go back to the outbox at once, not to the slow sweep."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.alerts.models import AlertEvent, AlertKind
from hotline.alerts.outbox import record_event
from hotline.alerts.tasks import relay_outbox


def test_events_refused_by_the_queue_are_relayed_by_the_next_pass(app, db_session):
    first = record_event(db_session, AlertKind.LEG_FAILED, "leg_failed:test:0")
    second = record_event(db_session, AlertKind.LEG_FAILED, "leg_failed:test:1")
    db_session.commit()

    def queue_down(_event_id: int) -> None:
        raise ConnectionError("Redis is away")

    with pytest.raises(ConnectionError):
        relay_outbox(app, queue_down)

    db_session.expire_all()
    waiting = db_session.scalars(select(AlertEvent).where(AlertEvent.queued_at.is_(None))).all()
    assert {e.id for e in waiting} == {first.id, second.id}

    handed: list[int] = []
    assert relay_outbox(app, handed.append) == 2
    assert handed == [first.id, second.id]
