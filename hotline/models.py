"""Tables shared by every part: hotlines and the people who answer them."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, created_at, intpk

LANGUAGES = ("fr", "en")


class Hotline(Base):
    """A public number and how its calls are greeted, rung and closed."""

    __tablename__ = "hotline"
    __table_args__ = (
        CheckConstraint("ring_timeout BETWEEN 5 AND 600", name="ring_timeout_range"),
        CheckConstraint("language IN ('fr', 'en')", name="language_known"),
    )

    id: Mapped[intpk]
    number: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    language: Mapped[str] = mapped_column(String(2), default="fr")
    voice: Mapped[str | None] = mapped_column(String(40))
    greeting: Mapped[str | None] = mapped_column(String(500))
    ring_timeout: Mapped[int] = mapped_column(default=20)
    screening: Mapped[bool] = mapped_column(default=True)
    # Dialled once the chain is exhausted (before voicemail), or alone when
    # nobody is on call and no default chain is set.
    fallback_number: Mapped[str | None] = mapped_column(String(20))
    voicemail_max_seconds: Mapped[int] = mapped_column(default=120)
    created_at: Mapped[created_at]


class Person(Base):
    """Somebody who can be rung: an agent or a backup."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint("language IN ('fr', 'en')", name="language_known"),)

    id: Mapped[intpk]
    # Short stable identifier used by the planning file and the CLI.
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    mobile: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
