"""A page being viewed never holds up a call: GET requests read without the write lock.

On SQLite the database has one write lock, and a session that may write holds
it from its first statement until it ends. A page's session used to be such a
session, so every incoming call waited for the page to be rendered and sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from hotline import create_app, schema
from hotline.auth import services
from hotline.auth.models import User
from hotline.auth.passwords import hash_password
from hotline.db import ReadOnlySessionError, database, get_session
from hotline.models import Hotline, Person
from hotline.planning.models import DefaultResponder
from hotline.voice.models import Call
from tests.conftest import CSRF_FIELD, TwilioClient, app_config, sign_in_client

HOTLINE = "+33184881234"
NEW_PASSWORD = ("password", "password_confirm")


@pytest.fixture
def own_app(tmp_path: Path) -> Iterator[Flask]:
    # A SQLite file of its own: the shared fixtures bind every request to one
    # connection, which would hide the lock.
    app = create_app(app_config(f"sqlite:///{tmp_path / 'pages.sqlite3'}"))
    db = database(app)
    schema.upgrade(db.engine)
    with db.session_scope() as session:
        hotline = Hotline(number=HOTLINE, name="Pages")
        person = Person(ref="alice", name="Alice", mobile="+33612345601")
        session.add_all([hotline, person])
        session.flush()
        session.add(DefaultResponder(hotline_id=hotline.id, position=0, person_id=person.id))
    yield app
    db.engine.dispose()


def place_call(app: Flask, call_sid: str) -> str:
    params = {"CallSid": call_sid, "From": "+33699887766", "To": HOTLINE, "CallStatus": "ringing"}
    response = TwilioClient(app.test_client()).post("/voice/incoming", params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_call_is_answered_and_recorded_while_a_page_is_being_rendered(own_app):
    answered: list[str] = []
    call = threading.Thread(target=lambda: answered.append(place_call(own_app, "CA" + "1" * 32)))

    with own_app.test_request_context("/stats/", method="GET"):
        get_session().scalar(select(func.count()).select_from(Call))  # the page has begun
        call.start()
        call.join(timeout=5)  # the page is still being rendered meanwhile
        done_while_rendering = not call.is_alive()
    call.join()

    assert done_while_rendering
    assert "<Dial" in answered[0]
    assert "+33612345601" in answered[0]
    with database(own_app).sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_a_get_request_that_tries_to_write_is_refused_and_writes_nothing(own_app):
    with own_app.test_request_context("/planning/", method="GET"):
        session = get_session()
        session.add(Person(ref="bruno", name="Bruno", mobile="+33612345602"))
        with pytest.raises(ReadOnlySessionError):
            session.flush()

    with database(own_app).sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_post_request_still_writes(own_app):
    with own_app.test_request_context("/planning/people/new", method="POST"):
        session = get_session()
        session.add(Person(ref="chloe", name="Chloé", mobile="+33612345603"))
        session.commit()

    with database(own_app).sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 2


def test_a_page_reads_one_snapshot_even_as_calls_are_recorded(own_app):
    # A page adds up figures over several queries: they must agree with each other.
    with own_app.test_request_context("/stats/", method="GET"):
        session = get_session()
        before = session.scalar(select(func.count()).select_from(Call))
        call = threading.Thread(target=place_call, args=(own_app, "CA" + "2" * 32))
        call.start()
        call.join(timeout=5)
        recorded_meanwhile = not call.is_alive()
        again = session.scalar(select(func.count()).select_from(Call))
    call.join()

    assert recorded_meanwhile
    assert before == again == 0
    with database(own_app).sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1


def test_a_call_is_recorded_while_an_admin_resets_a_password(own_app, monkeypatch):
    # A password hash takes about 0.3 s on purpose (the tests use a cheap one):
    # it must not hold the database's write lock meanwhile.
    hashing, hashed = threading.Event(), threading.Event()

    def slow_hash(password: str) -> str:
        hashing.set()
        assert hashed.wait(timeout=10), "the call never came through"
        return hash_password(password)

    monkeypatch.setattr(services, "hash_password", slow_hash)
    admin_client = own_app.test_client()
    with database(own_app).session_scope() as session:
        admin = User(email="admin@example.org", name="Admin", role="admin",
                     password_hash=hash_password("correct horse battery"))  # fmt: skip
        session.add(admin)
        session.flush()
        sign_in_client(admin_client, session, admin)
        admin_id = admin.id
    page = admin_client.get(f"/admin/users/{admin_id}").get_data(as_text=True)
    token = CSRF_FIELD.search(page).group(1)
    reset = threading.Thread(
        target=admin_client.post,
        args=(f"/admin/users/{admin_id}/password",),
        kwargs={"data": {"csrf_token": token, **dict.fromkeys(NEW_PASSWORD, "a new passphrase")}},
    )
    reset.start()
    assert hashing.wait(timeout=10)

    call = threading.Thread(target=place_call, args=(own_app, "CA" + "3" * 32))
    call.start()
    call.join(timeout=5)
    recorded_while_hashing = not call.is_alive()
    hashed.set()
    call.join()
    reset.join()

    assert recorded_while_hashing
    with database(own_app).sessionmaker() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1
