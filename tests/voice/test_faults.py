"""When the app cannot do its job, the caller still reaches a human."""

from __future__ import annotations

import logging

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from hotline import create_app
from hotline.voice.models import Call
from tests.conftest import EMERGENCY_NUMBER, TwilioClient, app_config

UNREACHABLE = {
    "postgresql": "postgresql://postgres@127.0.0.1:1/nowhere",
    "sqlite": "sqlite:////nonexistent-dir/hotline.sqlite3",
}
INCOMING = {"CallSid": "CAdown", "From": "+33699887766", "To": "+33184881234"}


@pytest.fixture(params=sorted(UNREACHABLE))
def dead_database_twilio(request) -> TwilioClient:
    app = create_app(app_config(UNREACHABLE[request.param]))
    client: FlaskClient = app.test_client()
    return TwilioClient(client)


@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/dial-result"])
def test_database_unreachable_still_dials_the_emergency_number(dead_database_twilio, path, caplog):
    caplog.set_level(logging.ERROR, logger="hotline.voice")
    response = dead_database_twilio.post(path, INCOMING, {"call": "CAdown", "pos": 0})

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    assert f'<Dial answerOnBridge="true">{EMERGENCY_NUMBER}</Dial>' in body
    assert "<Say" in body
    assert any("CAdown" in r.getMessage() for r in caplog.records), "the failure is logged"


def test_callbacks_with_database_unreachable_answer_200(dead_database_twilio):
    response = dead_database_twilio.post("/voice/status", {**INCOMING, "CallStatus": "completed"})

    assert response.status_code == 200


def test_fallback_url_answers_without_any_database(dead_database_twilio):
    response = dead_database_twilio.post("/voice/fallback", {**INCOMING, "ErrorCode": "11200"})

    assert response.status_code == 200
    assert EMERGENCY_NUMBER in response.get_data(as_text=True)


def test_internal_error_falls_back_and_writes_nothing(twilio, team, monkeypatch, db_session):
    from hotline.voice import calls

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the lookup")

    monkeypatch.setattr(calls, "chain_from", broken)
    response = twilio.post("/voice/incoming", {**INCOMING, "To": team.hotline.number})

    assert response.status_code == 200
    assert EMERGENCY_NUMBER in response.get_data(as_text=True)
    assert calls.find_call(db_session, "CAdown") is None


def test_no_emergency_number_configured_still_speaks():
    app = create_app(app_config(UNREACHABLE["sqlite"], EMERGENCY_NUMBER=""))
    response = TwilioClient(app.test_client()).post("/voice/incoming", INCOMING)

    assert response.status_code == 200
    assert "<Say" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/voice/incoming", "/voice/status"])
def test_a_callback_without_a_call_sid_answers_twiml_and_records_nothing(
    twilio, team, db_session, path
):
    response = twilio.post(path, {"CallStatus": "completed", "To": team.hotline.number})

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert db_session.scalar(select(func.count()).select_from(Call)) == 0


def test_screening_without_the_database_still_asks_the_agent_to_press_1(dead_database_twilio):
    leg = {"CallSid": "CLdown", "CallStatus": "in-progress"}
    query = {"call": "CAdown", "pos": 1}

    whisper = dead_database_twilio.post("/voice/screen", leg, query).get_data(as_text=True)
    accepted = dead_database_twilio.post("/voice/screen-result", {**leg, "Digits": "1"}, query)
    refused = dead_database_twilio.post("/voice/screen-result", {**leg, "Digits": "2"}, query)

    # Not a bridge at once: a personal voicemail that picked up never presses 1.
    assert '<Gather action="http://localhost/voice/screen-result?call=CAdown&amp;pos=1"' in whisper
    # In the installation's fallback language, refusing included.
    assert "Appuyez sur 1 pour accepter, sur une autre touche pour refuser." in whisper
    assert "<Hangup" in whisper
    assert accepted.get_data(as_text=True).endswith("<Response />")
    assert "<Hangup" in refused.get_data(as_text=True)


def test_a_failed_status_callback_logs_the_empty_response_it_answered(dead_database_twilio, caplog):
    response = dead_database_twilio.post("/voice/status", {**INCOMING, "CallStatus": "completed"})

    assert response.get_data(as_text=True).endswith("<Response />")
    [failure] = [r.getMessage() for r in caplog.records if r.name == "hotline.voice"]
    assert failure.startswith("webhook failed, answered with an empty response: /voice/status {")


def test_a_failed_incoming_call_logs_the_emergency_fallback_it_answered(
    dead_database_twilio, caplog
):
    dead_database_twilio.post("/voice/incoming", INCOMING)

    [failure] = [r.getMessage() for r in caplog.records if r.name == "hotline.voice"]
    assert failure.startswith(
        "webhook failed, answered with fallback to EMERGENCY_NUMBER: /voice/incoming {"
    )
