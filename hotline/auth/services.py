"""Users, sign-in checks and API tokens: plain functions taking a session."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hotline.auth.lockout import (
    CountedAttempt,
    LockoutPolicy,
    count_attempt,
    prune_attempts,
    take_back,
    unlock,
)
from hotline.auth.models import ADMIN, ROLES, ApiToken, ManagedHotline, User
from hotline.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from hotline.auth.sessions import (
    SessionPolicy,
    end_web_sessions,
    prune_web_sessions,
    start_web_session,
)
from hotline.db import Database
from hotline.models import LANGUAGES, Hotline, Person

TOKEN_PREFIX = "hl_"  # noqa: S105 - a marker that makes leaked tokens easy to grep, no secret
# Writing last_used_at on every API call would turn every read into a write.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A user or token change that cannot be made; the message says why, `field` where."""

    def __init__(self, message: object, field: str | None = None) -> None:
        # `message` is usually a lazy string: translated when shown, in the reader's language.
        super().__init__(message)
        self.field = field


class InvalidCredentials(Exception):
    """Unknown e-mail, wrong password or inactive account (never said which)."""


@dataclass(frozen=True)
class PasswordAttempt:
    """An attempt at a password, counted towards the lockout, and the active user it is for."""

    counted: CountedAttempt
    user: User | None  # None: no such account, or an inactive one (never said which)


def normalise_email(raw: str) -> str:
    """Return the e-mail trimmed and lower-cased, or raise AccountError."""
    email = raw.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise AccountError(_l("This is not an e-mail address."), "email")
    return email


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    person_id: int | None = None,
    language: str | None = None,
) -> User:
    """Create a user; raise AccountError (nothing written) when a field is wrong."""
    email = normalise_email(email)
    _check_role(role)
    _check_language(language)
    _check_password(password)
    # Before any statement: the caller ends its transaction first (see set_password).
    password_hash = hash_password(password)
    if find_user_by_email(session, email) is not None:
        raise AccountError(_l("A user with this e-mail already exists."), "email")
    _check_person(session, person_id, user=None)
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=password_hash,
        person_id=person_id,
        language=language,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    name: str,
    role: str,
    active: bool,
    person_id: int | None,
    language: str | None,
    hotline_ids: Iterable[int] = (),
) -> User:
    """Change a user's profile, role, status and hotline scope, all or nothing."""
    _check_role(role)
    _check_language(language)
    _check_person(session, person_id, user=user)
    hotline_ids = set(hotline_ids)
    _check_hotlines(session, hotline_ids)
    # Only an active admin can be the last one: an inactive one may be renamed or demoted.
    last_admin = user.role == ADMIN and user.active and _active_admins(session) <= 1
    if last_admin and (role != ADMIN or not active):
        raise AccountError(_l("The last active admin cannot be demoted or deactivated."), "role")
    if user.active and not active:
        end_web_sessions(session, user)
    user.name = name.strip() or user.email
    user.role, user.active, user.person_id, user.language = role, active, person_id, language
    user.managed_hotlines = [
        row for row in user.managed_hotlines if row.hotline_id in hotline_ids
    ] + [ManagedHotline(hotline_id=h) for h in sorted(hotline_ids - user.hotline_ids)]
    session.flush()
    return user


def set_language(session: Session, user: User, language: str | None) -> None:
    """Save the user's language (None: follow the browser)."""
    _check_language(language)
    user.language = language
    session.flush()


def set_password(session: Session, user: User, password: str) -> None:
    """Replace the password, lift the sign-in locks and end every session of the user.

    Every one: a copy of the cookie of the browser that made the change must
    die too. The view that keeps that browser signed in opens a new session.
    The hash, slow on purpose, comes before any statement: a caller that ends its
    transaction first holds no lock meanwhile (on SQLite, incoming calls' writes
    would wait for it).
    """
    _check_password(password)
    user.password_hash = hash_password(password)
    end_web_sessions(session, user)
    unlock(session, user.email)
    session.flush()


def start_password_attempt(
    session: Session,
    email: str,
    remote_addr: str | None,
    *,
    now: datetime,
    policy: LockoutPolicy,
) -> PasswordAttempt:
    """Count an attempt at `email`'s password and find whose it is.

    Raise AccountLocked when the login is locked, whether or not an account
    has it. Sign-in and the password change both count: a stolen session must
    not give unlimited guesses at the current password. The caller commits
    before checking the password (see hotline.auth.lockout.count_attempt), and
    on AccountLocked too.
    """
    counted = count_attempt(session, email, remote_addr, now=now, policy=policy)
    user = find_user_by_email(session, email)
    return PasswordAttempt(counted, user if user is not None and user.active else None)


def check_password(session: Session, attempt: PasswordAttempt, password: str) -> User:
    """Return the attempt's user if `password` is theirs; else raise InvalidCredentials.

    A wrong password stays counted; the right one takes its attempt back and
    starts the count of its address afresh.
    """
    # An unknown account costs a hash check too (a decoy's), so timing tells nothing.
    password_hash = attempt.user.password_hash if attempt.user is not None else None
    right = verify_password(password_hash, password)
    if attempt.user is None or not right:
        raise InvalidCredentials
    take_back(session, attempt.counted)
    return attempt.user


def sign_in(
    session: Session,
    attempt: PasswordAttempt,
    password: str,
    *,
    now: datetime,
    policy: SessionPolicy,
    address: str | None = None,
    user_agent: str | None = None,
) -> User:
    """Check the password and open a web session for its user (user.get_id() is its key).

    `address` and `user_agent` are the browser's, listed on its user's account page.

    Raise InvalidCredentials on a wrong password. Prunes the expired sessions
    and lockout counts on the way: sign-ins are rare, and cheap to make pay.
    """
    user = check_password(session, attempt, password)
    prune_web_sessions(session, now=now, policy=policy)
    prune_attempts(session, now=now)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    start_web_session(session, user, now=now, address=address, user_agent=user_agent)
    return user


def create_api_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and the secret, which is never stored."""
    name = name.strip()
    if not name or len(name) > 80:
        raise AccountError(_l("Give the token a name of 1 to 80 characters."), "name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name, token_hash=token_digest(secret), prefix=secret[:10]
    )
    session.add(token)
    session.flush()
    return token, secret


def token_digest(secret: str) -> str:
    # A token carries 256 random bits, so a fast hash is enough: nobody can
    # brute-force it, and the lookup by digest stays one indexed query.
    return hashlib.sha256(secret.encode()).hexdigest()


def user_for_token(db: Database, secret: str, *, now: datetime) -> int | None:
    """The id of the active user owning this unrevoked token, noting when it was last used.

    On connections of their own, not the request's session: the note is kept even
    if the view fails later, a GET request's session may only read, and on SQLite
    the write lock is taken only for the note, at most once per TOKEN_USE_RESOLUTION.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    with db.autocommit() as conn:
        token = conn.execute(
            select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at)
            .join(User, User.id == ApiToken.user_id)
            .where(
                ApiToken.token_hash == token_digest(secret),
                ApiToken.revoked_at.is_(None),
                User.active.is_(True),
            )
        ).first()
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        with db.writing() as conn:
            conn.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return token.user_id


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def revoke_api_token(session: Session, user: User, token_id: int, *, now: datetime) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's is "unknown"."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise AccountError(_l("Unknown token."))
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
    return token


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.email)))


def linkable_people(session: Session) -> list[Person]:
    return list(session.scalars(select(Person).order_by(Person.name)))


def all_hotlines(session: Session) -> list[Hotline]:
    return list(session.scalars(select(Hotline).order_by(Hotline.name)))


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == ADMIN, User.active)
    return session.scalar(query) or 0


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(
            _l(
                "Unknown role %(role)s (expected one of %(roles)s).",
                role=role,
                roles=", ".join(ROLES),
            ),
            "role",
        )


def _check_language(language: str | None) -> None:
    if language is not None and language not in LANGUAGES:
        raise AccountError(
            _l("Unknown language %(language)s (expected fr or en).", language=language), "language"
        )


def _check_password(password: str) -> None:
    try:
        check_strength(password)
    except WeakPassword:
        if len(password) > MAX_PASSWORD_LENGTH:
            message = _l(
                "The password may have at most %(count)d characters.", count=MAX_PASSWORD_LENGTH
            )
        else:
            message = _l(
                "The password needs at least %(count)d characters.", count=MIN_PASSWORD_LENGTH
            )
        raise AccountError(message, "password") from None


def _check_person(session: Session, person_id: int | None, *, user: User | None) -> None:
    if person_id is None:
        return
    if session.get(Person, person_id) is None:
        raise AccountError(_l("Unknown person."), "person")
    holder = session.scalar(select(User).where(User.person_id == person_id))
    if holder is not None and holder is not user:
        raise AccountError(
            _l("This person is already linked to %(email)s.", email=holder.email), "person"
        )


def _check_hotlines(session: Session, hotline_ids: set[int]) -> None:
    if not hotline_ids:
        return
    known = set(session.scalars(select(Hotline.id).where(Hotline.id.in_(hotline_ids))))
    if missing := sorted(hotline_ids - known):
        missing_ids = ", ".join(map(str, missing))
        message = lazy_ngettext(
            "Unknown hotline: %(ids)s.", "Unknown hotlines: %(ids)s.", len(missing), ids=missing_ids
        )
        raise AccountError(message, "hotlines")
