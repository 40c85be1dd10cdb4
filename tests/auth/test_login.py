from datetime import timedelta

import time_machine

from hotline.auth.models import ApiToken
from hotline.db import utcnow
from hotline.i18n import SESSION_KEY
from tests.conftest import CSRF_FIELD, USER_PASSWORD, sign_in_client


def sign_in(submit, email, password=USER_PASSWORD, next_url=""):
    return submit("/login", {"email": email, "password": password, "next": next_url})


def test_anonymous_visitor_is_sent_to_the_sign_in_page(client):
    response = client.get("/admin/users")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users"


def test_right_password_signs_in_and_lands_on_the_start_page(client, submit, make_user):
    admin = make_user("admin", email="boss@example.org")

    response = sign_in(submit, "Boss@Example.org ")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert admin.name in page
    assert client.get("/admin/users").status_code == 200


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_site(submit, make_user):
    make_user("admin", email="boss@example.org")
    assert (
        sign_in(submit, "boss@example.org", next_url="/admin/users").headers["Location"]
        == "/admin/users"
    )


def test_sign_in_ignores_a_next_pointing_to_another_host(submit, make_user):
    make_user("admin", email="boss@example.org")
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = sign_in(submit, "boss@example.org", next_url=target)
        assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_get_the_same_message(client, submit, make_user):
    make_user("agent", email="agent@example.org")

    wrong = sign_in(submit, "agent@example.org", "not the password")
    unknown = sign_in(submit, "nobody@example.org", "not the password")

    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still anonymous


def test_inactive_user_cannot_sign_in(client, submit, make_user):
    make_user("agent", email="gone@example.org", active=False)

    response = sign_in(submit, "gone@example.org")

    assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_five_failures_lock_the_account_for_fifteen_minutes(app, client, submit, make_user):
    make_user("agent", email="target@example.org")
    start = utcnow()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(submit, "target@example.org", "guess guess guess")
        locked = sign_in(submit, "target@example.org")  # even the right password

    assert locked.status_code == 429
    assert "réessayez dans 15 minutes" in locked.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302

    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        assert sign_in(submit, "target@example.org").status_code == 429
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert sign_in(submit, "target@example.org").headers["Location"] == "/"


def test_a_success_resets_the_failure_count(client, submit, make_user, db_session):
    user = make_user("agent", email="typo@example.org")
    for _ in range(4):
        sign_in(submit, "typo@example.org", "typo typo typo")
    assert sign_in(submit, "typo@example.org").status_code == 302
    submit("/logout")
    for _ in range(4):
        sign_in(submit, "typo@example.org", "typo typo typo")

    assert sign_in(submit, "typo@example.org").status_code == 302  # 4 + 4 wrong: no lock
    db_session.refresh(user)
    assert user.last_login_at is not None


def test_sign_out_needs_a_post_with_its_token(client, login_as, submit):
    login_as("agent")

    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token: still signed in
    assert client.get("/dashboard").status_code == 200

    response = submit("/logout", follow_redirects=True)
    assert "Déconnexion effectuée." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_password_reset_by_admin_ends_the_users_sessions(
    app, client, login_as, make_user, db_session
):
    agent = login_as("agent")
    assert client.get("/dashboard").status_code == 200

    admin = app.test_client()
    sign_in_client(admin, db_session, make_user("admin"))
    page = admin.get(f"/admin/users/{agent.id}").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    response = admin.post(
        f"/admin/users/{agent.id}/password",
        data={
            "csrf_token": token,
            "password": "brand new secret",
            "password_confirm": "brand new secret",
        },
    )

    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 302  # the agent's old session is gone


def test_deactivated_user_is_signed_out_at_the_next_request(client, login_as, db_session):
    agent = login_as("agent")
    agent.active = False
    db_session.flush()

    assert client.get("/dashboard").status_code == 302


def test_a_form_token_from_before_the_sign_in_is_refused_after_it(client, make_user, db_session):
    """Somebody who planted a session cookie (and so knows its form token) gains nothing."""
    user = make_user("agent", email="agent@example.org")
    planted = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    signed_in = client.post(
        "/login",
        data={"csrf_token": planted, "email": "agent@example.org", "password": USER_PASSWORD},
    )
    assert signed_in.status_code == 302

    forged = client.post("/account/tokens", data={"csrf_token": planted, "name": "planted"})

    assert forged.status_code == 400
    db_session.refresh(user)
    assert db_session.query(ApiToken).filter_by(user_id=user.id).count() == 0
    assert client.get("/dashboard").status_code == 200  # still signed in


def test_a_form_token_from_before_the_sign_out_is_refused_after_it(client, login_as, submit):
    """The next person at a shared browser does not inherit the previous user's form tokens."""
    login_as("agent")
    before = CSRF_FIELD.search(client.get("/account").get_data(as_text=True)).group(1)

    assert submit("/logout").status_code == 302

    refused = client.post("/language", data={"csrf_token": before, "language": "en"})
    assert refused.status_code == 400
    with client.session_transaction() as session:
        assert SESSION_KEY not in session
