"""The demo: a hotline whose planning covers this week and the next, and a server."""

from __future__ import annotations

import socket
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import load_settings, schema
from hotline.db import database, utcnow
from hotline.models import Hotline, Person

DEMO_NUMBER = "+33184881234"
DEMO_TIMEZONE = "Europe/Paris"
DEMO_PEOPLE = [
    {"ref": "alice", "name": "Alice Martin", "mobile": "+33612345601", "language": "fr"},
    {"ref": "bruno", "name": "Bruno Petit", "mobile": "+33612345602", "language": "fr"},
    {"ref": "chloe", "name": "Chloé Durand", "mobile": "+33612345603", "language": "en"},
]
DAY_STARTS, NIGHT_STARTS = time(8, 0), time(20, 0)
# Demo accounts only: the demo is a local sandbox, never a deployment.
DEMO_PASSWORD = "hotline-demo"  # noqa: S105 - printed to the user on purpose
DEMO_USERS = [
    ("admin", "admin@demo.example", "Demo admin"),
    ("manager", "manager@demo.example", "Demo manager"),
    ("supervisor", "supervisor@demo.example", "Demo supervisor"),
    ("agent", "alice@demo.example", "Alice Martin"),
]


def demo_planning(today: date, weeks: int = 2) -> dict[str, Any]:
    """A planning file: day and night slots from this Monday, primary and two backups."""
    monday = today - timedelta(days=today.weekday())
    refs = [p["ref"] for p in DEMO_PEOPLE]
    slots = []
    for offset in range(7 * weeks):
        day = monday + timedelta(days=offset)
        for half, (start, end_day, end) in enumerate(
            ((DAY_STARTS, day, NIGHT_STARTS), (NIGHT_STARTS, day + timedelta(days=1), DAY_STARTS))
        ):
            first = (offset * 2 + half) % len(refs)
            chain = refs[first:] + refs[:first]
            slots.append(
                {
                    "start": datetime.combine(day, start).isoformat(timespec="minutes"),
                    "end": datetime.combine(end_day, end).isoformat(timespec="minutes"),
                    "chain": chain,
                }
            )
    return {
        "format": "hotline-planning/1",
        "people": DEMO_PEOPLE,
        "hotlines": [
            {
                "number": DEMO_NUMBER,
                "name": "Astreinte démo",
                "timezone": DEMO_TIMEZONE,
                "language": "fr",
                "ring_timeout": 20,
                "screening": True,
                "default_chain": refs,
                "slots": slots,
            }
        ],
    }


def seed_demo() -> str:
    """Migrate the database and load the demo planning; return a summary."""
    from hotline.planning.transfer import import_planning

    db = database(current_app)
    schema.upgrade(db.engine)
    today = utcnow().astimezone(ZoneInfo(DEMO_TIMEZONE)).date()
    with db.session_scope() as session:
        summary = import_planning(session, demo_planning(today))
        created = seed_demo_users(session)
    users = f"; demo users created: {', '.join(created)}" if created else ""
    return f"{summary}{users}"


def seed_demo_users(session: Session) -> list[str]:
    """One user per role, signed in with DEMO_PASSWORD; existing ones are left alone."""
    from hotline.auth.services import create_user, find_user_by_email, update_user

    hotline = session.scalar(select(Hotline).where(Hotline.number == DEMO_NUMBER))
    alice = session.scalar(select(Person).where(Person.ref == "alice"))
    created = []
    for role, email, name in DEMO_USERS:
        if find_user_by_email(session, email) is not None:
            continue
        person_id = alice.id if role == "agent" and alice else None
        user = create_user(
            session,
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            person_id=person_id,
        )
        if role in ("manager", "supervisor") and hotline is not None:
            update_user(
                session,
                user,
                name=name,
                role=role,
                active=True,
                person_id=None,
                language=None,
                hotline_ids=[hotline.id],
            )
        created.append(email)
    return created


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Migrate and load the demo hotline (its planning covers this week and the next)."""
    click.echo(seed_demo())


def _check_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            raise click.ClickException(
                f"cannot serve on {host}:{port} ({error.strerror}): is a demo already running?"
                " Choose another one with --port."
            ) from None


@click.command("demo")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def demo_command(host: str, port: int) -> None:
    """Set up the demo on SQLite and serve it; then try `hotline simulate` in another shell."""
    from werkzeug.serving import run_simple

    from hotline.cli import ensure_instance_config

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    _check_port_free(host, port)  # before seeding, which would reset a running demo's planning
    # The file may have been written just now, after the app read its settings.
    load_settings(app, str(ensure_instance_config(app)))
    click.echo(seed_demo())
    click.echo(
        f"\nDemo hotline {DEMO_NUMBER} is ready at http://{host}:{port}/voice/incoming\n"
        "In another shell, place calls with the simulator, for example:\n"
        f"  hotline simulate --url http://{host}:{port} --legs accept\n"
        f"  hotline simulate --url http://{host}:{port} --legs no-answer,busy,no-answer\n"
        "and list them with: hotline calls\n"
        f"Web UI: http://{host}:{port}/ — sign in as admin@demo.example, manager@demo.example,\n"
        f"supervisor@demo.example or alice@demo.example (agent), password {DEMO_PASSWORD!r}\n"
        f"Alerts: the worker runs in this process; see http://{host}:{port}/alerts/ "
        "or `hotline alerts log` (set SMTP_HOST and Twilio credentials to really send).\n"
    )
    from hotline.alerts.queue import start_consumer

    worker = start_consumer(app)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        worker.stop()
