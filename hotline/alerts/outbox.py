"""The transactional outbox: record that something happened, in the caller's transaction.

These functions are all a webhook ever does for alerts: add a row, no network,
no commit. The worker reads the rows and sends (hotline.alerts.tasks).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, object_session

from hotline.alerts.models import AlertEvent, AlertKind, HotlineAlertSetting
from hotline.models import Person
from hotline.voice.models import Call, CallAttempt, Outcome
from hotline.voice.voicemails import awaiting_recording

ALERTING_OUTCOMES = frozenset({Outcome.MISSED, Outcome.VOICEMAIL})


def event_exists(session: Session, key: str) -> bool:
    return session.scalar(select(AlertEvent.id).where(AlertEvent.key == key)) is not None


def record_event(session: Session, kind: AlertKind, key: str, **fields: Any) -> AlertEvent | None:
    """Add the event unless one with `key` was already recorded; return it when added."""
    if event_exists(session, key):
        return None
    for pending in session.new:
        # The same request may raise the same event twice before any flush.
        if isinstance(pending, AlertEvent) and pending.key == key:
            return None
    event = AlertEvent(kind=kind, key=key, **fields)
    session.add(event)
    return event


def missed_call_key(call: Call) -> str:
    return f"missed_call:{call.call_sid}"


def call_settled(call: Call) -> None:
    """Raise the missed-call alert once the call's outcome is missed or voicemail."""
    session = object_session(call)
    if session is None or call.outcome not in ALERTING_OUTCOMES:
        return
    # One alert per call: its wording (missed, or a message) is decided when the
    # worker dispatches it, which waits for Twilio to settle a reported message
    # (ready_to_relay); a message confirmed later raises message_confirmed's update.
    record_event(
        session,
        AlertKind.MISSED_CALL,
        missed_call_key(call),
        hotline_id=call.hotline_id,
        call=call,
    )


def message_confirmed(session: Session, call: Call) -> None:
    """Raise the "message left after all" alert when the missed-call alert said no message.

    The row lock orders this against the worker dispatching the missed-call
    alert (a conditional update of the same row): either the worker sees the
    message, or this sees the worker's "no message".
    """
    missed = session.scalar(
        select(AlertEvent)
        .where(AlertEvent.key == missed_call_key(call))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if missed is None or missed.payload.get("has_message") is not False:
        return  # not dispatched yet (it will tell of the message), or it did tell
    record_event(
        session,
        AlertKind.LATE_VOICEMAIL,
        f"late_voicemail:{call.call_sid}",
        hotline_id=call.hotline_id,
        call=call,
        payload={"missed_call_event_id": missed.id},
    )


def ready_to_relay(now: datetime, recording_wait: timedelta) -> ColumnElement[bool]:
    """Events the relay may hand over (a SQL condition on AlertEvent).

    A missed-call alert waits while Twilio has reported a message and not
    settled it, for `recording_wait` at most. A late-voicemail update is handed
    over at once: each of its notifications waits for the alert's to the same
    recipient on the same channel (hotline.alerts.sending.held_back), not for
    the whole alert, whose e-mail may be retried for minutes.
    """
    return or_(
        AlertEvent.kind != AlertKind.MISSED_CALL,
        AlertEvent.created_at <= now - recording_wait,
        ~awaiting_recording(AlertEvent.call_id),
    )


def leg_failed(session: Session, call: Call, attempt: CallAttempt) -> None:
    """Raise the "number unreachable" alert for a ring leg the carrier failed."""
    record_event(
        session,
        AlertKind.LEG_FAILED,
        f"leg_failed:{call.call_sid}:{attempt.position}",
        hotline_id=call.hotline_id,
        call=call,
        person_id=attempt.person_id,
        payload={"position": attempt.position, "number": attempt.number},
    )


def record_received_calls(session: Session, since: datetime) -> int:
    """Raise "a call is coming in" for calls started since `since` on hotlines that want it.

    Run by the worker every second rather than by the incoming-call webhook, so
    the hottest path pays nothing for an alert most hotlines leave off: the
    Call row is already the durable record of the call.
    """
    wanted = select(HotlineAlertSetting.hotline_id).where(
        HotlineAlertSetting.kind == AlertKind.CALL_RECEIVED, HotlineAlertSetting.enabled.is_(True)
    )
    hotline_ids = list(session.scalars(wanted))
    if not hotline_ids:
        return 0
    calls = session.execute(
        select(Call.id, Call.call_sid, Call.hotline_id).where(
            Call.hotline_id.in_(hotline_ids), Call.started_at >= since
        )
    )
    recorded = 0
    for call_id, call_sid, hotline_id in calls:
        event = record_event(
            session,
            AlertKind.CALL_RECEIVED,
            f"call_received:{call_sid}",
            hotline_id=hotline_id,
            call_id=call_id,
        )
        recorded += event is not None
    return recorded


def request_test_alert(
    session: Session,
    *,
    person: Person | None = None,
    user_id: int | None = None,
    name: str = "",
    email: str | None = None,
    language: str = "fr",
    timezone: str = "Europe/Paris",
) -> AlertEvent:
    """Queue a test alert to a person (or to a web user linked to no person)."""
    if person is None and user_id is None:
        raise ValueError("a test alert needs a person or a user")
    recipient = f"person:{person.id}" if person is not None else f"user:{user_id}"
    payload: dict[str, Any] = {"timezone": timezone}
    if person is None:
        payload.update(user_id=user_id, name=name, email=email, language=language)
    event = AlertEvent(
        kind=AlertKind.TEST,
        # Every click is a new test: the key only has to be unique.
        key=f"test:{recipient}:{uuid.uuid4().hex}",
        person_id=person.id if person is not None else None,
        payload=payload,
    )
    session.add(event)
    return event
