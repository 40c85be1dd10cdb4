import pytest

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


@pytest.mark.parametrize(
    "settings",
    [
        {"PUBLIC_BASE_URL": "https://hotline.example.org"},
        # The deployment: nginx terminates TLS, no public base URL (two host names).
        {"PROXY_COUNT": 1},
    ],
)
def test_session_cookie_is_secure_behind_https(database_url, connection, settings):
    app = create_app(app_config(database_url, **settings))
    database(app).engine.dispose()
    database(app).bind_to(connection)

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hotline.example.org"}
    cookie = app.test_client().get("/login", headers=headers).headers["Set-Cookie"]

    assert "Secure" in cookie


def test_webhooks_get_no_session_cookie(twilio, make_hotline):
    hotline = make_hotline()

    params = {"CallSid": "CA" + "e" * 32, "From": "+33611111111", "To": hotline.number}

    response = twilio.post("/voice/incoming", params)

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
