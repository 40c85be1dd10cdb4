"""Alert tables: the outbox of events, the notifications sent for them, settings, shift takes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, created_at, intpk

if TYPE_CHECKING:
    # Not imported at run time: hotline.voice imports the outbox, which imports these models.
    from hotline.voice.models import Call


class AlertKind(StrEnum):
    """What happened; each kind can be switched per hotline and per person."""

    CALL_RECEIVED = "call_received"  # optional, off unless a hotline turns it on
    MISSED_CALL = "missed_call"  # chain exhausted: missed, or ended in voicemail
    # The message of a call alerted as missed without one, confirmed by Twilio afterwards.
    LATE_VOICEMAIL = "late_voicemail"
    LEG_FAILED = "leg_failed"  # a ring leg failed: the number is probably wrong
    SHIFT_REMINDER = "shift_reminder"  # your shift starts in N minutes
    SHIFT_TAKE = "shift_take"  # please confirm you are taking the shift
    SHIFT_UNCONFIRMED = "shift_unconfirmed"  # nobody confirmed the shift in time
    COVERAGE_GAP = "coverage_gap"  # daily digest of holes in the coming days
    TEST = "test"  # "send me a test alert"


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    VOICE = "voice"  # a confirmation call (shift takes only)


class Status(StrEnum):
    PENDING = "pending"  # created, not tried yet
    SENDING = "sending"  # claimed by a worker
    RETRYING = "retrying"  # last try failed, another one is scheduled
    SENT = "sent"
    FAILED = "failed"  # given up: the error says why
    SKIPPED = "skipped"  # not sendable (no address, channel switched off): says why


class AlertEvent(Base):
    """Something worth telling people, written in the transaction that saw it happen.

    The webhooks only insert these rows (a transactional outbox); the worker
    turns each one into notifications. `key` makes an event happen once.
    """

    __tablename__ = "alert_event"
    __table_args__ = (
        Index("ix_alert_event_queued_at", "queued_at"),
        Index("ix_alert_event_created_at", "created_at"),
        # The calls pages look up the alerts sent about the calls they show.
        Index("ix_alert_event_call_id", "call_id"),
    )

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(160), unique=True)
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotline.id", ondelete="CASCADE"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    shift_take_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_take.id", ondelete="CASCADE")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]
    # Handed to the task queue; a relay re-queues rows left undispatched too long.
    queued_at: Mapped[datetime | None]
    # Turned into notifications.
    dispatched_at: Mapped[datetime | None]

    call: Mapped[Call | None] = relationship()
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="event", order_by="Notification.id"
    )


class Notification(Base):
    """One message to one recipient on one channel for one event: sent at most once."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient", "channel"),
        Index("ix_notification_created_at", "created_at"),
        Index("ix_notification_person_id", "person_id"),
        # The worker's sweep looks for pending and retrying notifications.
        Index("ix_notification_status", "status"),
        # A notification sent or given up releases those that follow it.
        Index("ix_notification_follows_id", "follows_id"),
    )

    id: Mapped[intpk]
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_event.id", ondelete="CASCADE"))
    # "person:12" or "user:3": a manager without an active linked person is told as a user.
    recipient: Mapped[str] = mapped_column(String(40))
    recipient_name: Mapped[str] = mapped_column(String(120))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Twilio's message or call SID, or the SMTP server's answer.
    provider_ref: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[created_at]
    last_try_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # The notification this one must not overtake: the alert to the same recipient on
    # the same channel that this update corrects (hotline.alerts.sending.held_back).
    follows_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification.id", ondelete="SET NULL")
    )

    event: Mapped[AlertEvent] = relationship(back_populates="notifications")


class HotlineAlertSetting(Base):
    """A hotline turning one kind of alert on or off for everyone (absent: the default)."""

    __tablename__ = "hotline_alert_setting"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotline.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    enabled: Mapped[bool]


class PersonAlertSetting(Base):
    """A person turning one kind of alert on or off on one channel (absent: on)."""

    __tablename__ = "person_alert_setting"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8), primary_key=True)
    enabled: Mapped[bool]


class ShiftTake(Base):
    """The incoming agent of a shift confirming they hold the phone ("prise de poste").

    Until `confirmed_at` is set the outgoing agent stays first backup of the
    slot's chain: hotline.planning.oncall joins this table in its one-query lookup.
    """

    __tablename__ = "shift_take"
    __table_args__ = (
        UniqueConstraint("slot_id", "person_id"),
        Index("ix_shift_take_hotline_starts", "hotline_id", "starts_at"),
    )

    id: Mapped[intpk]
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotline.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    outgoing_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    starts_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    confirmed_via: Mapped[str | None] = mapped_column(String(8))
    escalated_at: Mapped[datetime | None]
    created_at: Mapped[created_at]
