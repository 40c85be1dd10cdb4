"""The SQLite engine: WAL, our own BEGIN IMMEDIATE, and writers queued on a file lock.

pysqlite's own transaction handling breaks SAVEPOINT and defers the write lock,
which makes concurrent writers fail with "database is locked" instead of
waiting; we begin transactions ourselves, with IMMEDIATE, as SQLAlchemy's
documentation recommends.

SQLite makes a writer that finds the lock taken poll for it, sleeping 1, 2, 5,
10 ... 100 ms between tries, so a burst of webhooks queues up in sleeps long
after the lock is free again. Every write transaction therefore first takes an
exclusive lock on a file beside the database (`<database>.writelock`): the
kernel hands it over the moment its holder commits, in every thread and
process, and SQLite's own lock is then always free.

A session that only reads (a GET request's, hotline.db.ReadingSession) begins
a deferred transaction instead: one snapshot, no lock, so a page being
rendered never holds up a call's write.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event

# Execution option of connections whose statements each run on their own
# (Database.autocommit): they begin no transaction.
AUTOCOMMIT = "hotline_autocommit"
# Execution option of connections that only read (the sessions of GET requests,
# Database.reading_sessionmaker): a deferred transaction, one snapshot, no write lock.
READ_ONLY = "hotline_read_only"
BUSY_TIMEOUT_MS = 15000


class WriteQueuedConnection(sqlite3.Connection):
    """A pysqlite connection whose write transactions queue on a file lock."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._lock_fd: int | None = None
        path = os.fspath(database)
        if path and path != ":memory:" and not kwargs.get("uri"):
            self._lock_fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)

    def begin_write(self) -> None:
        """Wait for the file lock, then take SQLite's write lock (free by then)."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)  # waits without holding the GIL
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._unlock()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._unlock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._unlock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)  # also releases the lock
                self._lock_fd = None

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)


def sqlite_engine(url: str) -> Engine:
    """An engine on a SQLite file tuned for many short concurrent writes."""
    engine = create_engine(
        url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "factory": WriteQueuedConnection}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # An autocommit connection (Database.autocommit) begins nothing: each
        # of its reads sees its own snapshot, and the write lock is held only
        # by transactions that write. A read-only one reads one snapshot without
        # the write lock: a page being rendered must not hold up a call's write.
        options = conn.get_execution_options()
        if options.get(READ_ONLY, False):
            _dbapi(conn).execute("BEGIN DEFERRED")
        elif not options.get(AUTOCOMMIT, False):
            _dbapi(conn).begin_write()

    return engine


def _dbapi(conn: Connection) -> WriteQueuedConnection:
    dbapi_connection = conn.connection.dbapi_connection
    assert isinstance(dbapi_connection, WriteQueuedConnection)  # noqa: S101 - our factory
    return dbapi_connection
