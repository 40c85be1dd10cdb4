from datetime import timedelta

import time_machine
from sqlalchemy import select

from hotline.auth.models import ApiToken
from hotline.auth.services import create_api_token, token_digest
from hotline.db import utcnow


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_token_is_shown_once_and_only_its_hash_is_stored(client, login_as, submit, db_session):
    user = login_as("manager")

    page = submit("/account/tokens", {"name": "planning script"}).get_data(as_text=True)

    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("hl_")
    assert len(secret) > 40
    stored = db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert stored.name == "planning script"
    assert stored.token_hash == token_digest(secret) != secret
    assert secret not in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(secret)).json["email"] == user.email


def test_token_without_a_name_is_refused(login_as, submit, db_session):
    user = login_as("agent")

    response = submit("/account/tokens", {"name": "   "})

    assert response.status_code == 400
    assert db_session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_api_answers_the_tokens_owner_and_notes_the_use(
    client, make_user, make_hotline, db_session
):
    hotline = make_hotline()
    user = make_user("supervisor", hotlines=(hotline,))
    token, secret = create_api_token(db_session, user, "stats export")

    with time_machine.travel(utcnow(), tick=False) as traveller:
        response = client.get("/api/v1/me", headers=bearer(secret))
        db_session.refresh(token)
        first_use = token.last_used_at
        assert first_use is not None
        traveller.shift(timedelta(seconds=10))
        client.get("/api/v1/me", headers=bearer(secret))
        db_session.refresh(token)
        assert token.last_used_at == first_use  # not rewritten on every call
        traveller.shift(timedelta(minutes=2))
        client.get("/api/v1/me", headers=bearer(secret))
        db_session.refresh(token)
        assert token.last_used_at > first_use

    assert response.status_code == 200
    assert response.json == {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": "supervisor",
        "person_id": None,
        "hotline_ids": [hotline.id],
    }


def test_missing_wrong_or_revoked_token_gets_401_json(client, make_user, db_session):
    user = make_user("admin")
    token, secret = create_api_token(db_session, user, "old")

    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer("hl_wrong")).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    token.revoked_at = utcnow()
    db_session.flush()
    response = client.get("/api/v1/me", headers=bearer(secret))

    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_refusals_outside_the_api_views_are_problems_with_all_three_members(
    client, make_user, db_session
):
    # docs/api.md: every error has error, message and field (null when no field is at fault).
    _token, secret = create_api_token(db_session, make_user("admin"), "cron")

    refusals = [
        client.get("/api/v1/me"),
        client.get("/api/v1/no-such-thing", headers=bearer(secret)),
        client.delete("/api/v1/me", headers=bearer(secret)),
    ]

    assert [(r.status_code, r.json["error"], r.json["field"]) for r in refusals] == [
        (401, "unauthorized", None),
        (404, "not_found", None),
        (405, "method_not_allowed", None),
    ]


def test_token_of_a_deactivated_user_stops_working(client, make_user, db_session):
    user = make_user("manager")
    _token, secret = create_api_token(db_session, user, "cron")
    user.active = False
    db_session.flush()

    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_api_ignores_the_session_cookie(client, login_as):
    login_as("admin")

    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_token_does_not_open_the_html_pages(client, make_user, db_session):
    user = make_user("admin")
    _token, secret = create_api_token(db_session, user, "cron")

    response = client.get("/admin/users", headers=bearer(secret))

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_revoke_from_the_tokens_page(client, login_as, submit, db_session):
    user = login_as("agent")
    token, secret = create_api_token(db_session, user, "laptop")

    response = submit(f"/account/tokens/{token.id}/revoke", follow_redirects=True)

    assert "Le jeton « laptop » est révoqué." in response.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_nobody_revokes_someone_elses_token(client, login_as, make_user, submit, db_session):
    owner = make_user("admin")
    token, secret = create_api_token(db_session, owner, "theirs")
    login_as("admin")

    response = submit(f"/account/tokens/{token.id}/revoke", follow_redirects=True)

    assert "Jeton inconnu." in response.get_data(as_text=True)
    db_session.refresh(token)
    assert token.revoked_at is None
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
