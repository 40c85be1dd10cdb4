"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # hashing megabytes of "password" is a cheap denial of service

# argon2-cffi's defaults: RFC 9106's low-memory profile (argon2id, 64 MiB, t=3, p=4).
_hasher = PasswordHasher()


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other parameters from now on (the test suite uses cheap ones)."""
    global _hasher
    _hasher = hasher
    _decoy_hash.cache_clear()


@cache
def _decoy_hash() -> str:
    # Verified against when the e-mail is unknown, so a wrong e-mail costs as long
    # as a wrong password and response times do not reveal which accounts exist.
    return _hasher.hash("not a real password, only a timing decoy")


class WeakPassword(ValueError):
    """The password is too short or too long to accept."""


def check_strength(password: str) -> None:
    """Raise WeakPassword unless `password` is acceptable."""
    # Spaces at the ends do not count: a password of spaces alone could be set but
    # never typed into the sign-in form, which requires more than blanks.
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"at most {MAX_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """Return the argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash` (None: spend the same time, then no)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash or _decoy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
