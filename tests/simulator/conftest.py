"""A real server (gunicorn, two workers, as deployed) on its own database, for end-to-end calls."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, RowMapping, text

from hotline import schema
from hotline.db import make_engine
from hotline.simulator import Behaviour, Scenario, SimulationResult, simulate_call
from tests.app_node import Node, free_port
from tests.conftest import companion_database, drop_postgres_database, fresh_postgres_database
from tests.live_team import PEOPLE, SCREENED, seed

TOKEN = "e2e-auth-token-0123456789abcdef"
EMERGENCY_NUMBER = "+33184880000"
CALLER = "+33698765432"


@dataclass(frozen=True)
class LiveServer:
    url: str
    token: str
    database_url: str
    engine: Engine
    people: dict[str, int]  # person id by ref
    log: Path

    @property
    def names(self) -> dict[str, str]:
        return {mobile: name for _ref, name, mobile in PEOPLE}

    def env(self) -> dict[str, str]:
        """The environment of a process that should see this server's configuration."""
        return {
            **os.environ,
            "HOTLINE_DATABASE_URL": self.database_url,
            "HOTLINE_TWILIO_AUTH_TOKEN": self.token,
            "HOTLINE_EMERGENCY_NUMBER": EMERGENCY_NUMBER,
            # An instance/config.py left by `hotline demo` must not change the URL we sign.
            "HOTLINE_PUBLIC_BASE_URL": "",
            "HOTLINE_PROXY_COUNT": "0",
        }

    def call_row(self, call_sid: str) -> RowMapping | None:
        with self.engine.connect() as conn:
            return (
                conn.execute(text('SELECT * FROM "call" WHERE call_sid = :sid'), {"sid": call_sid})
                .mappings()
                .one_or_none()
            )

    def attempt_rows(self, call_id: int) -> list[RowMapping]:
        with self.engine.connect() as conn:
            query = text("SELECT * FROM call_attempt WHERE call_id = :id ORDER BY position")
            return list(conn.execute(query, {"id": call_id}).mappings())

    def voicemail_row(self, call_id: int) -> RowMapping | None:
        with self.engine.connect() as conn:
            query = text("SELECT * FROM voicemail WHERE call_id = :id")
            return conn.execute(query, {"id": call_id}).mappings().one_or_none()

    def count_calls(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text('SELECT count(*) FROM "call"')).scalar_one()


def moment(value: datetime | str) -> datetime:
    """A timestamp column read by raw SQL (SQLite hands back text), as naive UTC."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


@pytest.fixture(scope="session")
def e2e_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """SQLite in a temp file, or a separate PostgreSQL database when tests run on it."""
    server_url = os.environ.get("HOTLINE_TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
        return
    name = companion_database(server_url, "e2e")
    yield fresh_postgres_database(server_url, name)
    drop_postgres_database(server_url, name)


@pytest.fixture(scope="session")
def live_server(
    e2e_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    engine = make_engine(e2e_database_url)
    schema.upgrade(engine)
    people = seed(engine)
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = LiveServer(f"http://127.0.0.1:{port}", TOKEN, e2e_database_url, engine, people, log)
    node = Node("e2e", server.env(), log, port=port)
    try:
        node.start()
        yield server
    finally:
        node.stop()
        engine.dispose()


@pytest.fixture
def place_call(live_server: LiveServer) -> Callable[..., SimulationResult]:
    """Play one call against the live server; the callees behave as listed, in chain order."""

    def place(*legs: str, to: str = SCREENED, **options: Any) -> SimulationResult:
        scenario = Scenario(
            to_number=to,
            from_number=CALLER,
            legs=tuple(Behaviour(leg) for leg in legs),
            names=live_server.names,
            **options,
        )
        result = simulate_call(live_server.url, live_server.token, scenario)
        assert result.error is None, result.render()
        return result

    return place


def hotline_command() -> list[str]:
    """The `hotline` console script of this environment."""
    script = Path(sys.executable).with_name("hotline")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from hotline.cli import main; main()"]
