"""Web users, the hotlines they are scoped to, their sessions, API tokens and sign-in locks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, created_at, intpk
from hotline.models import Person

ADMIN, MANAGER, SUPERVISOR, AGENT = "admin", "manager", "supervisor", "agent"
# Ordered from most to least powerful; forms list them in this order.
ROLES = (ADMIN, MANAGER, SUPERVISOR, AGENT)
# Roles whose reach over hotlines is limited to the ManagedHotline rows they hold.
SCOPED_ROLES = (MANAGER, SUPERVISOR)


class User(Base):
    """Somebody who signs in to the web UI or the API."""

    __tablename__ = "app_user"  # "user" is reserved on PostgreSQL
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'manager', 'supervisor', 'agent')", name="role_known"),
        CheckConstraint("language IN ('fr', 'en')", name="language_known"),
    )

    id: Mapped[intpk]
    # Stored lower-cased (hotline.auth.services.normalise_email) so it is unique as typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    # At most one login per person: the person's calls and shifts are "mine".
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), unique=True
    )
    # None: follow the browser's Accept-Language.
    language: Mapped[str | None] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[created_at]

    person: Mapped[Person | None] = relationship(lazy="joined")
    managed_hotlines: Mapped[list[ManagedHotline]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    # The key (a str) of the web session this object was loaded for or signed in
    # with (hotline.auth.sessions). Not a column, one user having a session per
    # browser; not annotated either, which would make the ORM map it.
    web_session_key = None

    # Flask-Login's user protocol (flask_login.UserMixin would add nothing we keep).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The key Flask-Login keeps in the cookie: this browser's WebSession, not the user id.

        Signing out deletes the session's row, so a copy of the cookie taken
        before is worth nothing after.
        """
        if self.web_session_key is None:
            raise RuntimeError("no web session: start one with hotline.auth.sessions first")
        return self.web_session_key

    @property
    def hotline_ids(self) -> set[int]:
        return {row.hotline_id for row in self.managed_hotlines}


class ManagedHotline(Base):
    """A hotline a manager edits, or a supervisor reviews; admins need none."""

    __tablename__ = "managed_hotline"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotline.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (Index("ix_managed_hotline_hotline_id", "hotline_id"),)


class ApiToken(Base):
    """A personal bearer token for /api/v1; only its SHA-256 is kept."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user_id", "user_id"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in lists so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[created_at]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class WebSession(Base):
    """One signed-in browser; its cookie holds a random key whose SHA-256 is kept here.

    The cookie names this row, not the user: signing out deletes it; a password
    change or reset and a deactivation delete all of the user's.
    A row older than the session lifetime (PERMANENT_SESSION_LIFETIME), or not
    seen for the idle timeout (SESSION_IDLE_TIMEOUT), no longer signs anyone in
    and is pruned at the next sign-in.
    """

    __tablename__ = "web_session"
    __table_args__ = (
        Index("ix_web_session_user_id", "user_id"),
        Index("ix_web_session_created_at", "created_at"),
        Index("ix_web_session_last_seen_at", "last_seen_at"),
    )

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[created_at]
    # The latest request noted, within hotline.auth.sessions.SEEN_RESOLUTION: not
    # every request writes it. The address and browser are those of that request.
    last_seen_at: Mapped[datetime]
    address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))


# The address of the row counting a login's attempts from every address together.
EVERY_ADDRESS = ""


class SignInThrottle(Base):
    """Recent sign-in attempts for one login from one client address, or from all of them.

    Keyed by the SHA-256 of the login as typed (normalised), whether or not an
    account has it: an unknown login is counted and locked just like a real one,
    so the lock tells nobody which accounts exist. See hotline.auth.lockout.
    """

    __tablename__ = "sign_in_throttle"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_sign_in_throttle_expires_at", "expires_at"),
    )

    login_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # An IPv4 address, an IPv6 /64 network, or EVERY_ADDRESS.
    address: Mapped[str] = mapped_column(String(45), primary_key=True)
    # Attempts since the count last started, those being checked included; a
    # right password takes its own back.
    attempts: Mapped[int]
    # When the count is forgotten: the end of the lock once `attempts` reached the
    # limit, else a lockout period after the latest attempt.
    expires_at: Mapped[datetime]
