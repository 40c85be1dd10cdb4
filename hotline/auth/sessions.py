"""Web sessions kept on the server: the cookie only names one, the database says it is valid.

Flask's session cookie is signed, not stored: a copy of it stays valid for the
whole session lifetime, whatever happens to the browser it came from. So the
cookie carries a random key (Flask-Login's "alternative token", User.get_id)
and each signed-in browser has a WebSession row; deleting the row ends that
session for every copy of the cookie.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.auth.models import User, WebSession


def _key_hash(key: str) -> str:
    # The key carries 256 random bits: a fast hash is enough, and a copy of
    # the table (a backup) holds no key that would open a session.
    return hashlib.sha256(key.encode()).hexdigest()


def start_web_session(session: Session, user: User, *, now: datetime) -> str:
    """Record a new session for `user` and return its key, for the cookie (user.get_id())."""
    key = secrets.token_urlsafe(32)
    session.add(WebSession(key_hash=_key_hash(key), user_id=user.id, created_at=now))
    session.flush()
    user.web_session_key = key
    return key


def load_session_user(
    session: Session, key: str, *, now: datetime, lifetime: timedelta
) -> User | None:
    """The active user whose session this key names, if that session still runs."""
    user = session.scalar(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.key_hash == _key_hash(key),
            WebSession.created_at > now - lifetime,
            User.active,
        )
    )
    if user is not None:
        user.web_session_key = key
    return user


def end_web_session(session: Session, key: str) -> None:
    """End the one session this key names (signing out on one device keeps the others)."""
    session.execute(delete(WebSession).where(WebSession.key_hash == _key_hash(key)))


def end_web_sessions(session: Session, user: User) -> None:
    """End every session of `user`, on every device."""
    session.execute(delete(WebSession).where(WebSession.user_id == user.id))


def count_web_sessions(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> int:
    """How many browsers `user` is signed in on."""
    query = select(func.count()).where(
        WebSession.user_id == user.id, WebSession.created_at > now - lifetime
    )
    return session.scalar(query) or 0


def prune_web_sessions(session: Session, *, now: datetime, lifetime: timedelta) -> None:
    """Delete the sessions older than the lifetime, which sign nobody in any more."""
    expired = (
        select(WebSession.key_hash)
        .where(WebSession.created_at <= now - lifetime)
        # Rows a sign-out or a password change is deleting are theirs to delete:
        # waiting for them could deadlock with it (PostgreSQL; SQLite ignores it).
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(WebSession).where(WebSession.key_hash.in_(expired)))
