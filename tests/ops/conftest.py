"""Fixtures of the operations tests: probes on the test app, and a private cluster.

The cluster (PostgreSQL, Redis, two gunicorn nodes) is started once per session
and repaired before each test that uses it, since the fault tests stop and kill
its parts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hotline import schema
from hotline.db import make_engine
from tests.app_node import Node
from tests.live_team import seed
from tests.ops.cluster import PrivatePostgres, PrivateRedis, Unavailable, app_env
from tests.voice.conftest import driver, team  # noqa: F401 - shared call fixtures

CLUSTER_DATABASE = "hotline"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """CI runs the suite on SQLite, then on PostgreSQL; the `ops` tests bring their own
    databases, so the second pass would only repeat them: they run in that one."""
    if not os.environ.get("CI") or os.environ.get("HOTLINE_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="ops tests run once per CI run, in its PostgreSQL pass")
    for item in items:
        if item.get_closest_marker("ops") is not None:
            item.add_marker(skip)


def private_services_or_skip() -> None:
    """Skip (or fail, in CI) when this machine cannot run private PostgreSQL and Redis."""
    try:
        PrivateRedis()
        from tests.ops.cluster import postgres_bin

        postgres_bin()
    except Unavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the cluster tests: {exc}")
        pytest.skip(f"cannot run a private cluster here: {exc}")


@pytest.fixture(scope="session")
def private_pg() -> Iterator[PrivatePostgres]:
    private_services_or_skip()
    server = PrivatePostgres()
    try:
        server.init().start()
        yield server
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    private_services_or_skip()
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Cluster:
    pg: PrivatePostgres
    redis: PrivateRedis
    database_url: str
    engine: Engine
    people: dict[str, int]
    nodes: list[Node] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return app_env(self.database_url, self.redis.url)

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def repair(self) -> None:
        """Bring back whatever the previous test stopped or killed."""
        if not self.pg.running:
            self.pg.start()
            self.engine.dispose()
        if self.redis.process is None:
            self.redis.start()
        for node in self.nodes:
            if not node.alive:
                node.start()


@pytest.fixture(scope="session")
def cluster_once(
    private_pg: PrivatePostgres,
    private_redis: PrivateRedis,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    url = private_pg.create_database(CLUSTER_DATABASE)
    engine = make_engine(url)
    schema.upgrade(engine)
    cluster = Cluster(private_pg, private_redis, url, engine, seed(engine))
    logs = tmp_path_factory.mktemp("nodes")
    cluster.nodes = [Node(name, cluster.env, logs / f"{name}.log") for name in ("a", "b")]
    try:
        for node in cluster.nodes:
            node.start()
        yield cluster
    finally:
        for node in cluster.nodes:
            node.kill()
        engine.dispose()


@pytest.fixture
def cluster(cluster_once: Cluster) -> Cluster:
    """Two nodes on one PostgreSQL and one Redis, all up."""
    cluster_once.repair()
    return cluster_once


@pytest.fixture
def node_logs(cluster: Cluster) -> list[Path]:
    return [node.log for node in cluster.nodes]
