"""Load balancers and Prometheus see the node's real state."""

from __future__ import annotations

from hotline import create_app
from tests.conftest import app_config
from tests.voice.conftest import CallDriver


def test_healthz_answers_without_touching_the_database():
    app = create_app(app_config("postgresql://postgres@127.0.0.1:1/nowhere"))

    response = app.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_is_ready_with_database_and_queue(client):
    response = client.get("/readyz")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "ok"
    assert response.json["checks"] == {"database": "ok", "queue": "ok", "secret_key": "ok"}


def test_readyz_says_503_and_names_the_database_when_it_is_down(caplog):
    app = create_app(app_config("postgresql://postgres@127.0.0.1:1/nowhere"))

    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"].startswith("unreachable")
    # Logged on every probe of an outage: one line each, the driver's reason.
    [warning] = [r.getMessage() for r in caplog.records if "readiness: database" in r.msg]
    assert warning == (
        "readiness: database unreachable: connection failed: connection to server at "
        '"127.0.0.1", port 1 failed: Connection refused'
    )


def test_metrics_count_calls_by_outcome_and_time_webhooks(client, twilio, team):
    driver = CallDriver(twilio, team.hotline)
    driver.incoming()
    for pos in range(3):
        driver.dial_result(pos, "no-answer", bridged=False)
    driver.status("completed", 70)

    response = client.get("/metrics")
    text = response.get_data(as_text=True)

    assert response.headers["Content-Type"] == "text/plain; version=1.0.0; charset=utf-8"
    assert "hotline_database_up 1.0" in text
    assert 'hotline_calls_total{outcome="missed"} 1.0' in text
    assert 'hotline_ring_legs_total{result="no-answer"} 3.0' in text
    assert "hotline_alert_queue_depth" in text
    assert 'hotline_webhook_seconds_count{endpoint="voice.incoming"}' in text


def test_metrics_token_is_required_when_configured(database_url, connection):
    from hotline.db import database

    app = create_app(app_config(database_url, METRICS_TOKEN="s3cret"))
    database(app).bind_to(connection)
    client = app.test_client()

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer s3cres"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer é"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


def test_readyz_stays_200_degraded_when_only_the_queue_is_down(database_url, connection):
    from hotline.db import database

    app = create_app(app_config(database_url, QUEUE_URL="redis://127.0.0.1:1/0"))
    database(app).bind_to(connection)

    response = app.test_client().get("/readyz")

    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["checks"]["database"] == "ok"
    assert response.json["checks"]["queue"].startswith("unreachable")


def test_metrics_serve_the_latency_and_say_the_database_is_down_while_it_is(caplog):
    app = create_app(app_config("postgresql://postgres@127.0.0.1:1/nowhere"))

    response = app.test_client().get("/metrics")

    text = response.get_data(as_text=True)
    assert response.status_code == 200, text
    assert "hotline_database_up 0.0" in text
    assert "# TYPE hotline_webhook_seconds histogram" in text
    assert "hotline_calls_total" not in text
    [warning] = [r.getMessage() for r in caplog.records if r.name == "hotline.ops"]
    assert warning.startswith("metrics: database unreachable, totals left out: connection")
    assert "\n" not in warning
