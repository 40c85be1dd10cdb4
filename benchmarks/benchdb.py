"""Fresh, migrated databases for the benchmarks (SQLite file or a dedicated PostgreSQL base)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

import hotline.all_models  # noqa: F401 - every mapper configured before any query
from hotline import schema
from hotline.db import make_engine, normalise_url

# A server whose `postgres` role trusts local connections, as in the test setup.
DEFAULT_PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASES = ("sqlite", "postgresql")


def pg_server() -> str:
    """The PostgreSQL server to create benchmark databases on (HOTLINE_BENCH_PG_SERVER)."""
    return os.environ.get("HOTLINE_BENCH_PG_SERVER", DEFAULT_PG_SERVER).rstrip("/")


def fresh_url(kind: str, name: str, workdir: Path) -> str:
    """Return the URL of an empty database `name` (dropped and created anew)."""
    if kind == "sqlite":
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}: choose from {', '.join(DATABASES)}")
    admin = create_engine(
        normalise_url(f"{pg_server()}/postgres"), isolation_level="AUTOCOMMIT", pool_size=1
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{pg_server()}/{name}"


def migrated_engine(url: str) -> Engine:
    """Run every migration on `url`, the way a deployment makes its schema."""
    engine = make_engine(url)
    schema.upgrade(engine)
    return engine


def drop_database(kind: str, url: str) -> None:
    """Remove a benchmark database once its figures are printed."""
    if kind == "sqlite":
        path = make_url(url).database or ""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(url).database
    admin = create_engine(
        normalise_url(f"{pg_server()}/postgres"), isolation_level="AUTOCOMMIT", pool_size=1
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def workdir(prefix: str) -> Path:
    """A scratch directory for database files, signed bodies and server logs."""
    return Path(tempfile.mkdtemp(prefix=prefix))
