"""`hotline replay-calls LOGFILE`: record the calls the emergency fallback took while the
database was away, from the parameters the webhooks logged.

When a webhook cannot reach the database, hotline.voice.webhook answers the
emergency TwiML and logs the request's full parameters as JSON on one line
("webhook failed, answered with <what>: <path> <json>"). Twilio does not send
those webhooks again, so the calls answered during an outage are only in the logs
until this command writes them: each call whose incoming webhook failed is recorded
as handled by the fallback (the same record /voice/status makes of a CallSid it
does not know), and the caller's final status is applied when it was logged too.
Running it twice records nothing new.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, TYPE_CHECKING

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from hotline.db import database

if TYPE_CHECKING:
    from hotline.voice.models import Call

# What was answered ("fallback", "an empty response" ...) holds no colon.
MARKER = "webhook failed, answered with"
FALLBACK_LINE = re.compile(MARKER + r" [^:]*: (?P<path>/\S*) (?P<params>\{.*\})")
# The text log format starts with logging's asctime, in the server's local time; a
# prefix before it (journalctl without -o cat: "Nov 27 14:00:05 node-a gunicorn[812]: ")
# is skipped.
TEXT_TIME = re.compile(r"(?:^|: )(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")
INCOMING, STATUS = "/voice/incoming", "/voice/status"


@dataclass(frozen=True)
class FailedWebhook:
    """One webhook answered by the fallback, as logged."""

    at: datetime  # when the node logged it
    path: str
    form: dict[str, str]

    @property
    def call_sid(self) -> str:
        return self.form.get("CallSid", "")

    def event_time(self) -> datetime:
        """Twilio's own Timestamp of a status callback, else the moment it was logged."""
        raw = self.form.get("Timestamp")
        if raw:
            try:
                parsed = parsedate_to_datetime(raw)
            except (TypeError, ValueError):
                return self.at
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return self.at


@dataclass
class LogReading:
    """The failed webhooks found in a log, and the lines that named one but could not be read."""

    webhooks: list[FailedWebhook] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # "file:line"


def read_failed_webhooks(lines: Iterable[str], name: str = "-") -> LogReading:
    """The fallback entries among log lines, JSON (LOG_JSON) or text, in any order.

    A line may carry a prefix before the entry (journalctl's default output).
    """
    reading = LogReading()
    for number, line in enumerate(lines, start=1):
        if MARKER not in line:
            continue
        entry = _from_json_line(line) or _from_text_line(line)
        if entry is None:
            reading.unreadable.append(f"{name}:{number}")
        else:
            reading.webhooks.append(entry)
    return reading


def _from_json_line(line: str) -> FailedWebhook | None:
    start = line.find("{")
    if start < 0:
        return None
    try:
        record = json.loads(line[start:])
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    match = FALLBACK_LINE.search(str(record.get("message", "")))
    if match is None:
        return None
    try:
        at = datetime.fromisoformat(str(record.get("time")))
    except ValueError:
        return None
    return _entry(at if at.tzinfo else at.replace(tzinfo=UTC), match)


def _from_text_line(line: str) -> FailedWebhook | None:
    match, stamp = FALLBACK_LINE.search(line), TEXT_TIME.search(line)
    if match is None or stamp is None:
        return None
    local = datetime.strptime(f"{stamp[1]}.{stamp[2]}", "%Y-%m-%d %H:%M:%S.%f")
    return _entry(local.astimezone(UTC), match)


def _entry(at: datetime, match: re.Match[str]) -> FailedWebhook | None:
    try:
        params = json.loads(match["params"])
    except ValueError:
        return None
    if not isinstance(params, dict) or not isinstance(params.get("form") or {}, dict):
        return None
    form = {str(k): str(v) for k, v in dict(params.get("form") or {}).items()}
    return FailedWebhook(at, match["path"], form)


@dataclass
class ReplaySummary:
    recorded: int = 0  # calls written now
    known: int = 0  # calls already in the records
    statuses: int = 0  # statuses that changed a call's record
    statuses_known: int = 0  # statuses the record already held
    skipped: Counter[str] = field(default_factory=Counter)  # other webhooks, by path

    def __str__(self) -> str:
        text = (
            f"{self.recorded} call(s) recorded, {self.known} already recorded, "
            f"{self.statuses} final status(es) applied, {self.statuses_known} already applied"
        )
        if self.skipped:
            others = ", ".join(f"{path} x{n}" for path, n in sorted(self.skipped.items()))
            text += f"; not replayed (the call's record already covers them): {others}"
        return text


def replay(session: Session, webhooks: Iterable[FailedWebhook]) -> ReplaySummary:
    """Record the calls of failed incoming webhooks, then apply the failed final statuses."""
    from hotline.voice import calls

    summary = ReplaySummary()
    ordered = sorted(webhooks, key=lambda w: (w.path != INCOMING, w.at))
    for webhook in ordered:
        if webhook.path not in (INCOMING, STATUS) or not webhook.call_sid:
            summary.skipped[webhook.path] += 1
            continue
        call = calls.find_call(session, webhook.call_sid)
        if call is None:
            call = calls.record_unroutable_call(
                session,
                call_sid=webhook.call_sid,
                from_number=webhook.form.get("From", ""),
                to_number=webhook.form.get("To", ""),
                now=webhook.at,
            )
            session.flush()
            summary.recorded += 1
        elif webhook.path == INCOMING:
            summary.known += 1
        if webhook.path == STATUS:
            before = _status_of(call)
            calls.record_call_status(
                call,
                status=webhook.form.get("CallStatus", ""),
                duration=_int(webhook.form.get("CallDuration")),
                at=webhook.event_time(),
            )
            if _status_of(call) == before:
                summary.statuses_known += 1
            else:
                summary.statuses += 1
    return summary


def _status_of(call: Call) -> tuple[object, ...]:
    return (call.twilio_status, call.ended_at, call.duration, call.outcome)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.strip().isdigit() else None


@click.command("replay-calls")
@click.argument("logfiles", nargs=-1, required=True, type=click.File("r", errors="replace"))
@with_appcontext
def replay_calls_command(logfiles: tuple[IO[str], ...]) -> None:
    """Record the calls the emergency fallback answered, from the nodes' logs ('-': stdin)."""
    readings = [read_failed_webhooks(file, getattr(file, "name", "-")) for file in logfiles]
    webhooks = [w for reading in readings for w in reading.webhooks]
    unreadable = [where for reading in readings for where in reading.unreadable]
    if unreadable:
        shown = ", ".join(unreadable[:10]) + (" ..." if len(unreadable) > 10 else "")
        click.echo(
            f"warning: {len(unreadable)} line(s) name a failed webhook but could not be "
            f"read, their calls are not replayed: {shown}",
            err=True,
        )
    if not webhooks:
        click.echo("no webhook answered by the fallback in these logs: nothing to replay")
        return
    with database(current_app).session_scope() as session:
        summary = replay(session, webhooks)
    click.echo(f"{len(webhooks)} failed webhook(s) read: {summary}")
