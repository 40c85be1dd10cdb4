"""The usual incoming call is answered before Flask; every other one by the view, as before."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from flask import Flask, request
from sqlalchemy import event, func, select
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from hotline import create_app
from hotline.db import database
from hotline.voice import fast_incoming
from hotline.voice.models import Call, CallAttempt
from tests.conftest import AUTH_TOKEN, EMERGENCY_NUMBER, TwilioClient, app_config
from tests.voice.test_faults import UNREACHABLE

INCOMING = {"CallSid": "CAfast", "From": "+33699887766", "CallStatus": "ringing"}


@pytest.fixture
def flask_requests(app: Flask) -> list[str]:
    """The paths of the requests that reached Flask's request machinery."""
    seen: list[str] = []
    app.before_request(lambda: seen.append(request.path))
    return seen


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_the_usual_call_is_answered_without_flask_and_fully_recorded(
    twilio, team, flask_requests, db_session
):
    response = twilio.post("/voice/incoming", {**INCOMING, "To": team.hotline.number})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    body = response.get_data(as_text=True)
    assert "<Say" in body
    assert f">{team.people[0].mobile}</Number></Dial>" in body
    assert 'action="http://localhost/voice/dial-result?call=CAfast&amp;pos=0"' in body
    assert flask_requests == []
    call = db_session.scalar(select(Call).where(Call.call_sid == "CAfast"))
    assert call is not None
    assert call.outcome == "ringing"
    assert [leg.number for leg in call.attempts] == [team.people[0].mobile]


def test_the_usual_call_reads_its_hotline_and_chain_in_one_statement(twilio, team, db_session):
    # Every incoming call pays for each statement (a round trip on PostgreSQL):
    # the hotline and who is on call come back together, then the call is written.
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()).upper())

    connection = db_session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        response = twilio.post("/voice/incoming", {**INCOMING, "To": team.hotline.number})
    finally:
        event.remove(connection, "before_cursor_execute", record)

    assert f">{team.people[0].mobile}</Number></Dial>" in response.get_data(as_text=True)
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len(reads) == 1
    assert "FROM HOTLINE" in reads[0]
    assert "SLOT_RESPONDER" in reads[0]
    assert seen[0] == reads[0]
    assert all(s.startswith(("INSERT", "WITH", "SAVEPOINT", "RELEASE")) for s in seen[1:])


def test_a_retry_goes_to_the_view_and_gets_the_same_answer(
    twilio, team, flask_requests, db_session
):
    params = {**INCOMING, "To": team.hotline.number}
    first = twilio.post("/voice/incoming", params).get_data(as_text=True)
    again = twilio.post("/voice/incoming", params).get_data(as_text=True)

    assert flask_requests == ["/voice/incoming"]  # the retry only
    assert again == first
    assert count(db_session, Call) == 1
    assert count(db_session, CallAttempt) == 1


def test_a_forged_call_goes_to_the_view_which_refuses_it(twilio, team, flask_requests, db_session):
    response = twilio.post(
        "/voice/incoming", {**INCOMING, "To": team.hotline.number}, signature="forged"
    )

    assert response.status_code == 403
    assert flask_requests == ["/voice/incoming"]
    assert count(db_session, Call) == 0


def test_an_unknown_number_goes_to_the_view(twilio, team, flask_requests, db_session):
    response = twilio.post("/voice/incoming", {**INCOMING, "To": "+33100000000"})

    assert EMERGENCY_NUMBER in response.get_data(as_text=True)
    assert flask_requests == ["/voice/incoming"]
    assert db_session.scalar(select(Call.route).where(Call.call_sid == "CAfast")) == "nobody"


def test_a_repeated_parameter_is_signed_with_all_its_values(
    client, team, flask_requests, db_session
):
    url = "http://localhost/voice/incoming"
    pairs = [*{**INCOMING, "To": team.hotline.number}.items(), ("Extra", "b"), ("Extra", "a")]
    validator = RequestValidator(AUTH_TOKEN)
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    def post(signature: str):
        headers = {**form, "X-Twilio-Signature": signature}
        return client.post(url, data=urlencode(pairs), headers=headers)

    one_value = post(validator.compute_signature(url, dict(pairs)))
    every_value = post(validator.compute_signature(url, MultiDict(pairs)))

    assert one_value.status_code == 403
    assert every_value.status_code == 200
    assert flask_requests == ["/voice/incoming"]  # the refusal only
    assert count(db_session, Call) == 1


def test_a_failure_is_answered_by_the_view_with_the_emergency_number(
    twilio, team, flask_requests, monkeypatch, db_session, caplog
):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in the fast path")

    # The view's own record_incoming still works: only the fast path fails.
    monkeypatch.setattr(fast_incoming, "record_incoming", broken)
    response = twilio.post("/voice/incoming", {**INCOMING, "To": team.hotline.number})

    assert EMERGENCY_NUMBER in response.get_data(as_text=True)
    assert flask_requests == ["/voice/incoming"]
    [failure] = [r for r in caplog.records if r.name == "hotline.voice"]
    assert failure.getMessage().startswith("webhook failed, answered with fallback")
    assert "bug in the fast path" in caplog.text  # the traceback is the fast path's
    assert count(db_session, Call) == 0


@pytest.mark.parametrize("backend", sorted(UNREACHABLE))
def test_a_dead_database_is_tried_once_per_call(backend):
    # A database that does not answer is waited for once, not by the fast path
    # and then again by the view: the caller reaches the emergency number sooner.
    app = create_app(app_config(UNREACHABLE[backend]))
    attempts: list[object] = []
    event.listen(database(app).engine, "do_connect", lambda *args: attempts.append(args))
    response = TwilioClient(app.test_client()).post(
        "/voice/incoming", {**INCOMING, "To": "+33184881234"}
    )

    assert EMERGENCY_NUMBER in response.get_data(as_text=True)
    assert len(attempts) == 1
