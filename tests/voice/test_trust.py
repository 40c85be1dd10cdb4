"""Only Twilio may drive the call path: signatures, proxies, forged and replayed requests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotline import create_app
from hotline.db import database
from hotline.voice.models import Call
from tests.conftest import app_config, sign
from tests.voice.conftest import WEBHOOKS

PARAMS = {"CallSid": "CAforged", "From": "+33699887766", "To": "+33184881234"}


def call_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Call))


def test_unsigned_request_is_refused_and_writes_nothing(client, team, db_session):
    response = client.post("/voice/incoming", data=PARAMS)

    assert response.status_code == 403
    assert call_count(db_session) == 0


def test_signature_with_another_token_is_refused(twilio, team, db_session):
    url = twilio.url("/voice/incoming")
    response = twilio.post("/voice/incoming", PARAMS, signature=sign(url, PARAMS, "not-our-token"))

    assert response.status_code == 403
    assert call_count(db_session) == 0


@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/status"])
def test_a_signature_with_non_ascii_characters_is_refused(twilio, team, db_session, path):
    response = twilio.post(path, PARAMS, signature="\u00e9t\u00e9")

    assert response.status_code == 403
    assert call_count(db_session) == 0


def test_replay_with_an_altered_parameter_is_refused(twilio, team, db_session):
    genuine = sign(twilio.url("/voice/incoming"), PARAMS)
    altered = {**PARAMS, "From": "+33600000000"}

    response = twilio.post("/voice/incoming", altered, signature=genuine)

    assert response.status_code == 403
    assert call_count(db_session) == 0


def test_replay_with_an_altered_query_is_refused(twilio, driver, db_session):
    driver.incoming()
    params = {"CallSid": driver.call_sid, "DialCallStatus": "completed", "DialBridged": "true"}
    genuine = sign(twilio.url("/voice/dial-result", {"call": driver.call_sid, "pos": 0}), params)

    response = twilio.post(
        "/voice/dial-result", params, {"call": driver.call_sid, "pos": 1}, signature=genuine
    )

    assert response.status_code == 403


@pytest.mark.parametrize("path", WEBHOOKS)
def test_every_webhook_requires_a_signature(client, path):
    assert client.post(path, data={"CallSid": "CA1"}).status_code == 403


PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hotline.example.org"}


@pytest.mark.parametrize(
    "forwarded",
    [
        {**PROXIED, "X-Forwarded-For": "54.172.60.1"},
        # As deploy/nginx/hotline.conf sends them: a client's own X-Forwarded-Port
        # would otherwise reach ProxyFix (x_port=1) and change the URL.
        {**PROXIED, "X-Forwarded-Port": "443", "X-Forwarded-For": "203.0.113.9, 54.172.60.1"},
    ],
)
def test_signed_url_behind_a_tls_proxy_is_accepted(
    database_url, connection, team, db_session, forwarded
):
    app = create_app(app_config(database_url, PROXY_COUNT=1))
    database(app).bind_to(connection)
    params = {**PARAMS, "To": team.hotline.number}

    response = app.test_client().post(
        "/voice/incoming",
        base_url="http://10.0.0.5:8000",
        data=params,
        headers={
            "X-Twilio-Signature": sign("https://hotline.example.org/voice/incoming", params),
            **forwarded,
        },
    )

    assert response.status_code == 200
    # The public URL, the standard port left out, in the URLs Twilio is given back.
    assert "https://hotline.example.org/voice/dial-result" in response.get_data(as_text=True)
    assert call_count(db_session) == 1


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(client, team, db_session):
    url = "https://hotline.example.org/voice/incoming"
    params = {**PARAMS, "To": team.hotline.number}
    response = client.post(
        "/voice/incoming",
        data=params,
        headers={
            "X-Twilio-Signature": sign(url, params),
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "hotline.example.org",
        },
    )

    assert response.status_code == 403
    assert call_count(db_session) == 0


def test_public_base_url_setting_validates_against_the_public_address(
    database_url, connection, team
):
    app = create_app(app_config(database_url, PUBLIC_BASE_URL="https://hotline.example.org/"))
    database(app).bind_to(connection)
    params = {**PARAMS, "To": team.hotline.number}
    signature = sign("https://hotline.example.org/voice/incoming", params)

    response = app.test_client().post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )

    assert response.status_code == 200
    assert "https://hotline.example.org/voice/screen" in response.get_data(as_text=True)


def test_missing_auth_token_refuses_everything(database_url, connection, team):
    app = create_app(app_config(database_url, TWILIO_AUTH_TOKEN=""))
    database(app).bind_to(connection)
    params = {**PARAMS, "To": team.hotline.number}
    signature = sign("http://localhost/voice/incoming", params, "")

    response = app.test_client().post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("secret_key", ["test-secret", None])
def test_a_get_on_a_webhook_url_is_a_bare_405_even_without_a_secret_key(database_url, secret_key):
    # A webhook-only node may have no SECRET_KEY: its error answers must not need one.
    app = create_app(app_config(database_url, SECRET_KEY=secret_key))

    response = app.test_client().get("/voice/incoming")

    assert response.status_code == 405
    assert "cannot be used that way" not in response.get_data(as_text=True)  # not a UI page
