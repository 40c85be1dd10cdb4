"""Call records: one Call per inbound call, one CallAttempt per ring leg."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, created_at, intpk


class Outcome(StrEnum):
    RINGING = "ringing"  # still being routed
    ANSWERED = "answered"  # a responder accepted (pressed 1, or bridged without screening)
    # Chain exhausted, the caller left a message Twilio confirmed it kept.
    VOICEMAIL = "voicemail"
    # Chain exhausted, no message: none left, or none Twilio confirmed (lost,
    # empty, or its recording callback never came).
    MISSED = "missed"
    ABANDONED = "abandoned"  # the caller hung up while a responder was being rung
    FAILED = "failed"  # handled by the emergency fallback after an internal error


class LegResult(StrEnum):
    RINGING = "ringing"
    ACCEPTED = "accepted"
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    # Picked up but never accepted: personal voicemail, no key pressed, hung up
    # during the prompt. Nobody said no: the stored value is older than REFUSED.
    DECLINED = "declined"
    REFUSED = "refused"  # the agent pressed another key than 1 at the prompt
    CANCELED = "canceled"  # the caller hung up while this leg rang
    # The caller hung up before this leg was dialled (during the greeting): the
    # phone never rang, so it is no one's miss.
    NOT_DIALLED = "not-dialled"


class Call(Base):
    __tablename__ = "call"
    __table_args__ = (Index("ix_call_hotline_started", "hotline_id", "started_at"),)

    id: Mapped[intpk]
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotline.id", ondelete="SET NULL"))
    from_number: Mapped[str] = mapped_column(String(32))
    to_number: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16), default=Outcome.RINGING)
    route: Mapped[str] = mapped_column(String(16))
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("slot.id", ondelete="SET NULL"))
    # The chain as resolved at ring time: later planning edits never rewrite history.
    chain: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answered_position: Mapped[int | None]
    voicemail_offered_at: Mapped[datetime | None]
    twilio_status: Mapped[str | None] = mapped_column(String(16))
    duration: Mapped[int | None]

    attempts: Mapped[list[CallAttempt]] = relationship(
        order_by="CallAttempt.position", back_populates="call"
    )
    voicemail: Mapped[Voicemail | None] = relationship(back_populates="call")


class CallAttempt(Base):
    """One ring leg: who was rung, when, and what came of it."""

    __tablename__ = "call_attempt"
    __table_args__ = (
        UniqueConstraint("call_id", "position"),
        Index("ix_call_attempt_person_created", "person_id", "created_at"),
    )

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"))
    position: Mapped[int]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    number: Mapped[str] = mapped_column(String(32))
    leg_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    ring_started_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    twilio_status: Mapped[str | None] = mapped_column(String(16))
    status_sequence: Mapped[int | None]
    result: Mapped[str] = mapped_column(String(16), default=LegResult.RINGING)
    talk_seconds: Mapped[int | None]

    call: Mapped[Call] = relationship(back_populates="attempts")


class Voicemail(Base):
    __tablename__ = "voicemail"

    id: Mapped[intpk]
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), unique=True)
    recording_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    recording_url: Mapped[str | None] = mapped_column(String(500))
    duration: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[created_at]

    call: Mapped[Call] = relationship(back_populates="voicemail")
