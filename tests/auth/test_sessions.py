"""Web sessions end on the server: signing out, a password change, a reset, "everywhere"."""

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from hotline.auth.models import WebSession
from hotline.db import utcnow
from tests.conftest import CSRF_FIELD, USER_PASSWORD


def post_form(client, path, data=None, **kwargs):
    """Post a form from `client`'s browser, with the form token of its own session."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def sign_in(client, email, password=USER_PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, "the sign-in failed"
    return response


def signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def copy_cookie(source, target) -> None:
    """What somebody who read the cookie (shared computer, a log, malware) can do with it."""
    target.set_cookie("session", source.get_cookie("session").value)


def sessions_of(db_session, user) -> int:
    query = select(func.count()).select_from(WebSession).where(WebSession.user_id == user.id)
    return db_session.scalar(query)


def test_signing_out_ends_that_session_for_every_copy_of_its_cookie_and_no_other(app, make_user):
    make_user("agent", email="agent@example.org")
    phone, laptop, thief = (app.test_client() for _ in range(3))
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    copy_cookie(phone, thief)
    assert signed_in(thief)  # a copy works as long as the session runs

    assert post_form(phone, "/logout").status_code == 302

    assert not signed_in(phone)
    assert not signed_in(thief)  # the copy taken before the sign-out is worth nothing
    assert signed_in(laptop)  # signing out on the phone keeps the laptop signed in


def test_changing_ones_password_ends_every_other_session_and_every_copy_of_this_one(app, make_user):
    make_user("agent", email="agent@example.org")
    phone, laptop, thief = (app.test_client() for _ in range(3))
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    copy_cookie(laptop, thief)

    response = post_form(
        laptop,
        "/account/password",
        {
            "current_password": USER_PASSWORD,
            "password": "my new passphrase",
            "password_confirm": "my new passphrase",
        },
    )

    assert response.status_code == 302
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert not signed_in(thief)


def test_an_admin_resetting_their_own_password_stays_signed_in_there_only(
    app, make_user, db_session
):
    admin = make_user("admin", email="boss@example.org")
    desk, thief = app.test_client(), app.test_client()
    sign_in(desk, "boss@example.org")
    copy_cookie(desk, thief)

    response = post_form(
        desk,
        f"/admin/users/{admin.id}/password",
        {"password": "the new secret!", "password_confirm": "the new secret!"},
    )

    assert response.status_code == 302
    assert signed_in(desk)
    assert not signed_in(thief)
    assert sessions_of(db_session, admin) == 1


def test_sign_out_everywhere_ends_every_session_of_the_account_and_only_its(
    app, make_user, db_session
):
    agent = make_user("agent", email="agent@example.org", language="en")
    make_user("agent", email="colleague@example.org")
    phone, laptop, colleague = (app.test_client() for _ in range(3))
    sign_in(phone, "agent@example.org")
    sign_in(laptop, "agent@example.org")
    sign_in(colleague, "colleague@example.org")
    account = laptop.get("/account").get_data(as_text=True)
    assert "You are signed in on 2 browsers, this one included." in account

    forged = laptop.post("/account/sign-out-everywhere")  # no form token: refused
    assert forged.status_code == 400
    assert signed_in(phone)

    response = post_form(laptop, "/account/sign-out-everywhere", follow_redirects=True)

    assert "Déconnexion effectuée sur tous les appareils." in response.get_data(as_text=True)
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(colleague)
    assert sessions_of(db_session, agent) == 0


def test_a_deactivated_user_stays_signed_out_when_reactivated(app, make_user, db_session):
    agent = make_user("agent", email="agent@example.org")
    make_user("admin", email="boss@example.org")
    phone, admin = app.test_client(), app.test_client()
    sign_in(phone, "agent@example.org")
    sign_in(admin, "boss@example.org")
    form = {"name": agent.name, "role": "agent", "person": "", "language": ""}

    post_form(admin, f"/admin/users/{agent.id}", form)  # "active" unticked
    assert not signed_in(phone)
    post_form(admin, f"/admin/users/{agent.id}", {**form, "active": "y"})

    assert not signed_in(phone)
    assert sessions_of(db_session, agent) == 0
    sign_in(phone, "agent@example.org")  # a new sign-in works again


def test_sessions_past_their_lifetime_are_pruned_at_the_next_sign_in(app, make_user, db_session):
    agent = make_user("agent", email="agent@example.org")
    lifetime = app.permanent_session_lifetime
    start = utcnow()
    with time_machine.travel(start, tick=False):
        sign_in(app.test_client(), "agent@example.org")
        sign_in(app.test_client(), "agent@example.org")
    assert sessions_of(db_session, agent) == 2

    with time_machine.travel(start + lifetime - timedelta(minutes=1), tick=False):
        sign_in(app.test_client(), "agent@example.org")
        assert sessions_of(db_session, agent) == 3  # none is over yet
    with time_machine.travel(start + lifetime + timedelta(minutes=1), tick=False):
        sign_in(app.test_client(), "agent@example.org")

    assert sessions_of(db_session, agent) == 2  # the last two; the first two are gone
