"""HTTP side of the call path: parse Twilio's parameters, call the record, answer TwiML."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app, request

from hotline.db import Database, database, get_session, utcnow
from hotline.driver import driver_connection
from hotline.models import Hotline
from hotline.voice import bp, calls, start, twiml
from hotline.voice.calls import StepKind
from hotline.voice.models import Call
from hotline.voice.webhook import (
    EMERGENCY_FALLBACK,
    EMPTY_RESPONSE,
    Fallback,
    emergency_twiml,
    empty_twiml,
    event_time,
    int_param,
    public_url,
    twilio_webhook,
)


def urls_under(url: str) -> twiml.Urls:
    """The webhook URLs under the base of `url`, the URL of a webhook Twilio called."""
    return twiml.Urls(url[: url.index("/voice/")])


def _urls() -> twiml.Urls:
    return urls_under(public_url())


def _call_and_hotline() -> tuple[Call, Hotline]:
    """The parent call named by the `call` query parameter (or CallSid) and its hotline."""
    call_sid = request.args.get("call") or request.form.get("CallSid", "")
    call = calls.find_call(get_session(), call_sid)
    if call is None or call.hotline_id is None:
        raise LookupError(f"no routed call {call_sid!r}")
    hotline = get_session().get(Hotline, call.hotline_id)
    assert hotline is not None  # noqa: S101 - the foreign key guarantees it
    return call, hotline


def _position() -> int:
    position = int_param("args", "pos")
    if position is None:
        raise ValueError("pos must be an integer")
    return position


def answer(
    step: calls.Step,
    hotline: calls.HotlineSettings,
    call: calls.CallFacts,
    urls: twiml.Urls,
    *,
    greet: bool,
) -> str:
    """The TwiML of the call's next step; `greet` starts with the hotline's greeting."""
    if step.kind == StepKind.DIAL:
        assert step.leg is not None  # noqa: S101 - a DIAL step always has its leg
        if greet:
            return twiml.greet_and_dial(hotline, call, step.leg, urls)
        return twiml.dial(hotline, call, step.leg, urls)
    if step.kind == StepKind.VOICEMAIL:
        if greet:
            return twiml.greet_and_voicemail(hotline, call, urls)
        return twiml.voicemail(hotline, call, urls)
    return twiml.hangup()


@bp.post("/incoming")
@twilio_webhook(on_error=EMERGENCY_FALLBACK)
def incoming() -> str:
    """A call arrives on a hotline number: record it and ring the head of the chain.

    The usual call is answered before it gets here, by the same functions, in
    hotline.voice.fast_incoming; this view answers the rest.
    """
    form, now = request.form, utcnow()
    call_sid, caller, to_number = form.get("CallSid", ""), form.get("From", ""), form.get("To", "")
    if not call_sid:
        raise ValueError("incoming call without CallSid")
    db = database(current_app)
    recorded = record_incoming(db, call_sid, caller, to_number, now)
    if recorded is None:
        return _unroutable(call_sid, caller, to_number, now)
    hotline, values, started = recorded
    # A retried webhook or nobody to ring: written once the reads' connection
    # is back in the pool, so a request never holds two.
    call, step = started or start.start_in_transaction(db, values, now)
    return answer(step, hotline, call, _urls(), greet=True)


def record_incoming(
    db: Database, call_sid: str, caller: str, to_number: str, now: datetime
) -> tuple[calls.HotlineSettings, dict[str, Any], start.Started | None] | None:
    """Find the route and record the usual new call, on one connection; None: unknown number.

    The hot path of every call: statements on the driver, no ORM session. The
    reads hold no lock; the write is one statement on PostgreSQL and a
    two-insert transaction on SQLite.
    """
    with db.autocommit() as autocommit:
        conn = driver_connection(autocommit)
        route = calls.find_route(conn, to_number, now)
        if route is None:
            return None
        values = start.call_values(*route, call_sid=call_sid, from_number=caller, now=now)
        return route[0], values, start.start_at_once(db, conn, values, now)


def _unroutable(call_sid: str, caller: str, to_number: str, now: datetime) -> str:
    calls.record_unroutable_call(
        get_session(), call_sid=call_sid, from_number=caller, to_number=to_number, now=now
    )
    current_app.logger.error("call %s to unknown number %r", call_sid, to_number)
    return emergency_twiml()


@bp.post("/dial-result")
@twilio_webhook(on_error=EMERGENCY_FALLBACK)
def dial_result() -> str:
    """A ring leg ended: answered closes the call, anything else rings the next one."""
    call, hotline = _call_and_hotline()
    form = request.form
    step = calls.record_dial_result(
        get_session(),
        call,
        _position(),
        dial_status=form.get("DialCallStatus", ""),
        bridged=form.get("DialBridged", "").lower() == "true",
        leg_sid=form.get("DialCallSid") or None,
        talk_seconds=int_param("form", "DialCallDuration"),
        caller_gone=form.get("CallStatus") in calls.TERMINAL_STATUSES,
        now=utcnow(),
    )
    return answer(step, hotline, call, _urls(), greet=False)


def _screen_without_records() -> str:
    # Without the call's record the agent still has to press 1: bridging at once
    # would hand the caller to a personal voicemail that picked up.
    config = current_app.config
    action = _urls().to("screen-result", **request.args.to_dict())
    seconds = int(config["SCREENING_TIMEOUT"])
    return twiml.plain_screening(config["FALLBACK_LANGUAGE"], action, seconds)


def _screen_result_without_records() -> str:
    return twiml.bridge() if request.form.get("Digits") == "1" else twiml.hangup()


SCREEN_WITHOUT_RECORDS = Fallback(_screen_without_records, "the screening prompt")
SCREEN_RESULT_WITHOUT_RECORDS = Fallback(
    _screen_result_without_records, "a bridge on 1, else a hang-up"
)


@bp.post("/screen")
@twilio_webhook(on_error=SCREEN_WITHOUT_RECORDS)
def screen() -> str:
    """Whispered to the agent who picked up: who calls, for which hotline, press 1."""
    call, hotline = _call_and_hotline()
    position = _position()
    if call.ended_at is not None:
        return twiml.say_and_hangup(hotline, twiml.hotline_prompts(hotline).caller_gone)
    seconds = int(current_app.config["SCREENING_TIMEOUT"])
    return twiml.screening(hotline, call, position, _urls(), seconds)


@bp.post("/screen-result")
@twilio_webhook(on_error=SCREEN_RESULT_WITHOUT_RECORDS)
def screen_result() -> str:
    """The agent's key press: 1 bridges the call, anything else hangs up their leg."""
    call, hotline = _call_and_hotline()
    position = _position()
    if request.form.get("Digits") != "1":
        calls.refuse_leg(get_session(), call, position)
        return twiml.hangup()
    if not calls.accept_leg(get_session(), call, position, utcnow()):
        return twiml.say_and_hangup(hotline, twiml.hotline_prompts(hotline).caller_gone)
    return twiml.bridge()


@bp.post("/leg-status")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def leg_status() -> str:
    """Progress of one ring leg: initiated, ringing, answered, completed."""
    call, _hotline = _call_and_hotline()
    attempt = calls.attempt_at(get_session(), call, _position())
    if attempt is None:
        raise LookupError(f"call {call.call_sid} has no ring leg {request.args.get('pos')}")
    calls.record_leg_status(
        call,
        attempt,
        leg_sid=request.form.get("CallSid") or None,
        status=request.form.get("CallStatus", ""),
        at=event_time(),
        sequence=int_param("form", "SequenceNumber"),
    )
    return empty_twiml()


@bp.post("/status")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def call_status() -> str:
    """The caller's own leg changed status (configured as the number's status callback)."""
    session, form = get_session(), request.form
    call_sid = form.get("CallSid", "")
    if not call_sid:
        raise ValueError("call status without CallSid")  # nothing to record it on
    call = calls.find_call(session, call_sid)
    if call is None:
        # The call never reached our records (the database was away when it came):
        # record it now, as taken by the emergency fallback.
        call = calls.record_unroutable_call(
            session,
            call_sid=call_sid,
            from_number=form.get("From", ""),
            to_number=form.get("To", ""),
            now=event_time(),
        )
        session.flush()
    calls.record_call_status(
        call,
        status=form.get("CallStatus", ""),
        duration=int_param("form", "CallDuration"),
        at=event_time(),
    )
    return empty_twiml()


@bp.post("/voicemail-done")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def voicemail_done() -> str:
    """The Record verb finished: keep what we know of the message and say goodbye."""
    call, hotline = _call_and_hotline()
    _record_voicemail(call, status=None)  # the Record action carries no status
    prompts = twiml.hotline_prompts(hotline)
    recorded = (int_param("form", "RecordingDuration") or 0) > 0
    return twiml.say_and_hangup(
        hotline, prompts.voicemail_thanks if recorded else prompts.no_message
    )


@bp.post("/recording")
@twilio_webhook(on_error=EMPTY_RESPONSE)
def recording() -> str:
    """Twilio's recording status callback: the message is stored and can be played."""
    call, _hotline = _call_and_hotline()
    _record_voicemail(call, status=request.form.get("RecordingStatus") or None)
    return empty_twiml()


def _record_voicemail(call: Call, status: str | None) -> None:
    calls.record_voicemail(
        get_session(),
        call,
        recording_sid=request.form.get("RecordingSid") or None,
        recording_url=request.form.get("RecordingUrl") or None,
        duration=int_param("form", "RecordingDuration"),
        status=status,
    )


@bp.post("/fallback")
@twilio_webhook(on_error=EMERGENCY_FALLBACK)
def fallback() -> str:
    """Twilio's Voice Fallback URL: reach a human without touching the database."""
    return emergency_twiml()
