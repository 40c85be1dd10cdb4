"""Core statements run straight on the DBAPI driver: the call path's hot statements.

SQLAlchemy spends 20-70 µs around every statement it executes (cache key,
execution context, result object), several times the SQL itself on SQLite, and
the incoming-call webhook runs four of them per call. A `Prepared` statement is
still written once, in Core, and compiled by SQLAlchemy for each dialect; only
its execution is ours: the compiled SQL on the driver's cursor, the column types'
own bind and result processors, and SQLAlchemy's error translation, so callers
see the same `DBAPIError`s, and a connection found dead is invalidated in the pool
as SQLAlchemy would.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import ReturnsRows

from hotline.sqlite_engine import WriteQueuedConnection

Processor = Callable[[Any], Any] | None
# SQLAlchemy's own statement log: `echo=True` (or this logger at INFO) shows
# the driver's statements beside the ones SQLAlchemy executes.
ECHO = logging.getLogger("sqlalchemy.engine.Engine")


@dataclass(frozen=True)
class _Compiled:
    """One statement compiled for one dialect, with everything execution needs."""

    sql: str
    positions: tuple[str, ...] | None  # bind names in order, for positional drivers
    constants: dict[str, Any]  # values fixed in the statement (literal(0)), processed
    given: tuple[tuple[str, Processor], ...]  # bind names the caller gives, processor
    results: tuple[Processor, ...]
    row: type[tuple[Any, ...]]


class Prepared:
    """A Core statement compiled once per dialect and executed on the driver's cursor.

    Only plain statements: no expanding IN, no values rendered at execution.
    Rows come back as named tuples, with the columns' Python types.
    """

    def __init__(self, statement: ClauseElement | Callable[[str], ClauseElement]) -> None:
        """Take the statement, or a function making it for a dialect name (ON CONFLICT...)."""
        self._build = statement if callable(statement) else lambda _dialect: statement
        self._by_dialect: dict[tuple[str, str], _Compiled] = {}

    def all(self, conn: DriverConnection, params: Mapping[str, Any]) -> list[Any]:
        return conn.run(self._compiled(conn.dialect), params)

    def first(self, conn: DriverConnection, params: Mapping[str, Any]) -> Any | None:
        rows = self.all(conn, params)
        return rows[0] if rows else None

    def scalar(self, conn: DriverConnection, params: Mapping[str, Any]) -> Any | None:
        row = self.first(conn, params)
        return None if row is None else row[0]

    def _compiled(self, dialect: Dialect) -> _Compiled:
        key = (dialect.name, dialect.driver)  # the SQL and its parameter style
        compiled = self._by_dialect.get(key)
        if compiled is None:
            compiled = self._by_dialect[key] = _compile(self._build(dialect.name), dialect)
        return compiled


def _compile(statement: ClauseElement, dialect: Dialect) -> _Compiled:
    if not isinstance(statement, ReturnsRows | UpdateBase):
        raise TypeError("a prepared statement is a Core SELECT, INSERT, UPDATE or DELETE")
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)  # noqa: S101 - a statement, not DDL
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a prepared statement cannot render values at execution")
    if compiled.escaped_bind_names:
        raise ValueError("a prepared statement needs plain bind parameter names")
    constants: dict[str, Any] = {}
    given: list[tuple[str, Processor]] = []
    for name, bind in compiled.binds.items():
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required:
            given.append((name, process))
        else:
            constants[name] = process(bind.effective_value) if process else bind.effective_value
    columns = list(statement.exported_columns)
    results = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
    positions = tuple(compiled.positiontup) if compiled.positional else None
    # A named tuple type made from the statement's columns (duplicate names renamed).
    row = namedtuple("Row", [c.key for c in columns], rename=True)  # type: ignore[misc]
    return _Compiled(compiled.string, positions, constants, tuple(given), results, row)


class DriverConnection:
    """A pooled connection's DBAPI side, with SQLAlchemy's handling of driver errors."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self.dbapi_connection = connection.connection.dbapi_connection

    def run(self, compiled: _Compiled, params: Mapping[str, Any]) -> list[Any]:
        """Execute `compiled` with `params`; the processed rows, if it returns any."""
        values = _bind_values(compiled, params)
        cursor = self.dbapi_connection.cursor()  # type: ignore[union-attr]
        # Listeners of SQLAlchemy's cursor events (statement counters, EXPLAIN
        # tools) see these statements too; there is no execution context.
        before = self.connection.dispatch.before_cursor_execute
        if before:
            before(self.connection, cursor, compiled.sql, values, None, False)
        if ECHO.isEnabledFor(logging.INFO):
            ECHO.info("%s\n[driver] %r", compiled.sql, values)
        try:
            cursor.execute(compiled.sql, values)
            # Rows only where the statement names its result columns: asking the
            # cursor for its description costs psycopg a Column object per column.
            raw = cursor.fetchall() if compiled.results else []
        except self.dialect.loaded_dbapi.Error as error:
            raise self._translated(error, compiled.sql, values, cursor) from error
        finally:
            cursor.close()
        return [_processed(compiled, row) for row in raw]

    def commit(self) -> None:
        try:
            self.dbapi_connection.commit()  # type: ignore[union-attr]
        except self.dialect.loaded_dbapi.Error as error:
            raise self._translated(error, "COMMIT", None, None) from error

    def _translated(self, error: Exception, sql: str, values: Any, cursor: Any) -> BaseException:
        dead = self.dialect.is_disconnect(error, self.dbapi_connection, cursor)
        if dead:
            self.connection.invalidate(error)
        return exc.DBAPIError.instance(
            sql,
            values,
            error,
            self.dialect.loaded_dbapi.Error,
            connection_invalidated=dead,
            dialect=self.dialect,
        )


def _bind_values(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
    values = dict(compiled.constants)
    for name, process in compiled.given:
        value = params[name]
        values[name] = process(value) if process else value
    if compiled.positions is None:
        return values
    return tuple(values[name] for name in compiled.positions)


def _processed(compiled: _Compiled, row: Sequence[Any]) -> Any:
    return compiled.row._make(
        process(value) if process else value
        for process, value in zip(compiled.results, row, strict=True)
    )


def driver_connection(db: Session | Connection | DriverConnection) -> DriverConnection:
    """The driver side of `db`'s connection, inside whatever transaction `db` is in."""
    if isinstance(db, DriverConnection):
        return db
    return DriverConnection(db.connection() if isinstance(db, Session) else db)


@contextmanager
def queued_write(conn: DriverConnection) -> Iterator[None]:
    """Run the block as one write transaction on `conn`, a SQLite connection in autocommit.

    The transaction waits its turn in the write queue (hotline.sqlite_engine).
    """
    dbapi = conn.dbapi_connection
    if not isinstance(dbapi, WriteQueuedConnection):
        raise TypeError("queued writes are for SQLite connections")
    dbapi.begin_write()
    try:
        yield
        conn.commit()
    except BaseException:
        # A connection that died mid-write cannot roll back either; the queue is
        # released all the same (WriteQueuedConnection.rollback).
        with suppress(Exception):
            dbapi.rollback()
        raise
