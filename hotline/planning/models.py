"""Planning tables: who holds the phone when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, created_at, intpk
from hotline.models import Hotline, Person

REGULAR = "regular"
OVERRIDE = "override"


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
        # whatever the size of the planning.
        Index("ix_slot_lookup", "hotline_id", "kind", "starts_at"),
    )

    id: Mapped[intpk]
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotline.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default=REGULAR)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(200))
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

    slot_id: Mapped[int] = mapped_column(
        ForeignKey("slot.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)

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
