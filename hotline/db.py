"""Database engine, sessions and the declarative base shared by every package."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    Table,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import (
    DeclarativeBase,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from hotline.driver import DriverConnection, queued_write
from hotline.sqlite_engine import AUTOCOMMIT, READ_ONLY, sqlite_engine

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite keeps no zone, so the zone is dropped on the way in and put back on
    the way out; PostgreSQL gets a plain `timestamp` holding UTC for the same
    reason, so both databases compare and index the same values.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


intpk = Annotated[int, mapped_column(primary_key=True)]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` spellings and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the webhook workload on either database."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return sqlite_engine(url)
    # No pre-ping: it costs a round trip on every request. A connection that
    # died with a database restart is caught by the webhook, which retries once.
    return create_engine(url, pool_size=5, connect_args={"connect_timeout": 3})


# Requests that change nothing, by HTTP's rules: their session only reads.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES_ON_GET = "hotline_writes_on_get"
F = TypeVar("F", bound=Callable[..., Any])


class ReadOnlySessionError(RuntimeError):
    """A request that only reads (GET, HEAD) tried to write through its session."""


class ReadingSession(Session):
    """The session of a GET or HEAD request: reads one snapshot, writes nothing.

    On SQLite a writing session holds the database's one write lock from its first
    statement, so a page being rendered would hold up the write of every incoming
    call until the page is sent. This one holds no lock; a write it attempts is a
    bug, refused on both databases so that the tests find it.
    """


@event.listens_for(ReadingSession, "before_flush")
def _refuse_flush(session: Session, _context: UOWTransaction, _objects: object) -> None:
    changed = session.new or session.deleted or any(map(session.is_modified, session.dirty))
    if changed:
        raise ReadOnlySessionError("a GET or HEAD request must not write (use a POST)")


@event.listens_for(ReadingSession, "do_orm_execute")
def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlySessionError("a GET or HEAD request must not write (use a POST)")


def upsert_insert(dialect: str, table: Table) -> PostgresInsert | SqliteInsert:
    """An INSERT into `table` that knows ON CONFLICT, in `dialect`'s own form."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


class DatabaseUrlError(ValueError):
    """DATABASE_URL cannot be used: not a URL, or a database SQLAlchemy does not know."""


def redacted_url(url: str) -> str:
    """The URL without its password, fit for a message or a log line."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r":[^:@/]*@", ":***@", url)


def describe_error(exc: BaseException) -> str:
    """The error on one line: the driver's own first line, without SQL or links."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        exc = exc.orig
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


class Database:
    """The engine and session factory of one application.

    A URL that cannot be used does not stop the application from being created:
    `hotline --help` and `hotline doctor` must still run to say what is wrong, and a
    node answers every webhook with the emergency fallback rather than not at all.
    The error is raised when the engine or a session is first asked for.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self._bound: Connection | None = None
        self._engine: Engine | None = None
        self._sessionmaker: sessionmaker[Session] | None = None
        self._reading_sessionmaker: sessionmaker[Session] | None = None
        self.url_error: DatabaseUrlError | None = None
        try:
            self._engine = make_engine(self.url)
        except (ArgumentError, ValueError) as exc:
            self.url_error = DatabaseUrlError(
                f"DATABASE_URL {redacted_url(self.url)!r} is not a usable database URL "
                f"({describe_error(exc)}); expected e.g. postgresql://user@host/name "
                "or sqlite:///path/to/file.sqlite3"
            )
            return
        self._sessionmaker = sessionmaker(self._engine, expire_on_commit=False)
        self._reading_sessionmaker = sessionmaker(
            self._engine.execution_options(**{READ_ONLY: True}),
            class_=ReadingSession,
            expire_on_commit=False,
        )

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise self.url_error or DatabaseUrlError("no database URL")
        return self._engine

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        if self._sessionmaker is None:
            raise self.url_error or DatabaseUrlError("no database URL")
        return self._sessionmaker

    @property
    def reading_sessionmaker(self) -> sessionmaker[Session]:
        """Sessions that only read (ReadingSession): those of GET and HEAD requests."""
        if self._reading_sessionmaker is None:
            raise self.url_error or DatabaseUrlError("no database URL")
        return self._reading_sessionmaker

    def bind_to(self, connection: Connection) -> None:
        """Make sessions and connections join `connection`'s transaction (tests roll it back)."""
        self._bound = connection
        self._sessionmaker = sessionmaker(
            bind=connection,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )
        self._reading_sessionmaker = sessionmaker(
            bind=connection,
            class_=ReadingSession,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
        )

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A Core connection without an ORM session where each statement runs on its own.

        For reads, and for a write that is one self-contained statement. On
        SQLite a read then takes no lock; on PostgreSQL it saves the BEGIN and
        COMMIT round trips. Writes on SQLite belong in `writing`, which queues
        them (hotline.sqlite_engine).
        """
        if self._bound is not None:
            yield self._bound
            return
        with self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                yield conn.execution_options(**{AUTOCOMMIT: True})
            else:
                yield conn.execution_options(isolation_level="AUTOCOMMIT")

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A Core connection in a transaction, committed when the block ends without error."""
        if self._bound is not None:
            with self._bound.begin_nested():
                yield self._bound
            return
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def queued_write(self, conn: DriverConnection) -> Iterator[None]:
        """One write transaction on `conn`, a SQLite connection from `autocommit`."""
        if self._bound is not None:
            with self._bound.begin_nested():
                yield
            return
        with queued_write(conn):
            yield

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session


def init_app(app: Flask) -> None:
    app.extensions["hotline.db"] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def database(app: Flask) -> Database:
    return app.extensions["hotline.db"]


def writes_on_get(view: F) -> F:
    """Mark a view whose GET writes and rolls back (a dry run): it gets a writing session."""
    setattr(view, _WRITES_ON_GET, True)  # copied outwards by functools.wraps
    return view


def get_session() -> Session:
    """Return the session of the current application context, opening it once.

    A GET or HEAD request gets a ReadingSession, which holds no write lock,
    unless its view is marked `writes_on_get`.
    """
    if "db_session" not in g:
        db = database(current_app)
        g.db_session = (db.reading_sessionmaker if _only_reads() else db.sessionmaker)()
    return g.db_session


def _only_reads() -> bool:
    if not has_request_context() or request.method not in SAFE_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, _WRITES_ON_GET, False)


def commit_session() -> None:
    """Commit the request's session, if the request opened one."""
    session = g.get("db_session")
    if session is not None:
        session.commit()


def discard_session() -> None:
    """Close the request's session, dropping whatever it held; the next use opens afresh."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.close()
    except Exception:  # noqa: BLE001 - the connection may be as dead as the database
        logging.getLogger(__name__).debug("closing a broken session failed", exc_info=True)


def _close_session(_exc: BaseException | None) -> None:
    discard_session()
