from sqlalchemy import select

from hotline.auth.models import User

NEW_USER = {
    "email": "new@example.org",
    "name": "New",
    "role": "agent",
    "language": "",
    "person": "",
    "password": "a long enough secret",
    "password_confirm": "a long enough secret",
}


def test_form_without_token_is_rejected_and_changes_nothing(client, login_as, db_session):
    login_as("admin")

    response = client.post("/admin/users/new", data=NEW_USER)

    assert response.status_code == 400
    assert "Rien n’a été modifié" in response.get_data(as_text=True)
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_form_with_a_forged_token_is_rejected(client, login_as, db_session):
    login_as("admin")

    response = client.post("/admin/users/new", data={**NEW_USER, "csrf_token": "forged"})

    assert response.status_code == 400
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is None


def test_form_with_its_token_goes_through(submit, login_as, db_session):
    login_as("admin")

    response = submit("/admin/users/new", NEW_USER)

    assert response.status_code == 302
    assert db_session.scalar(select(User).where(User.email == "new@example.org")) is not None


def test_sign_in_form_needs_its_token_too(client, make_user):
    make_user("admin", email="boss@example.org")

    response = client.post(
        "/login", data={"email": "boss@example.org", "password": "correct horse battery staple"}
    )

    assert response.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_twilio_webhooks_need_no_csrf_token(twilio, make_hotline):
    hotline = make_hotline()

    response = twilio.post(
        "/voice/incoming",
        {"CallSid": "CA" + "c" * 32, "From": "+33611111111", "To": hotline.number},
    )

    assert response.status_code == 200
    assert response.mimetype == "application/xml"


def test_forged_webhook_still_gets_a_bare_403(twilio, make_hotline):
    hotline = make_hotline()

    response = twilio.post(
        "/voice/incoming",
        {"CallSid": "CA" + "d" * 32, "From": "+33611111111", "To": hotline.number},
        signature="forged",
    )

    assert response.status_code == 403
    assert "hotline.css" not in response.get_data(as_text=True)  # not our page: no DB, no layout
