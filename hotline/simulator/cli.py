"""`hotline simulate`: place a simulated call against a running server."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from hotline.db import database
from hotline.demo import DEMO_NUMBER
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.simulator.call_flow import simulate_call
from hotline.simulator.clock import RealTimeClock
from hotline.simulator.directory import callee_names
from hotline.simulator.scenario import (
    DEFAULT_ACCOUNT_SID,
    Behaviour,
    InvalidScenario,
    Scenario,
    parse_legs,
)

DEFAULT_CALLER = "+33698765432"
BEHAVIOURS = ", ".join(b.value for b in Behaviour)


def _number(value: str, option: str) -> str:
    try:
        return to_e164(value)
    except InvalidPhoneNumber as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


@click.command("simulate")
@click.option(
    "--url",
    "base_url",
    default="http://127.0.0.1:5000",
    show_default=True,
    help="Base URL of the running server.",
)
@click.option(
    "--to", "to_number", default=DEMO_NUMBER, show_default=True, help="The hotline number called."
)
@click.option(
    "--from", "from_number", default=DEFAULT_CALLER, show_default=True, help="The caller's number."
)
@click.option(
    "--legs",
    default="",
    metavar="LIST",
    help=f"Callee behaviour of each ring leg, in chain order, comma-separated: "
    f"{BEHAVIOURS}. Legs beyond the list do not answer.",
)
@click.option(
    "--talk",
    default=30,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="Conversation length once a callee is connected.",
)
@click.option(
    "--message",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="Voicemail the caller leaves; 0 leaves none.",
)
@click.option(
    "--hangup-after",
    default=None,
    type=click.IntRange(min=0),
    metavar="SECONDS",
    help="The caller hangs up this many seconds after dialling.",
)
@click.option(
    "--token",
    default=None,
    help="Auth token signing the requests [default: the app's TWILIO_AUTH_TOKEN].",
)
@click.option(
    "--status-url",
    "status_path",
    default="/voice/status",
    show_default=True,
    help="The number's status callback: a path under --url, a full URL, or ''.",
)
@click.option(
    "--fast",
    is_flag=True,
    help="Compress time: the call plays in a fraction of a second, but its page on the "
    "server then mixes the server's clock with the simulated one.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@with_appcontext
def simulate_command(
    base_url: str,
    to_number: str,
    from_number: str,
    legs: str,
    talk: int,
    message: int,
    hangup_after: int | None,
    token: str | None,
    status_path: str,
    fast: bool,
    as_json: bool,
) -> None:
    """Place a simulated call: play Twilio against a running server, print what happens.

    Every request is signed like Twilio's. The call plays in real time, as on a
    phone, so the server's timeline of it is true; --fast compresses it.
    """
    try:
        behaviours = parse_legs(legs)
    except InvalidScenario as exc:
        raise click.BadParameter(str(exc), param_hint="--legs") from None
    token = token or current_app.config["TWILIO_AUTH_TOKEN"]
    if not token:
        raise click.UsageError("no auth token: pass --token or set HOTLINE_TWILIO_AUTH_TOKEN")
    scenario = Scenario(
        to_number=_number(to_number, "--to"),
        from_number=_number(from_number, "--from"),
        legs=behaviours,
        talk_seconds=talk,
        message_seconds=message,
        hangup_after=hangup_after,
        status_path=status_path,
        account_sid=current_app.config["TWILIO_ACCOUNT_SID"] or DEFAULT_ACCOUNT_SID,
        names=callee_names(database(current_app).engine),
    )
    clock = None if fast else RealTimeClock()
    # In real time the transcript is shown as the call goes rather than after a minute.
    echo = click.echo if clock is not None and not as_json else None
    result = simulate_call(base_url, token, scenario, clock=clock, echo=echo)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    elif echo is not None:
        click.echo(result.result_line())
    else:
        click.echo(result.render())
    if result.error:
        raise click.exceptions.Exit(1)


COMMANDS = [simulate_command]
