"""Planning tables: who holds the phone when, rotations, leave, rules, audit, feed tokens."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from hotline.auth.models import User
from hotline.db import Base, created_at, intpk, utcnow
from hotline.models import Hotline, Person

REGULAR = "regular"
OVERRIDE = "override"

LEAVE, SICKNESS, OTHER = "leave", "sickness", "other"
UNAVAILABILITY_KINDS = (LEAVE, SICKNESS, OTHER)

# Rotation.weekdays is a bit set of ISO weekdays: bit 0 is Monday, bit 6 Sunday.
EVERY_DAY = 0b1111111
MONDAY_TO_FRIDAY = 0b0011111


class Slot(Base):
    """A span [starts_at, ends_at) in UTC during which an ordered chain is on call.

    Regular slots of one hotline never overlap; an override slot wins over the
    regular ones for exactly its span.
    """

    __tablename__ = "slot"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("kind IN ('regular', 'override')", name="kind_known"),
        # The on-call lookup walks this index backwards from "now": one seek
        # whatever the size of the planning, and the slot's end is read from
        # the index too (no page of the table itself).
        Index("ix_slot_lookup", "hotline_id", "kind", "starts_at", "ends_at"),
        Index("ix_slot_rotation_id", "rotation_id"),
        # A hotline's slots not over yet, soonest first: is someone in its team
        # (hotline.planning.people), without reading its past.
        Index("ix_slot_hotline_ends", "hotline_id", "ends_at"),
    )

    id: Mapped[intpk]
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotline.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default=REGULAR)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(200))
    # The rotation that generated this regular slot; None for a slot made by hand,
    # which generation never rewrites. No ON DELETE action: the column is added in
    # place on SQLite (migration 0005), where only a plain REFERENCES reads back
    # the same; hotline.planning.rotations detaches the slots before a delete.
    rotation_id: Mapped[int | None] = mapped_column(ForeignKey("rotation.id"))
    # Optimistic lock: every edit checks the version the editor loaded and bumps it
    # in the same UPDATE (hotline.planning.slots), so concurrent edits conflict.
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[created_at]

    hotline: Mapped[Hotline] = relationship()
    responders: Mapped[list[SlotResponder]] = relationship(
        order_by="SlotResponder.position",
        cascade="all, delete-orphan",
        back_populates="slot",
    )


class SlotResponder(Base):
    """One place in a slot's chain: position 0 is the primary, then backups."""

    __tablename__ = "slot_responder"
    # Is this person in this slot: one seek, whichever side a team lookup starts from
    # (hotline.planning.people); also the person's slots, newest first.
    __table_args__ = (Index("ix_slot_responder_person_slot", "person_id", "slot_id"),)

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))

    slot: Mapped[Slot] = relationship(back_populates="responders")
    person: Mapped[Person] = relationship()


class DefaultResponder(Base):
    """The chain rung when no slot covers the moment of the call."""

    __tablename__ = "default_responder"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotline.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)

    person: Mapped[Person] = relationship()


class Unavailability(Base):
    """A span [starts_at, ends_at) in UTC when a person must not be put on call."""

    __tablename__ = "unavailability"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("kind IN ('leave', 'sickness', 'other')", name="kind_known"),
        Index("ix_unavailability_person_starts", "person_id", "starts_at"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(10), default=LEAVE)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[created_at]

    person: Mapped[Person] = relationship()


class Rotation(Base):
    """Members taking turns in shifts of a fixed length from a local handoff time.

    Shift boundaries are wall-clock times in `timezone` (the hotline's when None),
    so a 08:00 handoff stays at 08:00 across DST changes. `weekdays` and the
    optional daily window say when the rotation covers at all; see
    hotline.planning.rotations for how they cut the shifts into slots.
    """

    __tablename__ = "rotation"
    __table_args__ = (
        UniqueConstraint("hotline_id", "name"),
        CheckConstraint("shift_hours BETWEEN 1 AND 744", name="shift_hours_range"),
        CheckConstraint("weekdays BETWEEN 1 AND 127", name="weekdays_range"),
        CheckConstraint("backup_count >= 0", name="backup_count_positive"),
        CheckConstraint("(window_start IS NULL) = (window_end IS NULL)", name="window_complete"),
    )

    id: Mapped[intpk]
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotline.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    shift_hours: Mapped[int]
    handoff: Mapped[time]
    start_date: Mapped[date]
    timezone: Mapped[str | None] = mapped_column(String(64))
    weekdays: Mapped[int] = mapped_column(default=EVERY_DAY)
    # Covered hours of each selected day, local; an end at or before the start
    # runs to the next day (20:00-08:00 is a night).
    window_start: Mapped[time | None]
    window_end: Mapped[time | None]
    # Backups: this many members next in line after the primary, then `backups`.
    backup_count: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    created_at: Mapped[created_at]

    hotline: Mapped[Hotline] = relationship()
    members: Mapped[list[RotationMember]] = relationship(
        order_by="RotationMember.position", cascade="all, delete-orphan"
    )
    backups: Mapped[list[RotationBackup]] = relationship(
        order_by="RotationBackup.position", cascade="all, delete-orphan"
    )

    @property
    def weekday_set(self) -> frozenset[int]:
        """The ISO weekdays (1 = Monday) the rotation covers."""
        return frozenset(day for day in range(1, 8) if self.weekdays >> (day - 1) & 1)


class RotationPlace:
    """A person's place in one of a rotation's ordered lists; a person holds one at most."""

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("rotation_id", "person_id"),)

    rotation_id: Mapped[int] = mapped_column(
        ForeignKey("rotation.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def person(cls) -> Mapped[Person]:
        return relationship("Person")


class RotationMember(RotationPlace, Base):
    """One place in a rotation's order of turns."""

    __tablename__ = "rotation_member"


class RotationBackup(RotationPlace, Base):
    """An explicit backup, rung after the primary and the next-in-line backups."""

    __tablename__ = "rotation_backup"


class LabourRules(Base):
    """A hotline's labour rules; a None limit is not checked."""

    __tablename__ = "labour_rules"
    __table_args__ = (
        CheckConstraint(
            "max_consecutive_days BETWEEN 1 AND 366", name="max_consecutive_days_range"
        ),
        CheckConstraint("min_rest_hours BETWEEN 1 AND 168", name="min_rest_hours_range"),
    )

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotline.id", ondelete="CASCADE"), primary_key=True
    )
    max_consecutive_days: Mapped[int | None]
    min_rest_hours: Mapped[int | None]


class AuditLog(Base):
    """One change to the planning: who, what, when, and the entity before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_hotline_at", "hotline_id", "at"),
        # One entity's history (the person page's, audit.person_history).
        Index("ix_audit_log_entity_at", "entity", "entity_id", "at"),
        # Every person's changes since a past moment (audit.past_changes), and the
        # default chains' (audit.default_chains_held): a range whatever the log's size.
        Index("ix_audit_log_entity_time", "entity", "at"),
        # The default chain's changes around a calendar page (audit.past_changes).
        Index("ix_audit_log_hotline_entity_at", "hotline_id", "entity", "at"),
    )

    id: Mapped[intpk]
    # None for changes that belong to a person rather than a hotline (leave).
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotline.id", ondelete="CASCADE"))
    # None when the change came from the command line or a job.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class FeedToken(Base):
    """The secret in a person's or a hotline's iCal feed URL; only its SHA-256 is kept."""

    __tablename__ = "feed_token"
    __table_args__ = (
        CheckConstraint("(person_id IS NULL) <> (hotline_id IS NULL)", name="one_owner"),
    )

    id: Mapped[intpk]
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), unique=True
    )
    hotline_id: Mapped[int | None] = mapped_column(
        ForeignKey("hotline.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Who asked for this secret: the URL answers only while they could still ask for
    # it (hotline.planning.ical.feed_in_force). None: issued by the CLI, or before
    # issuers were kept and with no audit line naming one.
    issued_by: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[created_at]
