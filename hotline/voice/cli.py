"""`hotline calls`: the recent calls with their outcome and ring legs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hotline.db import get_session
from hotline.models import Hotline, Person
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.voice.leg_words import LEG_WORDS
from hotline.voice.models import Call, Voicemail
from hotline.voice.recordings import is_simulated


def _local(at: datetime | None, zone: ZoneInfo) -> str:
    # With the zone's abbreviation: calls of several hotlines may be listed together.
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z") if at else "-"


@click.command("calls")
@with_appcontext
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--hotline", "number", default=None, help="Only calls to this hotline number.")
def calls_command(limit: int, number: str | None) -> None:
    """List recent calls with their outcome and every ring leg."""
    session = get_session()
    query = (
        select(Call)
        .options(selectinload(Call.attempts), selectinload(Call.voicemail))
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(limit)
    )
    if number:
        try:
            query = query.where(Call.to_number == to_e164(number))
        except InvalidPhoneNumber as error:
            raise click.BadParameter(str(error), param_hint="--hotline") from None
    hotlines = {h.id: h for h in session.scalars(select(Hotline))}
    people = {p.id: p.name for p in session.scalars(select(Person))}
    found = session.scalars(query).all()
    if not found:
        click.echo("no calls recorded")
        return
    for call in found:
        hotline = hotlines.get(call.hotline_id) if call.hotline_id else None
        zone = ZoneInfo(hotline.timezone if hotline else current_app.config["TIMEZONE"])
        answered = _answered_by(call, people)
        click.echo(
            f"{_local(call.started_at, zone)}  {call.call_sid}  {call.from_number} -> "
            f"{hotline.name if hotline else call.to_number}  {call.outcome.upper()}"
            + (f" by {answered}" if answered else "")
        )
        for attempt in call.attempts:
            who = people.get(attempt.person_id, "fallback") if attempt.person_id else "fallback"
            click.echo(
                f"    leg {attempt.position + 1}: {who} {attempt.number}  {_result(attempt.result)}"
                f"  rang {_local(attempt.ring_started_at, zone)}"
                f"  ended {_local(attempt.ended_at, zone)}"
            )
        if call.voicemail:
            click.echo(f"    voicemail: {_voicemail_text(call.id, call.voicemail)}")


def _result(result: str) -> str:
    """How the leg ended, in the words of the call page (English outside a request)."""
    words = LEG_WORDS.get(result)
    return gettext(words.label) if words else result


def _answered_by(call: Call, people: dict[int, str]) -> str:
    if call.answered_by_id:
        return people.get(call.answered_by_id, "")
    return "fallback" if call.answered_position is not None else ""


def _voicemail_text(call_id: int, voicemail: Voicemail) -> str:
    """The message as the web pages give it: its length and where to play it.

    Never Twilio's recording URL: the README promises it is shown nowhere (media
    behind HTTP basic authentication is the advice, and the URL names the account).
    """
    length = f"{voicemail.duration or 0}s"
    if not voicemail.recording_url:
        return f"{length}, no recording"
    if is_simulated(voicemail.recording_url):
        # `hotline simulate` made the message up: no audio exists, at Twilio or anywhere.
        return f"{length}, left in the call simulator (no audio), see {_call_page(call_id)}"
    return f"{length}, recording kept at Twilio, play it on {_call_page(call_id)}"


def _call_page(call_id: int) -> str:
    """The call's page: the full address under PUBLIC_BASE_URL, else the path in the app."""
    path = current_app.url_map.bind("localhost").build("stats.call", {"call_id": call_id})
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return f"{base}{path}"
