"""The sign-in lockout: too many wrong passwords lock a login for a while.

How it is counted, and why (docs/web-platform.md says it for users):

- Per login *and* client address: somebody guessing a colleague's password from
  elsewhere locks the login for their own address only, so the lock cannot be
  turned against the account's owner at their desk. An IPv6 client counts per
  /64 network, which one machine usually holds whole.
- A second, much higher limit per login over every address together bounds
  guessing spread over many addresses. Reaching it locks the login everywhere:
  that takes an attacker many addresses, and an admin can lift it on the user's
  page.
- Locks end by themselves after the lockout period; nobody needs an admin to
  get back in. A count is forgotten a lockout period after its latest attempt.
- A login that belongs to no account is counted and locked exactly like a real
  one, so neither the lock nor its message says which accounts exist.
- An attempt is counted *before* its password is checked, in one statement
  (INSERT ... ON CONFLICT DO UPDATE ... RETURNING): guesses sent at once each get
  their own number, so no more than the limit ever reach the password check.
  A right password then takes its attempt back.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, case, delete, literal, select, tuple_, update
from sqlalchemy.orm import Session

from hotline.auth.models import EVERY_ADDRESS, SignInThrottle
from hotline.db import UTCDateTime, upsert_insert

# The address of clients whose address is unknown or unreadable: one bucket for all.
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class LockoutPolicy:
    """How many wrong passwords lock a login, and for how long."""

    max_failures: int  # from one address
    max_account_failures: int  # from every address together
    lockout: timedelta


@dataclass
class AccountLocked(Exception):
    """Too many failed attempts: this login refuses passwords (here) until `until`."""

    until: datetime


@dataclass(frozen=True)
class CountedAttempt:
    """A sign-in attempt counted towards the lockout, before its password is checked."""

    login_hash: str
    address: str


@dataclass(frozen=True)
class SignInLock:
    """A lock in force: on the login from `address` (EVERY_ADDRESS: from anywhere)."""

    address: str
    until: datetime


def login_hash(login: str) -> str:
    # Logins that belong to nobody are kept too: as a hash, not as typed (people
    # sometimes type their password in the e-mail field).
    return hashlib.sha256(login.strip().lower().encode()).hexdigest()


def address_key(remote_addr: str | None) -> str:
    """The address attempts from `remote_addr` are counted under."""
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return UNKNOWN_ADDRESS
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def count_attempt(
    session: Session, login: str, remote_addr: str | None, *, now: datetime, policy: LockoutPolicy
) -> CountedAttempt:
    """Count an attempt at `login` from `remote_addr`; raise AccountLocked past a limit.

    Call it before checking the password, and commit before the check too: the
    count is what stops parallel guesses, and on SQLite an open transaction
    would hold every writer back for the length of the check.
    """
    attempt = CountedAttempt(login_hash(login), address_key(remote_addr))
    # Always this address's row first, then the login's: the same order as
    # take_back, so two transactions never wait for each other in a circle.
    _count(session, attempt.login_hash, attempt.address, policy.max_failures, now, policy)
    _count(session, attempt.login_hash, EVERY_ADDRESS, policy.max_account_failures, now, policy)
    return attempt


def _count(
    session: Session,
    login: str,
    address: str,
    limit: int,
    now: datetime,
    policy: LockoutPolicy,
) -> None:
    table = SignInThrottle.__table__
    until = literal(now + policy.lockout, UTCDateTime())
    over = table.c.expires_at <= now
    locked = table.c.attempts >= limit
    dialect = session.get_bind().dialect.name
    statement = upsert_insert(dialect, table).values(
        login_hash=login, address=address, attempts=1, expires_at=now + policy.lockout
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.login_hash, table.c.address],
        set_={
            "attempts": case((over, 1), else_=table.c.attempts + 1),
            # A lock runs its course: attempts made meanwhile do not lengthen it.
            "expires_at": case((over, until), (locked, table.c.expires_at), else_=until),
        },
    ).returning(table.c.attempts, table.c.expires_at)
    row: Row[tuple[int, datetime]] = session.execute(statement).one()
    attempts, expires_at = row
    if attempts > limit:
        raise AccountLocked(expires_at)


def take_back(session: Session, attempt: CountedAttempt) -> None:
    """The password was right: this address starts afresh; the login's count loses this one."""
    table = SignInThrottle.__table__
    session.execute(
        delete(table).where(
            table.c.login_hash == attempt.login_hash, table.c.address == attempt.address
        )
    )
    session.execute(
        update(table)
        .where(
            table.c.login_hash == attempt.login_hash,
            table.c.address == EVERY_ADDRESS,
            table.c.attempts > 0,
        )
        .values(attempts=table.c.attempts - 1)
    )


def unlock(session: Session, login: str) -> None:
    """Forget every count and lock of `login`, from every address."""
    table = SignInThrottle.__table__
    session.execute(delete(table).where(table.c.login_hash == login_hash(login)))


def sign_in_locks(
    session: Session, login: str, *, now: datetime, policy: LockoutPolicy
) -> list[SignInLock]:
    """The locks in force on `login`, the one over every address first."""
    table = SignInThrottle.__table__
    limit = case(
        (table.c.address == EVERY_ADDRESS, policy.max_account_failures),
        else_=policy.max_failures,
    )
    rows = session.execute(
        select(table.c.address, table.c.expires_at)
        .where(
            table.c.login_hash == login_hash(login),
            table.c.expires_at > now,
            table.c.attempts >= limit,
        )
        .order_by(table.c.address)
    )
    return [SignInLock(address, until) for address, until in rows]


def prune_attempts(session: Session, *, now: datetime) -> None:
    """Delete the counts that are over, which lock nothing any more."""
    table = SignInThrottle.__table__
    expired = (
        select(table.c.login_hash, table.c.address)
        .where(table.c.expires_at <= now)
        # A row an attempt is counting on is that attempt's to renew: waiting
        # for it could deadlock with it (PostgreSQL; SQLite ignores it).
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(table).where(tuple_(table.c.login_hash, table.c.address).in_(expired)))
