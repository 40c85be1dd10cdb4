"""The sign-in lockout: it tells nobody which accounts exist, holds against parallel guesses,
and cannot be used to lock a colleague out from elsewhere."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import delete

from hotline import create_app
from hotline.auth import services
from hotline.auth.lockout import login_hash
from hotline.auth.models import SignInThrottle, User
from hotline.auth.services import create_user
from hotline.db import database
from tests.conftest import CSRF_FIELD, USER_PASSWORD, app_config

WRONG = "not the password"
OWNER = "198.51.100.7"
ATTACKER = "203.0.113.9"


def attempt(submit, email, password=WRONG, address=ATTACKER):
    return submit(
        "/login", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def without_form_token(page: str) -> str:
    return CSRF_FIELD.sub("", page)


def test_an_unknown_login_is_locked_like_a_real_one(app, submit, make_user):
    make_user("agent", email="real@example.org")
    limit = app.config["LOGIN_MAX_FAILURES"]
    real = [attempt(submit, "real@example.org") for _ in range(limit + 1)]
    unknown = [attempt(submit, "nobody@example.org") for _ in range(limit + 1)]

    assert [r.status_code for r in real] == [200] * limit + [429]
    assert [r.status_code for r in unknown] == [200] * limit + [429]
    real_page, unknown_page = (
        without_form_token(r[-1].get_data(as_text=True)) for r in (real, unknown)
    )
    assert "Trop d’échecs : réessayez dans 15 minutes." in unknown_page
    assert real_page == unknown_page.replace("nobody@example.org", "real@example.org")


def test_guesses_from_another_address_do_not_lock_the_owner_out(client, submit, make_user):
    make_user("agent", email="target@example.org")
    for _ in range(5):
        attempt(submit, "target@example.org")
    assert attempt(submit, "target@example.org", USER_PASSWORD).status_code == 429

    owner = attempt(submit, "target@example.org", USER_PASSWORD, address=OWNER)

    assert owner.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_an_ipv6_client_is_counted_by_its_network(submit, make_user):
    """One machine holds a whole /64: changing the last bits must not bring more guesses."""
    make_user("agent", email="target@example.org")
    for n in range(1, 6):
        attempt(submit, "target@example.org", address=f"2001:db8:1:2::{n}")

    same_network = attempt(submit, "target@example.org", USER_PASSWORD, address="2001:db8:1:2::99")
    other_network = attempt(submit, "target@example.org", USER_PASSWORD, address="2001:db8:1:3::1")

    assert same_network.status_code == 429
    assert other_network.status_code == 302


def test_guesses_spread_over_many_addresses_lock_the_login_everywhere(app, submit, make_user):
    app.config["LOGIN_MAX_ACCOUNT_FAILURES"] = 8
    make_user("agent", email="target@example.org")
    spread = [
        attempt(submit, "target@example.org", address=f"192.0.2.{n}")
        for n in range(1, 5)
        for _ in range(2)
    ]

    owner = attempt(submit, "target@example.org", USER_PASSWORD, address=OWNER)

    assert [r.status_code for r in spread] == [200] * 8  # two each: no address is locked
    assert owner.status_code == 429
    assert "Trop d’échecs" in owner.get_data(as_text=True)


def test_the_admin_sees_the_lock_and_lifts_it(app, client, submit, make_user, db_session):
    make_user("agent", email="target@example.org", name="Target")
    target = db_session.query(User).filter_by(email="target@example.org").one()
    for _ in range(5):
        attempt(submit, "target@example.org")
    admin = app.test_client()
    make_user("admin", email="boss@example.org", language="en")
    assert attempt_from(admin, "boss@example.org", USER_PASSWORD).status_code == 302

    page = admin.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert re.search(rf"From {re.escape(ATTACKER)}: locked until \d\d?/\d\d?/\d\d", page)
    token = CSRF_FIELD.search(page).group(1)
    unlocked = admin.post(
        f"/admin/users/{target.id}/unlock", data={"csrf_token": token}, follow_redirects=True
    )

    assert "Sign-in of target@example.org is unlocked." in unlocked.get_data(as_text=True)
    assert "From " + ATTACKER not in unlocked.get_data(as_text=True)
    assert attempt(submit, "target@example.org", USER_PASSWORD).status_code == 302
    unknown = admin.post("/admin/users/999999/unlock", data={"csrf_token": token})
    assert unknown.status_code == 404


def attempt_from(client, email, password, address=OWNER):
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    return client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


# --- Parallel guesses: real requests at once, on an app whose transactions really commit ---

TARGET = "parallel-target@example.org"


@pytest.fixture
def committing_app(database_url: str, engine) -> Iterator[Flask]:
    """The app on the test database without the rolled-back transaction, like a server."""
    app = create_app(app_config(database_url))
    with database(app).session_scope() as session:
        create_user(session, email=TARGET, name="Target", role="agent", password=USER_PASSWORD)
    yield app
    with database(app).session_scope() as session:
        session.execute(delete(User).where(User.email == TARGET))
        throttle = SignInThrottle.login_hash == login_hash(TARGET)
        session.execute(delete(SignInThrottle).where(throttle))
    database(app).engine.dispose()


@pytest.fixture
def slow_password_check(monkeypatch):
    """Checks take as long as production's argon2 (a third of a second), not the suite's 1 ms.

    That is the window in which parallel guesses used to pass the lock check
    before any of them was counted.
    """
    real = services.verify_password

    def slow(password_hash, password):
        time.sleep(0.3)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", slow)


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(
    committing_app, slow_password_check
):
    limit = committing_app.config["LOGIN_MAX_FAILURES"]
    guesses = 2 * limit
    browsers = [committing_app.test_client() for _ in range(guesses)]
    tokens = [CSRF_FIELD.search(b.get("/login").get_data(as_text=True)).group(1) for b in browsers]
    start = threading.Barrier(guesses)
    statuses: list[int] = []

    def guess(browser, token, n):
        start.wait()
        response = browser.post(
            "/login",
            data={"csrf_token": token, "email": TARGET, "password": f"guess {n}"},
            environ_base={"REMOTE_ADDR": ATTACKER},
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=guess, args=(b, t, n))
        for n, (b, t) in enumerate(zip(browsers, tokens, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [200] * limit + [429] * (guesses - limit)
    right = attempt_from(committing_app.test_client(), TARGET, USER_PASSWORD, address=ATTACKER)
    assert right.status_code == 429  # the limit is reached: even the right password waits
