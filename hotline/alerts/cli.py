"""`hotline alerts ...`: the worker, a settings check, test alerts, switches, the log."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from hotline.alerts import config_check, history, preferences
from hotline.alerts.models import Notification
from hotline.alerts.outbox import request_test_alert
from hotline.alerts.queue import AlertConsumer, alert_queue
from hotline.db import database
from hotline.models import Hotline, Person


@click.group("alerts")
def alerts_group() -> None:
    """Alerts by SMS and e-mail: worker, settings check, test alert, switches, log."""


@alerts_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Sending threads.")
@with_appcontext
def worker_command(workers: int) -> None:
    """Run the worker: send queued alerts, shift reminders and takes, gap digests."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    configure_worker_logging(app.config["LOG_LEVEL"])
    config_check.log_problems(config_check.probe(app.config), "worker start-up")
    AlertConsumer(alert_queue(app), workers=workers, worker_type="thread").run()


def configure_worker_logging(level: str) -> None:
    """Log huey's and the libraries' lines at INFO; the twilio client's only when debugging."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if str(level).upper() != "DEBUG":
        # It logs every request's method, URL and headers at INFO: about eight lines per SMS.
        logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


@alerts_group.command("check")
@with_appcontext
def check_command() -> None:
    """Check the alert settings: Twilio credentials, SMTP host, port, credentials."""
    found = config_check.probe(current_app.config)
    for problem in found:
        click.echo(f"problem: {problem}", err=True)
    if found:
        raise SystemExit(1)
    click.echo("alert settings look complete")


@alerts_group.command("test")
@click.argument("person_ref")
@with_appcontext
def test_command(person_ref: str) -> None:
    """Queue a test alert (SMS and e-mail) for the person PERSON_REF."""
    with database(current_app).session_scope() as session:
        person = session.scalar(select(Person).where(Person.ref == person_ref))
        if person is None:
            raise click.ClickException(f"no person with ref {person_ref!r}")
        request_test_alert(session, person=person)
    click.echo(f"test alert queued for {person.name}: see `hotline alerts log` once sent")


@alerts_group.command("switch")
@click.argument("kind")
@click.argument("state", type=click.Choice(["on", "off"]))
@click.option("--hotline", "number", help="Hotline number: switch it for everyone there.")
@click.option("--person", "person_ref", help="Person ref: switch it for this person only.")
@click.option("--channel", default="sms,email", show_default=True, help="With --person.")
@with_appcontext
def switch_command(
    kind: str, state: str, number: str | None, person_ref: str | None, channel: str
) -> None:
    """Turn the alert KIND on or off for a hotline or for one person."""
    if bool(number) == bool(person_ref):
        raise click.UsageError("give exactly one of --hotline and --person")
    try:
        alert = preferences.parse_kind(kind)
        channels = [preferences.parse_channel(c.strip()) for c in channel.split(",") if c.strip()]
        with database(current_app).session_scope() as session:
            if number:
                hotline = session.scalar(select(Hotline).where(Hotline.number == number))
                if hotline is None:
                    raise click.ClickException(f"no hotline with number {number!r}")
                preferences.set_hotline_alert(session, hotline.id, alert, state == "on")
            else:
                person = session.scalar(select(Person).where(Person.ref == person_ref))
                if person is None:
                    raise click.ClickException(f"no person with ref {person_ref!r}")
                for each in channels:
                    preferences.set_person_alert(session, person.id, alert, each, state == "on")
    except preferences.UnknownAlert as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{alert.value} alerts {state} for {number or person_ref}")


@alerts_group.command("log")
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def log_command(limit: int) -> None:
    """List the latest notifications: when, who, what, channel, status, error."""
    # In the installation's time zone, labelled, as `hotline calls` shows its times.
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    with database(current_app).session_scope() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id.desc()).limit(limit))
        for n in rows:
            error = f"  {n.last_error}" if n.last_error else ""
            click.echo(
                f"{n.created_at.astimezone(zone):%Y-%m-%d %H:%M %Z} "
                f"{n.recipient_name:<20} {history.label_of(n.event.kind, n.event.payload):<22} "
                f"{n.channel:<6} {n.status:<8} tries={n.attempts}{error}"
            )


COMMANDS = [alerts_group]
