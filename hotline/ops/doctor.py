"""`hotline doctor`: what is wrong with this installation, in plain words."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from hotline import schema
from hotline.db import DatabaseUrlError, database, describe_error, redacted_url, utcnow
from hotline.phone import InvalidPhoneNumber, to_e164

ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
AUTH_TOKEN = re.compile(r"[0-9a-f]{32}")
# What deploy/systemd/hotline.env.example holds until someone fills it in.
PLACEHOLDER = re.compile(r"CHANGE-ME|^ACx{32}$", re.IGNORECASE)
COVERAGE_HORIZON = timedelta(days=7)


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Finding:
    level: Level
    topic: str
    message: str


Check = Callable[[Flask], Iterator[Finding]]


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and PLACEHOLDER.search(value) is not None


def check_placeholders(app: Flask) -> Iterator[Finding]:
    """A value still as in the example environment file is an error, whatever its key."""
    for key in sorted(k for k, v in app.config.items() if is_placeholder(v)):
        yield Finding(
            Level.ERROR,
            "config",
            f"{key} still holds the placeholder of hotline.env.example: set the real value",
        )


def check_twilio(app: Flask) -> Iterator[Finding]:
    config = app.config
    token, sid = str(config["TWILIO_AUTH_TOKEN"]), str(config["TWILIO_ACCOUNT_SID"])
    if not token:
        yield Finding(
            Level.ERROR, "twilio", "TWILIO_AUTH_TOKEN is not set: every webhook is refused"
        )
    # A placeholder is reported by check_placeholders, not twice.
    elif not is_placeholder(token) and not AUTH_TOKEN.fullmatch(token):
        yield Finding(
            Level.WARNING,
            "twilio",
            "TWILIO_AUTH_TOKEN does not look like a Twilio auth token (32 hex digits)",
        )
    if sid and not is_placeholder(sid) and not ACCOUNT_SID.fullmatch(sid):
        yield Finding(
            Level.WARNING,
            "twilio",
            "TWILIO_ACCOUNT_SID does not look like an account SID (AC + 32 hex digits)",
        )
    if not sid:
        yield Finding(
            Level.WARNING,
            "twilio",
            "TWILIO_ACCOUNT_SID is not set: no SMS alerts, and voicemails cannot be played",
        )


def check_emergency_number(app: Flask) -> Iterator[Finding]:
    number = str(app.config["EMERGENCY_NUMBER"])
    if not number:
        yield Finding(
            Level.ERROR,
            "emergency",
            "EMERGENCY_NUMBER is not set: when routing fails the caller only hears an apology",
        )
        return
    try:
        to_e164(number)
    except InvalidPhoneNumber:
        yield Finding(
            Level.ERROR, "emergency", f"EMERGENCY_NUMBER {number!r} is not a valid number"
        )


def check_public_url(app: Flask) -> Iterator[Finding]:
    base = str(app.config["PUBLIC_BASE_URL"])
    if not base:
        yield Finding(
            Level.WARNING,
            "public url",
            "PUBLIC_BASE_URL is not set: missed-call alerts carry no link to the call's page",
        )
    if not base and not int(app.config["PROXY_COUNT"]):
        yield Finding(
            Level.WARNING,
            "public url",
            "neither PUBLIC_BASE_URL nor PROXY_COUNT is set: behind a proxy, Twilio's "
            "signatures will not validate",
        )
    elif base and not base.startswith("https://"):
        yield Finding(Level.WARNING, "public url", f"PUBLIC_BASE_URL {base!r} is not https")


def check_secret_key(app: Flask) -> Iterator[Finding]:
    from hotline.auth.web import secret_key_problem

    if problem := secret_key_problem(app.config):
        yield Finding(Level.ERROR, "web", problem)


def check_web_sessions(app: Flask) -> Iterator[Finding]:
    from hotline.auth.sessions import settings_problems

    for problem in settings_problems(app.config):
        yield Finding(Level.WARNING, "web", problem)


def check_database(app: Flask) -> Iterator[Finding]:
    try:
        engine = database(app).engine
    except DatabaseUrlError as exc:
        yield Finding(Level.ERROR, "database", str(exc))
        return
    try:
        current = schema.current_revision(engine)
    except Exception as exc:  # noqa: BLE001 - reported in plain words
        url = redacted_url(database(app).url)
        yield Finding(
            Level.ERROR, "database", f"cannot reach the database {url}: {describe_error(exc)}"
        )
        return
    head = schema.head_revision(engine)
    if current != head:
        yield Finding(
            Level.ERROR,
            "database",
            f"schema at {current or 'nothing'}, code expects {head}: run `hotline db upgrade`",
        )


def check_smtp(app: Flask) -> Iterator[Finding]:
    from hotline.alerts import config_check

    for problem in config_check.probe(app.config):
        yield Finding(Level.WARNING, "alerts", str(problem))
    host = app.config.get("SMTP_HOST")
    if not host or not str(app.config["SMTP_PORT"]).isdigit():
        return
    try:
        socket.create_connection((host, int(app.config["SMTP_PORT"])), timeout=3).close()
    except OSError as exc:
        yield Finding(
            Level.ERROR,
            "alerts",
            f"SMTP server {host}:{app.config['SMTP_PORT']} does not answer: {exc.strerror or exc}",
        )


def check_queue(app: Flask) -> Iterator[Finding]:
    """The alert queue answers; without it alerts wait in the database, calls do not care."""
    from hotline.alerts.queue import alert_queue

    try:
        alert_queue(app).huey.pending_count()
    except Exception as exc:  # noqa: BLE001 - reported in plain words
        target = app.config.get("QUEUE_URL") or "the instance folder's queue"
        yield Finding(
            Level.ERROR,
            "alerts",
            f"alert queue {target} does not answer ({type(exc).__name__}): calls are routed, "
            "but no SMS or e-mail goes out until it is back",
        )


def check_coverage(app: Flask) -> Iterator[Finding]:
    """Every call to a hotline in the next 7 days should ring someone (a slot or the default
    chain)."""
    from hotline.models import Hotline
    from hotline.planning.coverage import coverage_gaps

    now = utcnow()
    with database(app).sessionmaker() as session:
        hotlines = session.scalars(select(Hotline).order_by(Hotline.name)).all()
        for hotline in hotlines:
            gaps = coverage_gaps(session, hotline.id, now, now + COVERAGE_HORIZON)
            if not gaps:
                continue
            zone = ZoneInfo(hotline.timezone)
            first = gaps[0]
            hours = sum((end - start).total_seconds() for start, end in gaps) / 3600
            yield Finding(
                Level.WARNING,
                "coverage",
                f"{hotline.name} ({hotline.number}): {len(gaps)} gap(s) in the next 7 days, "
                f"{hours:.1f} h in all, the first from "
                f"{first[0].astimezone(zone):%Y-%m-%d %H:%M} to "
                f"{first[1].astimezone(zone):%Y-%m-%d %H:%M} ({hotline.timezone}); "
                "calls then ring nobody: only the fallback number or voicemail answers",
            )


def check_charts(app: Flask) -> Iterator[Finding]:
    """The statistics charts need a plotly.js whose inline styles the page's policy can allow."""
    from hotline.stats.charting import charts_problem

    problem = charts_problem()
    if problem:
        yield Finding(
            Level.WARNING,
            "charts",
            f"{problem}; the statistics pages show their figures as tables, without charts",
        )


CHECKS: list[Check] = [
    check_placeholders,
    check_secret_key,
    check_web_sessions,
    check_twilio,
    check_emergency_number,
    check_public_url,
    check_database,
    check_smtp,
    check_queue,
    check_coverage,
    check_charts,
]


# Checks that read the planning: with the database check failed they could only
# repeat its error (or show the SQL of a missing table), so they are skipped.
NEEDS_DATABASE: frozenset[Check] = frozenset({check_coverage})


def diagnose(app: Flask, checks: list[Check] | None = None) -> list[Finding]:
    """Run every check; a check that crashes is itself a finding."""
    findings: list[Finding] = []
    database_failed = False
    for check in checks or CHECKS:
        if database_failed and check in NEEDS_DATABASE:
            continue
        found = _run(check, app)
        findings.extend(found)
        if check is check_database:
            database_failed = any(f.level == Level.ERROR for f in found)
    return findings


def _run(check: Check, app: Flask) -> list[Finding]:
    try:
        return list(check(app))
    except Exception as exc:  # noqa: BLE001 - doctor must report, not crash
        return [Finding(Level.ERROR, check.__name__, f"check failed: {describe_error(exc)}")]


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check configuration, database, Twilio, SMTP, coverage and charts; exit 1 on errors."""
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    findings = diagnose(app)
    for finding in findings:
        click.echo(f"{finding.level.upper():8} {finding.topic}: {finding.message}")
    errors = sum(f.level == Level.ERROR for f in findings)
    click.echo(
        f"{errors} error(s), {len(findings) - errors} warning(s)" if findings else "all good"
    )
    if errors:
        raise SystemExit(1)
