from hotline import create_app
from hotline.db import database
from tests.conftest import app_config


def test_signed_in_pages_are_not_cached_nor_framed(client, login_as):
    login_as("admin")

    response = client.get("/admin/users")

    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only_and_same_site(client):
    response = client.get("/login")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests: a Secure cookie would never return


def test_session_cookie_is_secure_behind_an_https_public_url(database_url, connection):
    app = create_app(app_config(database_url, PUBLIC_BASE_URL="https://hotline.example.org"))
    database(app).engine.dispose()
    database(app).bind_to(connection)

    cookie = app.test_client().get("/login").headers["Set-Cookie"]

    assert "Secure" in cookie


def test_webhooks_get_no_session_cookie(twilio, make_hotline):
    hotline = make_hotline()

    params = {"CallSid": "CA" + "e" * 32, "From": "+33611111111", "To": hotline.number}

    response = twilio.post("/voice/incoming", params)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
