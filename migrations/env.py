"""Alembic environment: the engine comes from the app (hotline.schema)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import hotline.all_models  # noqa: F401 - registers every table on Base.metadata
from hotline.db import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, enabled=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_sqlite_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()  # nothing if committed; PRAGMA needs no transaction open
                _sqlite_foreign_keys(connection, enabled=True)


def _sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    """Turn SQLite's foreign keys on or off, as its own procedure for altering a table says.

    A batch operation copies the table and drops the old one; with foreign keys
    on, that DROP first deletes every row, cascading to the rows that refer to
    them. The PRAGMA is a no-op inside a transaction, so it goes to the driver's
    connection before any is begun.
    """
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None  # noqa: S101 - a connection just checked out
    dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a migration that left a reference to a missing row."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")


run_migrations_online()
