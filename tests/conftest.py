"""Shared fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from hotline import create_app, schema
from hotline.db import database, make_engine, normalise_url
from hotline.models import Hotline, Person
from hotline.planning.models import OVERRIDE, REGULAR, DefaultResponder, Slot, SlotResponder

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
EMERGENCY_NUMBER = "+33184880000"


def pytest_report_header() -> str:
    return f"database: {test_database_url('<tmp>/test.sqlite3')}"


def test_database_url(sqlite_path: str) -> str:
    return os.environ.get("HOTLINE_TEST_DATABASE_URL") or f"sqlite:///{sqlite_path}"


def reset_database(engine: Engine) -> None:
    """Drop whatever an earlier run left (PostgreSQL keeps it between runs)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return normalise_url(test_database_url(str(tmp_path_factory.mktemp("db") / "test.sqlite3")))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    reset_database(engine)
    schema.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


def app_config(database_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "EMERGENCY_NUMBER": EMERGENCY_NUMBER,
    }
    config.update(overrides)
    return config


@pytest.fixture
def app(database_url: str, connection: Connection) -> Flask:
    app = create_app(app_config(database_url))
    database(app).engine.dispose()
    database(app).bind_to(connection)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    with database(app).sessionmaker() as session:
        yield session


def sign(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


class TwilioClient:
    """Posts webhooks to the app the way Twilio does: form-encoded and signed."""

    def __init__(self, client: FlaskClient, base: str = "http://localhost") -> None:
        self.client = client
        self.base = base

    def url(self, path: str, query: dict[str, Any] | None = None) -> str:
        return f"{self.base}{path}" + (f"?{urlencode(query)}" if query else "")

    def post(
        self,
        path: str,
        params: dict[str, str],
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        signature: str | None = None,
    ) -> Any:
        url = self.url(path, query)
        sig = sign(url, params) if signature is None else signature
        return self.client.post(
            url, data=params, headers={"X-Twilio-Signature": sig, **(headers or {})}
        )


@pytest.fixture
def twilio(client: FlaskClient) -> TwilioClient:
    return TwilioClient(client)


@pytest.fixture
def make_person(db_session: Session) -> Callable[..., Person]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, **fields: Any) -> Person:
        n = next(counter)
        person = Person(
            ref=fields.pop("ref", f"person{n}"),
            name=name or f"Person {n}",
            mobile=fields.pop("mobile", f"+336123456{n:02d}"),
            **fields,
        )
        db_session.add(person)
        db_session.flush()
        return person

    return make


@pytest.fixture
def make_hotline(db_session: Session) -> Callable[..., Hotline]:
    def make(number: str = "+33184881234", **fields: Any) -> Hotline:
        hotline = Hotline(number=number, name=fields.pop("name", "Astreinte test"), **fields)
        db_session.add(hotline)
        db_session.flush()
        return hotline

    return make


@pytest.fixture
def make_slot(db_session: Session) -> Callable[..., Slot]:
    def make(
        hotline: Hotline,
        start: datetime,
        end: datetime,
        chain: list[Person],
        override: bool = False,
    ) -> Slot:
        slot = Slot(
            hotline_id=hotline.id,
            kind=OVERRIDE if override else REGULAR,
            starts_at=start,
            ends_at=end,
            responders=[SlotResponder(position=i, person_id=p.id) for i, p in enumerate(chain)],
        )
        db_session.add(slot)
        db_session.flush()
        return slot

    return make


@pytest.fixture
def set_default_chain(db_session: Session) -> Callable[[Hotline, list[Person]], None]:
    def set_chain(hotline: Hotline, chain: list[Person]) -> None:
        for i, person in enumerate(chain):
            db_session.add(DefaultResponder(hotline_id=hotline.id, position=i, person_id=person.id))
        db_session.flush()

    return set_chain
