"""An incoming call holds one pooled database connection at a time, whichever path it takes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import event, select

from hotline import create_app, schema
from hotline.db import database
from hotline.models import Hotline
from hotline.voice.models import Call, Outcome
from tests.conftest import TwilioClient, app_config

HOTLINE = "+33184881234"


class PoolWatch:
    """The largest number of connections checked out of the pool at once."""

    def __init__(self) -> None:
        self.out = self.most = 0

    def checkout(self, *_args: object) -> None:
        self.out += 1
        self.most = max(self.most, self.out)

    def checkin(self, *_args: object) -> None:
        self.out -= 1


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    # A database of its own: the shared test fixtures bind every request to
    # one connection, which would hide the pool.
    app = create_app(app_config(f"sqlite:///{tmp_path / 'pool.sqlite3'}"))
    db = database(app)
    schema.upgrade(db.engine)
    with db.session_scope() as session:  # nobody on call, no default chain, no fallback
        session.add(Hotline(number=HOTLINE, name="Pool"))
    yield app
    db.engine.dispose()


@pytest.fixture
def watch(own_app: Flask) -> PoolWatch:
    watch = PoolWatch()
    event.listen(database(own_app).engine, "checkout", watch.checkout)
    event.listen(database(own_app).engine, "checkin", watch.checkin)
    return watch


def incoming(app: Flask, call_sid: str, to: str = HOTLINE) -> str:
    params = {"CallSid": call_sid, "From": "+33699887766", "To": to, "CallStatus": "ringing"}
    response = TwilioClient(app.test_client()).post("/voice/incoming", params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def outcomes(app: Flask) -> list[str]:
    with database(app).sessionmaker() as session:
        return list(session.scalars(select(Call.outcome).order_by(Call.id)))


def test_a_call_with_nobody_to_ring_goes_to_voicemail_on_one_connection(own_app, watch):
    twiml = incoming(own_app, "CA" + "1" * 32)

    assert "<Record" in twiml
    assert outcomes(own_app) == [Outcome.RINGING]
    assert watch.most == 1


def test_a_retried_incoming_webhook_finds_its_call_on_one_connection(own_app, watch):
    first = incoming(own_app, "CA" + "2" * 32)
    again = incoming(own_app, "CA" + "2" * 32)

    assert again == first
    assert len(outcomes(own_app)) == 1
    assert watch.most == 1


def test_a_call_to_an_unknown_number_is_recorded_on_one_connection(own_app, watch):
    twiml = incoming(own_app, "CA" + "3" * 32, to="+33184889999")

    assert "<Dial" in twiml  # the emergency number
    assert outcomes(own_app) == [Outcome.FAILED]
    assert watch.most == 1
