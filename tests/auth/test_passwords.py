import pytest

from hotline.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    WeakPassword,
    check_strength,
    hash_password,
    verify_password,
)


def test_hash_is_argon2id_salted_and_verifies_only_the_same_password():
    first, second = hash_password("a long passphrase"), hash_password("a long passphrase")

    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert verify_password(first, "a long passphrase")
    assert not verify_password(first, "a long passphrasE")
    assert not verify_password(first, "")


def test_unknown_user_and_garbage_hash_never_verify():
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_overlong_password_is_refused_without_hashing():
    assert not verify_password(hash_password("x" * 12), "x" * (MAX_PASSWORD_LENGTH + 1))


@pytest.mark.parametrize("length", [0, 1, MIN_PASSWORD_LENGTH - 1, MAX_PASSWORD_LENGTH + 1])
def test_too_short_or_too_long_password_is_weak(length):
    with pytest.raises(WeakPassword):
        check_strength("p" * length)


def test_password_of_minimum_length_is_accepted():
    check_strength("p" * MIN_PASSWORD_LENGTH)


def test_sign_in_upgrades_a_hash_made_with_weaker_parameters(submit, make_user, db_session):
    from argon2 import PasswordHasher, extract_parameters, profiles

    from hotline.auth import passwords
    from tests.conftest import USER_PASSWORD

    user = make_user("agent", email="old@example.org")  # hashed with the suite's cheap hasher
    cheap = extract_parameters(user.password_hash)
    passwords.use_hasher(PasswordHasher())  # production parameters
    try:
        response = submit("/login", {"email": "old@example.org", "password": USER_PASSWORD})
    finally:
        passwords.use_hasher(PasswordHasher.from_parameters(cheap))

    assert response.status_code == 302
    db_session.refresh(user)
    assert extract_parameters(user.password_hash) == profiles.RFC_9106_LOW_MEMORY
    assert verify_password(user.password_hash, USER_PASSWORD)
