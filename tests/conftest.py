"""Shared fixtures: one migrated database per run, one rolled-back transaction per test."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from hotline import create_app, schema
from hotline.db import database, make_engine, normalise_url
from hotline.models import Hotline, Person
from hotline.planning.models import OVERRIDE, REGULAR, DefaultResponder, Slot, SlotResponder
from tests.alerts.fakes import FakeTwilioRest

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


def companion_database(server_url: str, role: str) -> str:
    """The name of a database beside the test database, kept apart per test database.

    `test` gives `test_e2e`; two runs on different test databases of one server
    (HOTLINE_TEST_DATABASE_URL) then never drop each other's.
    """
    return f"{make_url(normalise_url(server_url)).database}_{role}"


def fresh_postgres_database(server_url: str, name: str) -> str:
    """Drop and create database `name` next to the test database; return its URL."""
    url = make_url(normalise_url(server_url))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            # FORCE: a server left running by an interrupted run must not block the drop.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, name: str) -> None:
    admin = create_engine(make_url(normalise_url(server_url)), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioRest]:
    """A local stand-in for Twilio's REST API (SMS and calls sent by the alerts)."""
    fake = FakeTwilioRest()
    fake.start()
    yield fake
    fake.stop()


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


# --- Web users (hotline.auth): sign in without the form, CSRF tokens for form posts ---

USER_PASSWORD = "correct horse battery staple"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> None:
    """Still argon2id, with parameters that take a millisecond instead of a third of a second."""
    from argon2 import PasswordHasher

    from hotline.auth.passwords import use_hasher

    use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="session")
def user_password_hash(cheap_password_hashing: None) -> str:
    """USER_PASSWORD, hashed once per run."""
    from hotline.auth.passwords import hash_password

    return hash_password(USER_PASSWORD)


@pytest.fixture
def make_user(db_session: Session, user_password_hash: str) -> Callable[..., Any]:
    """make_user(role="agent", hotlines=[h], person=p, email=..., language=...) -> User.

    The password is USER_PASSWORD; `hotlines` scopes a manager or supervisor.
    """
    from hotline.auth.models import ManagedHotline, User

    counter = iter(range(1, 10_000))

    def make(role: str = "agent", *, hotlines: tuple[Hotline, ...] = (), **fields: Any) -> User:
        n = next(counter)
        person = fields.pop("person", None)
        user = User(
            email=fields.pop("email", f"{role}{n}@example.org"),
            name=fields.pop("name", f"{role.title()} {n}"),
            role=role,
            password_hash=user_password_hash,
            person_id=person.id if person is not None else None,
            managed_hotlines=[ManagedHotline(hotline_id=h.id) for h in hotlines],
            **fields,
        )
        db_session.add(user)
        db_session.flush()
        return user

    return make


def sign_in_client(client: FlaskClient, db_session: Session, user: Any) -> str:
    """Sign `client` in as `user` without the form: a new web session; return its key."""
    from hotline.auth.sessions import start_web_session
    from hotline.db import utcnow

    key = start_web_session(db_session, user, now=utcnow())
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return key


@pytest.fixture
def login_as(
    client: FlaskClient, db_session: Session, make_user: Callable[..., Any]
) -> Callable[..., Any]:
    """login_as("manager", hotlines=[h]) -> User: create a user and sign `client` in."""

    def sign_in(role: str = "admin", **fields: Any) -> Any:
        user = make_user(role, **fields)
        sign_in_client(client, db_session, user)
        return user

    return sign_in


@pytest.fixture
def csrf_token(client: FlaskClient) -> Callable[[], str]:
    """Return a CSRF token valid for `client`'s session (read from a rendered page)."""

    def token() -> str:
        page = client.get("/login", follow_redirects=True).get_data(as_text=True)
        match = CSRF_FIELD.search(page)
        assert match, "no CSRF token on the page"
        return match.group(1)

    return token


@pytest.fixture
def submit(client: FlaskClient, csrf_token: Callable[[], str]) -> Callable[..., Any]:
    """submit("/admin/users/new", {...}) posts a form the way a browser does, with its token."""

    def post(path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return client.post(path, data={"csrf_token": csrf_token(), **(data or {})}, **kwargs)

    return post
