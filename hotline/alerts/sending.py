"""Send one notification: claim it, hand it to its channel, record the result.

A notification is claimed (pending/retrying -> sending) in its own committed
transaction before any network I/O, so two workers never send it twice; the
result is recorded in another. Failures are retried with a growing delay,
then marked failed with the error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session, aliased

from hotline.alerts import email, sms
from hotline.alerts.errors import ChannelNotConfigured, Reason, SendError
from hotline.alerts.models import AlertEvent, Channel, Notification, ShiftTake, Status
from hotline.models import Hotline

RETRYABLE = (Status.PENDING, Status.RETRYING)
# Notifications that may still go out.
IN_FLIGHT = (Status.PENDING, Status.SENDING, Status.RETRYING)
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class Outgoing:
    """What a channel needs to send one notification, read before the network call."""

    id: int
    channel: Channel
    address: str
    subject: str | None
    body: str
    sender: str  # the Twilio number SMS and calls come from
    take_id: int | None  # shift take a confirmation call is about


def held_back(session: Session, notification_id: int) -> bool:
    """Whether the notification follows one that may still go out: an update never
    overtakes the alert it corrects, to the same recipient on the same channel."""
    followed = aliased(Notification)
    return bool(
        session.scalar(
            select(
                exists().where(
                    Notification.id == notification_id,
                    followed.id == Notification.follows_id,
                    followed.status.in_(IN_FLIGHT),
                )
            )
        )
    )


def followers(session: Session, notification_id: int) -> list[int]:
    """The notifications held back by this one, to queue once it is sent or given up."""
    return list(
        session.scalars(
            select(Notification.id).where(
                Notification.follows_id == notification_id,
                Notification.status == Status.PENDING,
            )
        )
    )


def claim(
    session: Session, notification_id: int, now: datetime, configured_sender: str
) -> Outgoing | None:
    """Mark the notification as being sent; None when it is not ours to send."""
    claimed = session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status.in_(RETRYABLE))
        .values(status=Status.SENDING, attempts=Notification.attempts + 1, last_try_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    notification = session.get(Notification, notification_id)
    assert notification is not None  # noqa: S101 - just updated
    event = session.get(AlertEvent, notification.event_id)
    assert event is not None  # noqa: S101 - foreign key
    return Outgoing(
        id=notification.id,
        channel=Channel(notification.channel),
        address=notification.address,
        subject=notification.subject,
        body=notification.body,
        sender=configured_sender or sender_number(session, event),
        take_id=event.shift_take_id,
    )


def sender_number(session: Session, event: AlertEvent) -> str:
    """The event's hotline number (replies come back to it), else the first hotline's."""
    if event.hotline_id is None and event.shift_take_id is not None:
        take = session.get(ShiftTake, event.shift_take_id)
        event_hotline = take.hotline_id if take is not None else None
    else:
        event_hotline = event.hotline_id
    query = select(Hotline.number).order_by(Hotline.id).limit(1)
    if event_hotline is not None:
        query = select(Hotline.number).where(Hotline.id == event_hotline)
    return session.scalar(query) or ""


def deliver(config: Mapping[str, Any], outgoing: Outgoing, call_url: Callable[[int], str]) -> str:
    """Hand the message to its channel; return the provider's reference or raise SendError."""
    if outgoing.channel == Channel.SMS:
        return sms.send_sms(config, to=outgoing.address, from_=outgoing.sender, body=outgoing.body)
    if outgoing.channel == Channel.EMAIL:
        return email.send_email(
            config, to=outgoing.address, subject=outgoing.subject or "", body=outgoing.body
        )
    if outgoing.take_id is None:
        raise SendError("a call is only placed to confirm a shift", permanent=True)
    return sms.place_call(
        config, to=outgoing.address, from_=outgoing.sender, url=call_url(outgoing.take_id)
    )


def record_sent(session: Session, notification_id: int, reference: str, now: datetime) -> None:
    session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(status=Status.SENT, sent_at=now, provider_ref=reference[:120], last_error=None)
    )


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    first_delay: float  # seconds; doubled after each failed try

    def delay_after(self, attempts: int) -> float:
        return self.first_delay * 2 ** (attempts - 1)


def record_failure(
    session: Session, notification_id: int, error: SendError, policy: RetryPolicy
) -> float | None:
    """Note the failed try; return the delay before the next one, None when given up."""
    notification = session.get(Notification, notification_id)
    assert notification is not None  # noqa: S101 - claimed by this worker
    notification.last_error = str(error)[:MAX_ERROR_LENGTH]
    if error.permanent or notification.attempts >= policy.max_attempts:
        notification.status = Status.FAILED
        return None
    notification.status = Status.RETRYING
    return policy.delay_after(notification.attempts)


def record_not_configured(
    session: Session, notification_id: int, error: ChannelNotConfigured
) -> None:
    """Note that the channel is not set up: the notification is not sent, and says why."""
    notification = session.get(Notification, notification_id)
    assert notification is not None  # noqa: S101 - claimed by this worker
    notification.last_error = str(error)[:MAX_ERROR_LENGTH]
    notification.status = Status.SKIPPED


def stale(session: Session, now: datetime, policy: RetryPolicy) -> list[int]:
    """Notifications whose queued task was lost (worker killed, queue flushed): to resend."""
    patience = timedelta(seconds=policy.delay_after(policy.max_attempts) + 300)
    rows = session.scalars(
        select(Notification.id).where(
            Notification.status.in_(RETRYABLE),
            Notification.created_at < now - timedelta(minutes=2),
            (Notification.last_try_at.is_(None)) | (Notification.last_try_at < now - patience),
        )
    )
    return list(rows)


def abandon_stuck(session: Session, now: datetime) -> int:
    """Fail notifications left "sending" by a worker that died mid-send (maybe sent)."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.status == Status.SENDING,
            Notification.last_try_at < now - timedelta(minutes=15),
        )
        .values(
            status=Status.FAILED,
            last_error=f"{Reason.WORKER_STOPPED}: it may or may not have gone out",
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
