"""The floor of benchmarks/webhook.py: the real endpoint's own SQL with nothing around it.

Issue 3 asks the real POST /voice/incoming for half the bare endpoint's requests/s.
This server tells whether any amount of trimming around the database work could get
there: it runs the very statements the real endpoint runs, compiled once from the
app's own Core statements (the hotline and its on-call chain in one read; the call and
its first ring leg in one queued SQLite transaction, or in one PostgreSQL statement),
inside a bare WSGI function. No Flask, no SQLAlchemy at request time, one driver
connection per worker; the form parsed with the standard library, the signature
checked once with twilio's RequestValidator, the TwiML the prototype's (VoiceResponse).

It leaves out everything else the real endpoint does: the default chain, shift
takes, retries of the same CallSid, the emergency fallback, per-hotline prompts,
phone-number normalisation, metrics and security headers. It is a measure, not a
product: if its ratio to the bare server is under the goal, the goal is out of reach
of this SQL in Python on this machine, whatever the code around it.

Settings from the environment, as the real server's: HOTLINE_DATABASE_URL and
HOTLINE_TWILIO_AUTH_TOKEN.
"""

from __future__ import annotations

import fcntl
import hmac
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import psycopg
from prototype_app import twiml  # the same answer, built the same way
from sqlalchemy.dialects.postgresql import psycopg as pg_dialect
from sqlalchemy.dialects.sqlite import pysqlite
from twilio.request_validator import RequestValidator

from hotline.driver import _bind_values
from hotline.planning.oncall import SLOT_CHAIN_COLUMNS
from hotline.voice import calls, start

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

DATABASE_URL = os.environ["HOTLINE_DATABASE_URL"]
VALIDATOR = RequestValidator(os.environ["HOTLINE_TWILIO_AUTH_TOKEN"])
SQLITE = DATABASE_URL.startswith("sqlite:///")
DIALECT = pysqlite.dialect() if SQLITE else pg_dialect.dialect()
# The real endpoint's statements, compiled for this database (hotline.driver.Prepared).
ROUTE = calls._ROUTE._compiled(DIALECT)  # noqa: SLF001 - the real statement is the point
INSERT_CALL = calls._INSERT_CALL._compiled(DIALECT)  # noqa: SLF001
INSERT_LEG = calls._INSERT_LEG._compiled(DIALECT)  # noqa: SLF001
CALL_AND_FIRST_LEG = start._CALL_AND_FIRST_LEG._compiled(DIALECT)  # noqa: SLF001
# Where the hotline's columns start in a route row, and the ones used here.
HOTLINE_ID, HOTLINE_NAME, RING_TIMEOUT = (SLOT_CHAIN_COLUMNS + i for i in (0, 2, 7))

_connection: Any = None  # one per worker process, opened after gunicorn's fork
_write_lock: int | None = None


def connection() -> Any:
    """This worker's driver connection, in autocommit, as the real engine sets it up."""
    global _connection, _write_lock
    if _connection is None:
        if SQLITE:
            path = DATABASE_URL.removeprefix("sqlite:///")
            _connection = sqlite3.connect(path, timeout=15, isolation_level=None)
            _connection.execute("PRAGMA journal_mode=WAL")
            _connection.execute("PRAGMA synchronous=NORMAL")
            _write_lock = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
        else:
            _connection = psycopg.connect(DATABASE_URL, autocommit=True)
    return _connection


def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """Check the signature, find who is on call, record the call, ring them."""
    body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
    form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    url = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}{environ['PATH_INFO']}"
    signature = environ.get("HTTP_X_TWILIO_SIGNATURE", "")
    if not hmac.compare_digest(VALIDATOR.compute_signature(url, form), signature):
        start_response("403 Forbidden", [("Content-Type", "text/plain")])
        return [b"forged"]
    db, now = connection(), datetime.now(UTC)
    rows = run(db, ROUTE, {"number": form["To"], "at": now})
    first = rows[0]
    slot_id = first[1]  # the override's, when one covers now: it comes first
    chain = [
        {"person_id": row[3], "name": row[4], "number": row[5]} for row in rows if row[1] == slot_id
    ]
    values = {
        "call_sid": form["CallSid"],
        "hotline_id": first[HOTLINE_ID],
        "from_number": form["From"],
        "to_number": form["To"],
        "started_at": now,
        "route": "slot",
        "slot_id": slot_id,
        "chain": chain,
        "outcome": "ringing",
        "answered_by_id": None,
        "answered_position": None,
    }
    call_id = record(db, values, chain[0], now)
    answer = twiml("/", first[HOTLINE_NAME], first[RING_TIMEOUT], call_id, chain[0]["number"])
    document = str(answer).encode()
    start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(document)))])
    return [document]


def run(db: Any, compiled: Any, params: dict[str, Any]) -> list[Any]:
    """The compiled statement on the driver: its raw rows (the app's bind processors)."""
    cursor = db.execute(compiled.sql, _bind_values(compiled, params))
    return cursor.fetchall() if compiled.results else []


def record(db: Any, values: dict[str, Any], head: dict[str, Any], now: datetime) -> int:
    """Insert the call and its first ring leg, as the real endpoint does on this database."""
    if not SQLITE:
        leg = {"leg_person_id": head["person_id"], "leg_number": head["number"]}
        return run(db, CALL_AND_FIRST_LEG, {**values, **leg})[0][0]
    assert _write_lock is not None  # noqa: S101 - opened with the connection
    fcntl.flock(_write_lock, fcntl.LOCK_EX)  # the real engine's write queue
    try:
        db.execute("BEGIN IMMEDIATE")
        call_id = run(db, INSERT_CALL, values)[0][0]
        leg = {"call_id": call_id, "position": 0, "person_id": head["person_id"]}
        run(
            db,
            INSERT_LEG,
            {**leg, "number": head["number"], "created_at": now, "result": "ringing"},
        )
        db.execute("COMMIT")
    finally:
        fcntl.flock(_write_lock, fcntl.LOCK_UN)
    return call_id
