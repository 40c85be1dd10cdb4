"""A node without SECRET_KEY: its pages say what to set, its calls are still put through."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from hotline import create_app, log_start_up_problems
from hotline.auth.models import SignInThrottle, WebSession
from hotline.auth.services import create_api_token
from hotline.db import database
from tests.conftest import USER_PASSWORD, app_config
from tests.voice.conftest import driver, load_call, team  # noqa: F401 - shared call fixtures


@pytest.fixture
def app(database_url, connection):
    """The test app as a node started without SECRET_KEY."""
    app = create_app(app_config(database_url, SECRET_KEY=None))
    database(app).engine.dispose()
    database(app).bind_to(connection)
    return app


@pytest.mark.parametrize("path", ["/", "/login", "/planning/", "/stats/", "/no-such-page"])
def test_every_page_answers_503_naming_the_setting_to_set(client, path):
    response = client.get(path, headers={"Accept-Language": "en"})

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Web pages unavailable" in page
    assert "An administrator must set HOTLINE_SECRET_KEY and restart it." in page
    assert "Calls to the hotline are still put through." in page


def test_the_page_speaks_french_to_a_french_browser(client):
    response = client.get("/login", headers={"Accept-Language": "fr"})

    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Pages web indisponibles" in page
    assert "Un administrateur doit définir HOTLINE_SECRET_KEY puis le redémarrer." in page


def test_a_sign_in_is_refused_and_writes_nothing(client, make_user, db_session):
    make_user("admin", email="boss@example.org")
    db_session.flush()

    response = client.post("/login", data={"email": "boss@example.org", "password": USER_PASSWORD})

    assert response.status_code == 503
    assert "Set-Cookie" not in response.headers
    assert db_session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert db_session.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_an_incoming_call_still_rings_the_chain_and_overflows(driver, team, db_session):  # noqa: F811
    alice, bruno, _ = team.people

    first = driver.incoming()
    second = driver.dial_result(0, "no-answer", bridged=False)

    assert f">{alice.mobile}</Number>" in first
    assert f">{bruno.mobile}</Number>" in second
    call = load_call(db_session, driver.call_sid)
    assert call.hotline_id == team.hotline.id


def test_the_api_and_the_probes_still_answer(client, make_user, make_hotline, db_session):
    hotline = make_hotline()
    _token, secret = create_api_token(db_session, make_user("admin"), "tests")
    db_session.flush()

    oncall = client.get(
        f"/api/v1/hotlines/{hotline.id}/oncall", headers={"Authorization": f"Bearer {secret}"}
    )

    assert oncall.status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_readyz_keeps_the_node_in_the_balancer_but_names_the_missing_key(client):
    response = client.get("/readyz")

    # 200: the node answers calls, so a balancer must keep it; "degraded" and the named
    # check tell whoever looks (or alerts on it) that its web side is down.
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["secret_key"] == (
        "missing: web pages, sign-in and listen links answer 503 until HOTLINE_SECRET_KEY "
        "is set; calls are routed"
    )


def test_a_missing_static_file_is_a_bare_404_not_a_crash(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production

    assert client.get("/static/no-such-file.css").status_code == 404


def test_the_start_up_check_logs_what_to_set_as_an_error(app, caplog):
    with caplog.at_level(logging.INFO):
        log_start_up_problems(app)

    [line] = [r for r in caplog.records if "SECRET_KEY" in r.getMessage()]
    assert line.levelno == logging.ERROR
    assert line.getMessage().startswith("web (start-up): SECRET_KEY is not set: web pages answer")
    assert "until HOTLINE_SECRET_KEY" in line.getMessage()


def test_the_start_up_check_is_silent_about_a_key_that_is_set(database_url, caplog):
    app = create_app(app_config(database_url))

    with caplog.at_level(logging.INFO):
        log_start_up_problems(app)

    assert not [r for r in caplog.records if "SECRET_KEY" in r.getMessage()]


def test_doctor_says_what_to_set(app):
    from hotline.ops.doctor import Level, check_secret_key

    [finding] = check_secret_key(app)

    assert finding.level == Level.ERROR
    assert "web pages answer 503 until HOTLINE_SECRET_KEY" in finding.message
