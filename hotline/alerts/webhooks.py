"""Twilio's requests for alerts: SMS replies and confirmation calls, signed like the voice ones."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, request, url_for
from sqlalchemy import select
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from hotline.alerts import messages, shifts, webhooks_bp
from hotline.alerts.models import ShiftTake
from hotline.db import get_session, utcnow
from hotline.models import Hotline, Person
from hotline.voice.prompts import prompts_for
from hotline.voice.webhook import EMPTY_RESPONSE, empty_twiml, int_param, twilio_webhook


def _lead() -> timedelta:
    return timedelta(minutes=int(current_app.config["SHIFT_REMINDER_MINUTES"]))


def _reply(block: str, language: str, **context: object) -> str:
    text = messages.render_block(current_app.jinja_env, "sms_replies", language, block, context)
    response = MessagingResponse()
    response.message(text)
    return str(response)


@webhooks_bp.post("/sms/incoming")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def sms_incoming() -> str:
    """An SMS to one of our numbers: "OK" from an incoming agent confirms their shift."""
    session, now = get_session(), utcnow()
    sender = request.form.get("From", "")
    person = session.scalar(select(Person).where(Person.mobile == sender).limit(1))
    language = person.language if person is not None else "fr"
    if person is None:
        return empty_twiml()  # strangers get no answer: nothing to tell them
    if not shifts.is_confirmation(request.form.get("Body", "")):
        # Help only where a confirmation is awaited; any other text is not ours to answer.
        if shifts.pending_takes(session, person.id, now, _lead()):
            return _reply("help", language)
        return empty_twiml()
    try:
        takes = shifts.confirm_by_sms(session, sender, now, _lead())
    except shifts.NothingToConfirm:
        return _reply("nothing", language)
    hotline = session.get(Hotline, takes[0].hotline_id)
    assert hotline is not None  # noqa: S101 - foreign key
    starts = messages.local_datetime(takes[0].starts_at, hotline.timezone, language)
    return _reply("confirmed", language, hotline_name=hotline.name, starts=starts)


def _take() -> ShiftTake:
    take_id = int_param("args", "take")
    take = get_session().get(ShiftTake, take_id) if take_id is not None else None
    if take is None:
        raise LookupError(f"no shift take {request.args.get('take')!r}")
    return take


def _say(response: VoiceResponse, text: str, language: str) -> None:
    prompts = prompts_for(language)
    response.say(text, language=prompts.say_language, voice=prompts.voice)


@webhooks_bp.post("/alerts/take-call")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def take_call() -> str:
    """The confirmation call was answered: ask the agent to press 1."""
    session, take = get_session(), _take()
    person, hotline = session.get(Person, take.person_id), session.get(Hotline, take.hotline_id)
    assert person is not None and hotline is not None  # noqa: S101, PT018 - foreign keys
    context = {"name": person.name, "hotline_name": hotline.name}
    text = messages.render_block(
        current_app.jinja_env, "shift_take", person.language, "voice", context
    )
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, timeout=10, action=url_for("alert_webhooks.take_call_result", take=take.id)
    )
    _say(gather, text, person.language)  # type: ignore[arg-type]
    response.hangup()
    return str(response)


@webhooks_bp.post("/alerts/take-call-result")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def take_call_result() -> str:
    """The agent's key press on the confirmation call: 1 confirms the shift."""
    session, take = get_session(), _take()
    person = session.get(Person, take.person_id)
    language = person.language if person is not None else "fr"
    response = VoiceResponse()
    block = "call_declined"
    if request.form.get("Digits") == "1":
        shifts.confirm_take(session, take, "call", utcnow())
        block = "call_confirmed"
    _say(
        response,
        messages.render_block(current_app.jinja_env, "sms_replies", language, block, {}),
        language,
    )
    response.hangup()
    return str(response)
