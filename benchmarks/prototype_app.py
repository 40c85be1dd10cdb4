"""A second yardstick for benchmarks/webhook.py: the same work, written by hand, minimally.

Issue 3 sets the webhook's goal against a bare endpoint and quotes, for scale, "a
minimal hand-written prototype of the same work (raw SQL lookup + insert, twilio's
RequestValidator and VoiceResponse)". This is such a prototype, on the real schema:
it checks the signature, finds the hotline and the slot covering now with its
responders in raw SQL on the driver, inserts the call and its first ring leg in one
transaction, and answers a greeting and a screened Dial built with VoiceResponse.

It leaves out what the real endpoint does beyond that: the default chain, shift
takes, retries of the same CallSid, the emergency fallback, per-hotline prompts and
settings, metrics and security headers. It is a measure, not a product.

Settings from the environment: HOTLINE_DATABASE_URL (sqlite:///... or
postgresql://...) and HOTLINE_TWILIO_AUTH_TOKEN, as the real server's.
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime
from typing import Any

import psycopg
from flask import Flask, Response, request
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

DATABASE_URL = os.environ["HOTLINE_DATABASE_URL"]
VALIDATOR = RequestValidator(os.environ["HOTLINE_TWILIO_AUTH_TOKEN"])
SQLITE = DATABASE_URL.startswith("sqlite:///")
MARK = "?" if SQLITE else "%s"

HOTLINE = "SELECT id, name, ring_timeout FROM hotline WHERE number = {0}"
# Override slots sort before regular ones ('override' < 'regular'), so the first
# row is the slot that wins; its responders follow in order.
CHAIN = (
    "SELECT s.id, p.id, p.name, p.mobile FROM slot s"
    " JOIN slot_responder r ON r.slot_id = s.id JOIN person p ON p.id = r.person_id"
    " WHERE s.hotline_id = {0} AND s.starts_at <= {0} AND s.ends_at > {0} AND p.active"
    " ORDER BY s.kind, r.position"
)
INSERT_CALL = (
    "INSERT INTO call (call_sid, hotline_id, from_number, to_number, started_at, route,"
    " slot_id, chain, outcome) VALUES ({0}, {0}, {0}, {0}, {0}, 'slot', {0}, {0}, 'ringing')"
    " RETURNING id"
)
INSERT_LEG = (
    "INSERT INTO call_attempt (call_id, position, person_id, number, created_at, result)"
    " VALUES ({0}, 0, {0}, {0}, {0}, 'ringing')"
)

app = Flask(__name__)
_connection: Any = None  # one per worker process, opened after gunicorn's fork


def connection() -> Any:
    """This worker's database connection."""
    global _connection
    if _connection is None:
        if SQLITE:
            _connection = sqlite3.connect(DATABASE_URL.removeprefix("sqlite:///"), timeout=15)
            _connection.isolation_level = None
            _connection.execute("PRAGMA journal_mode=WAL")
            _connection.execute("PRAGMA synchronous=NORMAL")
        else:
            _connection = psycopg.connect(DATABASE_URL, autocommit=True)
    return _connection


def sql(statement: str) -> str:
    return statement.format(MARK)


def stored(moment: datetime) -> Any:
    """A UTC instant as the schema keeps it: a naive UTC timestamp (text on SQLite)."""
    naive = moment.replace(tzinfo=None)
    return naive.isoformat(" ") if SQLITE else naive


@app.post("/voice/incoming")
def incoming() -> Response:
    """Check the signature, find who is on call, record the call, ring them."""
    form = request.form
    if not VALIDATOR.validate(request.url, form, request.headers.get("X-Twilio-Signature", "")):
        return Response("forged", status=403)
    db, now = connection(), stored(datetime.now(UTC))
    hotline = db.execute(sql(HOTLINE), (form["To"],)).fetchone()
    chain = db.execute(sql(CHAIN), (hotline[0], now, now)).fetchall()
    slot_id = chain[0][0]
    responders = [row[1:] for row in chain if row[0] == slot_id]
    snapshot = json.dumps([{"person_id": p, "name": n, "number": m} for p, n, m in responders])
    with db.transaction() if not SQLITE else _sqlite_transaction(db):
        call_id = db.execute(
            sql(INSERT_CALL),
            (form["CallSid"], hotline[0], form["From"], form["To"], now, slot_id, snapshot),
        ).fetchone()[0]
        person_id, _name, number = responders[0]
        db.execute(sql(INSERT_LEG), (call_id, person_id, number, now))
    document = twiml(request.url_root, hotline[1], hotline[2], call_id, number)
    return Response(str(document), mimetype="text/xml")


class _sqlite_transaction:  # noqa: N801 - used as a statement, like psycopg's
    """BEGIN IMMEDIATE ... COMMIT (or ROLLBACK) on a sqlite3 connection in autocommit mode."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def twiml(base: str, name: str, timeout: int, call_id: int, number: str) -> VoiceResponse:
    """The greeting and the screened Dial of the first ring leg, its URLs under `base`."""
    response = VoiceResponse()
    response.say(
        f"Bonjour, vous êtes en relation avec {name}. Nous recherchons la personne "
        "d'astreinte, merci de patienter.",
        language="fr-FR",
        voice="Polly.Lea",
    )
    dial = response.dial(
        action=f"{base}voice/dial-result?call={call_id}&pos=0",
        method="POST",
        timeout=timeout,
        answer_on_bridge=True,
    )
    dial.number(
        number,
        url=f"{base}voice/screen?call={call_id}&pos=0",
        method="POST",
        status_callback=f"{base}voice/leg-status?call={call_id}&pos=0",
        status_callback_event="initiated ringing answered completed",
    )
    return response
