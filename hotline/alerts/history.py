"""The notification log as each user may see it, and who may be sent a test alert."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from hotline.alerts.models import AlertEvent, AlertKind, Notification, Status
from hotline.models import Hotline, Person
from hotline.planning.people import within_hotlines

LOG_LIMIT = 200
# Alerts that give the caller's number, for the reader to call back.
CALLER_ALERTS = (AlertKind.MISSED_CALL, AlertKind.LATE_VOICEMAIL, AlertKind.CALL_RECEIVED)


@dataclass(frozen=True)
class LogLine:
    notification_id: int
    created_at: datetime
    recipient: str  # "person:12" or "user:3" (an account linked to no active person)
    recipient_name: str
    kind: str
    # What it said, as a block of the kind_labels template: the kind, or for a
    # missed-call alert whether it told of a message.
    label: str
    hotline_name: str | None
    channel: str
    address: str
    person_id: int | None  # the person it was sent to, if any (whose mobile or e-mail it is)
    status: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    call_id: int | None  # the call it is about, if any
    hotline_id: int | None  # the event's hotline: the call's, for a call


def notification_log(
    session: Session,
    *,
    hotline_ids: set[int] | None,
    person_id: int | None,
    user_id: int,
    status: str | None = None,
    limit: int = LOG_LIMIT,
) -> list[LogLine]:
    """Latest notifications first: all of them (hotline_ids None), else the user's hotlines' and
    their own."""
    query = (
        select(
            Notification,
            AlertEvent.kind,
            AlertEvent.payload,
            Hotline.name,
            AlertEvent.call_id,
            AlertEvent.hotline_id,
        )
        .join(AlertEvent, AlertEvent.id == Notification.event_id)
        .outerjoin(Hotline, Hotline.id == AlertEvent.hotline_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if hotline_ids is not None:
        mine = [Notification.recipient == f"user:{user_id}"]
        if person_id is not None:
            mine.append(Notification.person_id == person_id)
        if hotline_ids:
            mine.append(AlertEvent.hotline_id.in_(hotline_ids))
        query = query.where(or_(*mine))
    if status:
        query = query.where(Notification.status == Status(status))
    return [
        LogLine(
            notification_id=n.id,
            created_at=n.created_at,
            recipient=n.recipient,
            recipient_name=n.recipient_name,
            kind=kind,
            label=label_of(kind, payload),
            hotline_name=hotline_name,
            channel=n.channel,
            address=n.address,
            person_id=n.person_id,
            status=n.status,
            attempts=n.attempts,
            last_error=n.last_error,
            sent_at=n.sent_at,
            call_id=call_id,
            hotline_id=hotline_id,
        )
        for n, kind, payload, hotline_name, call_id, hotline_id in session.execute(query)
    ]


def label_of(kind: str, payload: dict[str, Any] | None) -> str:
    """The kind_labels block naming what an event's notifications said."""
    has_message = (payload or {}).get("has_message")
    if kind != AlertKind.MISSED_CALL or has_message is None:
        return kind  # older missed-call alerts did not keep their wording
    return "missed_call_message" if has_message else "missed_call_no_message"


def calls_told_of(
    session: Session, call_ids: Iterable[int], *, user_id: int, person_id: int | None
) -> set[int]:
    """The calls among `call_ids` whose caller an alert sent to this user named in full."""
    ids = list(call_ids)
    if not ids:
        return set()
    recipients = [f"user:{user_id}"]
    if person_id is not None:
        recipients.append(f"person:{person_id}")
    told = (
        select(AlertEvent.call_id)
        .join(Notification, Notification.event_id == AlertEvent.id)
        .where(
            AlertEvent.call_id.in_(ids),
            AlertEvent.kind.in_(CALLER_ALERTS),
            Notification.recipient.in_(recipients),
            Notification.status == Status.SENT,
        )
        .distinct()
    )
    return {call_id for call_id in session.scalars(told) if call_id is not None}


def testable_people(
    session: Session, hotline_ids: set[int] | None, *, own_person_id: int | None, now: datetime
) -> list[Person]:
    """The active people a manager or admin may send a test alert to, by name."""
    query = select(Person).where(_testable(hotline_ids, own_person_id, now)).order_by(Person.name)
    return list(session.scalars(query))


def testable_person(
    session: Session,
    person_id: int,
    hotline_ids: set[int] | None,
    *,
    own_person_id: int | None,
    now: datetime,
) -> Person | None:
    """The person, if active and one a manager or admin may send a test alert to."""
    query = select(Person).where(Person.id == person_id, _testable(hotline_ids, own_person_id, now))
    return session.scalar(query)


def _testable(
    hotline_ids: set[int] | None, own_person_id: int | None, now: datetime
) -> ColumnElement[bool]:
    """A condition on Person: active, and reached by the user's people pages (their
    hotlines' teams and the people of no team; hotline_ids None: everyone), or their own."""
    # A test alert goes to the person's mobile and address: those the people pages show.
    reach = within_hotlines(hotline_ids, now=now)
    if own_person_id is not None:
        reach = or_(reach, Person.id == own_person_id)
    return and_(Person.active.is_(True), reach)
