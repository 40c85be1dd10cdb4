"""Web sessions kept on the server: the cookie only names one, the database says it is valid.

Flask's session cookie is signed, not stored: a copy of it stays valid for the
whole session lifetime, whatever happens to the browser it came from. So the
cookie carries a random key (Flask-Login's "alternative token", User.get_id)
and each signed-in browser has a WebSession row; deleting the row ends that
session for every copy of the cookie.

A session ends at the latest PERMANENT_SESSION_LIFETIME after its sign-in, and
after SESSION_IDLE_TIMEOUT without a request. When a request was last seen is
noted at most once per SessionPolicy.seen_resolution, on a short write of its
own: a page view must not write on every request (on SQLite, incoming calls
would wait for the one write lock).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, select, update
from sqlalchemy.orm import Session

from hotline.auth.models import User, WebSession
from hotline.db import Database

# For on-call teams who keep the planning open all day: a working day and then some.
DEFAULT_IDLE_TIMEOUT = 12 * 3600
# How stale the last-seen time may get before a request writes it again.
SEEN_RESOLUTION = timedelta(minutes=5)
MAX_USER_AGENT = 255
MAX_ADDRESS = 45


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session may run: since its sign-in, and since its last request."""

    lifetime: timedelta
    idle_timeout: timedelta

    @property
    def seen_resolution(self) -> timedelta:
        # A short timeout (tests, a kiosk) needs a finer note, or it would end early.
        return min(SEEN_RESOLUTION, self.idle_timeout / 10)


@dataclass(frozen=True)
class RunningSession:
    user_id: int
    last_seen_at: datetime


def idle_timeout_seconds(config: Mapping[str, Any]) -> float | None:
    """SESSION_IDLE_TIMEOUT as seconds; None when it is not a positive number of seconds."""
    value = config.get("SESSION_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT)
    if isinstance(value, bool):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 and math.isfinite(seconds) else None


def session_policy(config: Mapping[str, Any], lifetime: timedelta) -> SessionPolicy:
    """The policy the settings ask for; an unusable idle timeout gets the default."""
    seconds = idle_timeout_seconds(config)
    idle = DEFAULT_IDLE_TIMEOUT if seconds is None else seconds
    return SessionPolicy(lifetime=lifetime, idle_timeout=timedelta(seconds=idle))


def settings_problems(config: Mapping[str, Any]) -> list[str]:
    """What is wrong with the session settings, for the start-up log and `hotline doctor`."""
    if idle_timeout_seconds(config) is not None:
        return []
    value = config.get("SESSION_IDLE_TIMEOUT")
    return [
        f"SESSION_IDLE_TIMEOUT must be a positive number of seconds, not {value!r}: "
        f"web sessions end after {DEFAULT_IDLE_TIMEOUT} s without a request"
    ]


def key_hash(key: str) -> str:
    # The key carries 256 random bits: a fast hash is enough, and a copy of
    # the table (a backup) holds no key that would open a session.
    return hashlib.sha256(key.encode()).hexdigest()


def start_web_session(
    session: Session,
    user: User,
    *,
    now: datetime,
    address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """Record a new session for `user` and return its key, for the cookie (user.get_id())."""
    key = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            key_hash=key_hash(key),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            address=_clip(address, MAX_ADDRESS),
            user_agent=_clip(user_agent, MAX_USER_AGENT),
        )
    )
    session.flush()
    user.web_session_key = key
    return key


def running_session(
    db: Database, key: str, *, now: datetime, policy: SessionPolicy
) -> RunningSession | None:
    """The session this key names, if it still runs and its user is active.

    On a connection of its own, as the API token's check (services.user_for_token):
    the request's session may only read, and on SQLite must not hold the write
    lock a note of this request (note_seen) needs.
    """
    with db.autocommit() as conn:
        row = conn.execute(
            select(WebSession.user_id, WebSession.last_seen_at)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.key_hash == key_hash(key),
                _runs(now, policy),
                User.active.is_(True),
            )
        ).first()
    return None if row is None else RunningSession(row.user_id, row.last_seen_at)


def is_due_for_note(found: RunningSession, *, now: datetime, policy: SessionPolicy) -> bool:
    """Whether the session's last-seen time is stale enough to write again."""
    return now - found.last_seen_at >= policy.seen_resolution


def note_seen(
    db: Database,
    key: str,
    *,
    now: datetime,
    address: str | None,
    user_agent: str | None,
) -> None:
    """Note a request of this session: when, from where, with which browser (a short write)."""
    with db.writing() as conn:
        conn.execute(
            update(WebSession)
            .where(WebSession.key_hash == key_hash(key))
            .values(
                last_seen_at=now,
                address=_clip(address, MAX_ADDRESS),
                user_agent=_clip(user_agent, MAX_USER_AGENT),
            )
        )


def end_web_session(session: Session, key: str) -> None:
    """End the one session this key names (signing out on one device keeps the others)."""
    session.execute(delete(WebSession).where(WebSession.key_hash == key_hash(key)))


def end_own_web_session(session: Session, user: User, session_hash: str) -> bool:
    """End one of `user`'s sessions, named by its hash; whether there was such a one.

    Someone else's session is "none": the hash names a session of this user only.
    """
    ended = session.execute(
        delete(WebSession).where(WebSession.key_hash == session_hash, WebSession.user_id == user.id)
    )
    return bool(ended.rowcount)  # type: ignore[attr-defined]


def end_web_sessions(session: Session, user: User) -> None:
    """End every session of `user`, on every device."""
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def list_web_sessions(
    session: Session, user: User, *, now: datetime, policy: SessionPolicy
) -> list[WebSession]:
    """The browsers `user` is signed in on, the most recently seen first."""
    query = (
        select(WebSession)
        .where(WebSession.user_id == user.id, _runs(now, policy))
        .order_by(WebSession.last_seen_at.desc(), WebSession.created_at.desc())
    )
    return list(session.scalars(query))


def count_web_sessions(
    session: Session, user: User, *, now: datetime, policy: SessionPolicy
) -> int:
    """How many browsers `user` is signed in on."""
    query = select(func.count()).where(WebSession.user_id == user.id, _runs(now, policy))
    return session.scalar(query) or 0


def prune_web_sessions(session: Session, *, now: datetime, policy: SessionPolicy) -> None:
    """Delete the sessions past their lifetime or idle too long, which sign nobody in any more."""
    expired = (
        select(WebSession.key_hash)
        .where(~_runs(now, policy))
        # Rows a sign-out or a password change is deleting are theirs to delete:
        # waiting for them could deadlock with it (PostgreSQL; SQLite ignores it).
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(WebSession).where(WebSession.key_hash.in_(expired)))


def _runs(now: datetime, policy: SessionPolicy) -> ColumnElement[bool]:
    return and_(
        WebSession.created_at > now - policy.lifetime,
        WebSession.last_seen_at > now - policy.idle_timeout,
    )


def _clip(text: str | None, length: int) -> str | None:
    return text[:length] if text else None
