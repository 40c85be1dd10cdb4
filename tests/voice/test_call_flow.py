"""The call path driven through signed webhooks, leg by leg, as Twilio plays it."""

from __future__ import annotations

from itertools import permutations

import pytest

from hotline.voice.models import LegResult, Outcome
from tests.voice.conftest import T_FMT, CallDriver, attempts, load_call

T = "Fri, 27 Nov 2026 10:00:{:02d} +0000"


def test_incoming_greets_and_rings_the_primary_with_screening(driver, team):
    twiml = driver.incoming()

    assert "<Say" in twiml
    assert "Astreinte IT" in twiml
    assert f">{team.people[0].mobile}</Number>" in twiml
    assert 'answerOnBridge="true"' in twiml
    assert 'timeout="20"' in twiml
    assert "/voice/screen?call=" in twiml


def test_primary_accepts_is_answered_by_primary_with_one_attempt(driver, team, db_session):
    driver.incoming()
    driver.leg(0, "initiated", 0, T.format(1))
    driver.leg(0, "ringing", 1, T.format(2))
    driver.leg(0, "answered", 2, T.format(7))
    whisper = driver.screen(0)
    assert "<Gather" in whisper
    assert 'numDigits="1"' in whisper
    assert "<Hangup" in whisper
    assert driver.press(0, "1") == '<?xml version="1.0" encoding="UTF-8"?><Response />'
    driver.leg(0, "completed", 3, T.format(59))
    assert "<Hangup" in driver.dial_result(0, "completed", bridged=True, duration=52)
    driver.status("completed", 60)

    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.ANSWERED
    assert call.answered_by_id == team.people[0].id
    assert call.answered_position == 0
    assert call.ended_at is not None
    assert call.duration == 60
    [attempt] = attempts(db_session, call)
    assert attempt.result == LegResult.ACCEPTED
    assert attempt.ring_started_at is not None
    assert attempt.answered_at is not None
    assert attempt.accepted_at is not None
    assert attempt.ended_at is not None
    assert attempt.talk_seconds == 52
    assert attempt.leg_sid == driver.leg_sid(0)


def test_overflow_no_answer_then_busy_then_voicemail_keeps_the_message(driver, team, db_session):
    driver.incoming()
    second = driver.dial_result(0, "no-answer", bridged=False)
    assert f">{team.people[1].mobile}</Number>" in second
    assert "<Say" not in second  # the caller hears ringback, not a new greeting
    third = driver.dial_result(1, "busy", bridged=False)
    assert f">{team.people[2].mobile}</Number>" in third
    record = driver.dial_result(2, "no-answer", bridged=False)
    assert "<Record" in record
    assert "/voice/recording?call=" in record
    assert "/voice/voicemail-done?call=" in record
    assert "votre message a été enregistré" in driver.voicemail_done(14)
    driver.recording(14)
    driver.status("completed", 75)

    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.VOICEMAIL
    assert [a.result for a in attempts(db_session, call)] == [
        LegResult.NO_ANSWER,
        LegResult.BUSY,
        LegResult.NO_ANSWER,
    ]
    assert call.voicemail is not None
    assert call.voicemail.recording_sid == "RE" + "1" * 32
    assert call.voicemail.recording_url == "https://api.twilio.com/rec/RE1"
    assert call.voicemail.duration == 14


def test_personal_voicemail_of_primary_is_not_an_answer(driver, team, db_session):
    driver.incoming()
    driver.leg(0, "answered", 2, T.format(5))
    driver.screen(0)  # the voicemail greeting plays over the whisper; nobody presses 1
    driver.leg(0, "completed", 3, T.format(20))
    nxt = driver.dial_result(0, "completed", bridged=False, duration=15)

    assert f">{team.people[1].mobile}</Number>" in nxt
    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.RINGING
    assert attempts(db_session, call)[0].result == LegResult.DECLINED


def test_wrong_key_hangs_up_the_agent_leg(driver):
    driver.incoming()
    assert "<Hangup" in driver.press(0, "2")


@pytest.mark.parametrize("order", ["record action first", "recording callback first"])
def test_a_recording_twilio_failed_to_keep_is_no_voicemail(driver, db_session, order):
    driver.incoming()
    for pos in range(3):
        driver.dial_result(pos, "no-answer", bridged=False)
    callbacks = [
        lambda: driver.voicemail_done(10),
        lambda: driver.post(
            "/voice/recording",
            {
                "CallSid": driver.call_sid,
                "RecordingSid": "RE" + "1" * 32,
                "RecordingStatus": "failed",
                "RecordingDuration": "0",
            },
            {"call": driver.call_sid},
        ),
    ]
    for callback in callbacks if order == "record action first" else callbacks[::-1]:
        callback()
    driver.status("completed", 70)

    assert load_call(db_session, driver.call_sid).outcome == Outcome.MISSED


MESSAGE_CALLBACKS = {
    "record": lambda driver: driver.voicemail_done(10),  # the Record action: 10 s reported
    "kept": lambda driver: driver.recording(10),  # the recording callback: Twilio kept it
    "ended": lambda driver: driver.status("completed", 70),  # the caller's status callback
}


@pytest.mark.parametrize(
    ("callbacks", "outcome"),
    [
        pytest.param(order, outcome, id=" ".join(order))
        for callbacks, outcome in (
            (["record", "ended"], Outcome.MISSED),
            (["record", "kept", "ended"], Outcome.VOICEMAIL),
        )
        for order in permutations(callbacks)
    ],
)
def test_a_message_counts_once_twilio_confirms_it_in_any_order_of_callbacks(
    driver, db_session, callbacks, outcome
):
    driver.incoming()
    for pos in range(3):
        driver.dial_result(pos, "no-answer", bridged=False)

    for name in callbacks:
        MESSAGE_CALLBACKS[name](driver)
    driver.replay()

    # Without the recording callback nobody knows there is a message to hear:
    # missed, as the alert says; the confirmation, whenever it comes, makes it one.
    assert load_call(db_session, driver.call_sid).outcome == outcome


def test_an_empty_recording_is_not_thanked_as_a_message(driver):
    driver.incoming()
    for pos in range(3):
        driver.dial_result(pos, "no-answer", bridged=False)

    assert "Aucun message n'a été enregistré" in driver.voicemail_done(0)


def test_chain_exhausted_without_message_is_missed(driver, db_session):
    driver.incoming()
    for pos in range(3):
        driver.dial_result(pos, "no-answer", bridged=False)
    driver.status("completed", 70)

    assert load_call(db_session, driver.call_sid).outcome == Outcome.MISSED


def test_caller_hangs_up_while_ringing_is_abandoned_and_rings_nobody_else(driver, db_session):
    driver.incoming()
    driver.status("completed", 9)
    answer = driver.dial_result(0, "canceled", bridged=False, parent="completed")

    assert "<Number" not in answer
    assert "<Hangup" in answer
    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.ABANDONED
    assert [a.result for a in attempts(db_session, call)] == [LegResult.CANCELED]


def test_dial_action_with_caller_gone_stops_the_chain(driver, db_session):
    driver.incoming()
    answer = driver.dial_result(0, "no-answer", bridged=False, parent="completed")

    assert "<Number" not in answer
    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.ABANDONED
    assert len(attempts(db_session, call)) == 1


@pytest.mark.parametrize("order", ["dial-result first", "leg and call status first"])
def test_caller_leaving_during_the_screening_prompt_is_not_a_decline(driver, db_session, order):
    driver.incoming()
    driver.leg(0, "in-progress", 2, T_FMT.format(5))
    driver.screen(0)  # the agent hears the prompt; the caller hangs up meanwhile
    callbacks = [
        lambda: driver.dial_result(0, "completed", bridged=False, parent="completed"),
        lambda: driver.leg(0, "completed", 3, T_FMT.format(9)),
        lambda: driver.status("completed", 9),
    ]
    for callback in callbacks if order == "dial-result first" else callbacks[::-1]:
        callback()

    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.ABANDONED
    assert [a.result for a in attempts(db_session, call)] == [LegResult.CANCELED]


def test_an_agent_who_does_not_press_1_while_the_caller_waits_declined(driver, db_session):
    driver.incoming()
    driver.leg(0, "in-progress", 2, T_FMT.format(5))
    driver.leg(0, "completed", 3, T_FMT.format(20))
    driver.dial_result(0, "completed", bridged=False)

    legs = attempts(db_session, load_call(db_session, driver.call_sid))
    assert legs[0].result == LegResult.DECLINED


@pytest.mark.parametrize(
    ("caller", "spoken"),
    [
        ("+33699887766", "de la part du 0 6 9 9 8 8 7 7 6 6"),
        ("+447911123456", "de la part du + 4 4 7 9 1 1 1 2 3 4 5 6"),  # from abroad
        ("+266696687", "de la part du numéro masqué"),  # Twilio's ANONYMOUS
    ],
)
def test_the_whisper_says_the_caller_as_the_agent_would_dial_back(twilio, team, caller, spoken):
    driver = CallDriver(twilio, team.hotline, caller=caller)
    driver.incoming()

    assert spoken in driver.screen(0)


def test_an_accepted_call_is_answered_even_if_its_dial_action_is_lost(driver, team, db_session):
    driver.incoming()
    driver.leg(0, "in-progress", 2, T_FMT.format(5))
    driver.screen(0)
    driver.press(0, "1")
    driver.status("completed", 95)  # the dial action never came (network, outage)

    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.ANSWERED
    assert call.answered_by_id == team.people[0].id
    assert call.answered_position == 0
    assert [a.result for a in attempts(db_session, call)] == [LegResult.ACCEPTED]


def test_agent_accepting_after_caller_left_is_told_and_dropped(driver):
    driver.incoming()
    driver.status("completed", 9)
    assert "raccroché" in driver.press(0, "1")


def test_english_hotline_speaks_english(twilio, make_hotline, make_person, make_slot):
    from datetime import timedelta

    from hotline.db import utcnow

    hotline = make_hotline("+442071838750", name="UK desk", language="en", timezone="Europe/London")
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(hours=1), [make_person()])
    body = twilio.post(
        "/voice/incoming", {"CallSid": "CAen", "From": "+447700900123", "To": hotline.number}
    ).get_data(as_text=True)
    assert 'language="en-GB"' in body
    assert "You have reached UK desk".lower() in body.lower()
    assert 'ringTone="uk"' in body


def test_caller_hanging_up_during_the_greeting_rang_nobody(driver, db_session):
    driver.incoming()
    driver.status("completed", 3)

    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.ABANDONED
    assert [a.result for a in attempts(db_session, call)] == [LegResult.NOT_DIALLED]


def test_recording_callback_without_a_recording_keeps_no_voicemail(driver, db_session):
    driver.incoming()
    for pos in range(3):
        driver.dial_result(pos, "no-answer", bridged=False)
    driver.post(
        "/voice/recording",
        {"CallSid": driver.call_sid, "RecordingStatus": "absent", "RecordingDuration": "0"},
        {"call": driver.call_sid},
    )
    driver.status("completed", 70)

    call = load_call(db_session, driver.call_sid)
    assert call.outcome == Outcome.MISSED
    assert call.voicemail is None


def test_accept_is_never_stamped_before_the_pick_up(driver, db_session):
    driver.incoming()
    driver.leg(0, "answered", 2, "Fri, 27 Nov 2099 10:00:07 +0000")  # Twilio's clock far ahead
    driver.press(0, "1")

    [attempt] = attempts(db_session, load_call(db_session, driver.call_sid))
    assert attempt.accepted_at >= attempt.answered_at


def test_without_screening_the_pick_up_is_the_acceptance(
    twilio, make_hotline, make_person, make_slot, db_session
):
    from datetime import timedelta

    from hotline.db import utcnow
    from tests.voice.conftest import CallDriver

    hotline = make_hotline(screening=False)
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(hours=1), [make_person()])
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    driver.leg(0, "ringing", 1, "Fri, 27 Nov 2026 10:00:02 +0000")
    driver.leg(0, "answered", 2, "Fri, 27 Nov 2026 10:00:09 +0000")
    driver.dial_result(0, "completed", bridged=True, duration=300)

    [attempt] = attempts(db_session, load_call(db_session, driver.call_sid))
    assert attempt.accepted_at == attempt.answered_at


def test_each_call_gets_its_own_callbacks_and_the_current_greeting(twilio, team, db_session):
    first = CallDriver(twilio, team.hotline, call_sid="CA" + "1" * 32).incoming()
    team.hotline.greeting = "Service informatique, un instant."
    team.hotline.ring_timeout = 25
    db_session.flush()
    second = CallDriver(twilio, team.hotline, call_sid="CA" + "2" * 32).incoming()

    assert "call=CA" + "1" * 32 in first
    assert "CA" + "2" * 32 not in first
    assert "call=CA" + "2" * 32 in second
    assert "CA" + "1" * 32 not in second
    assert "Service informatique, un instant." in second
    assert 'timeout="25"' in second
    assert 'timeout="20"' in first


@pytest.mark.parametrize(
    ("language", "spoken", "voice"),
    [
        ("fr", "Bonjour, vous êtes en relation avec Astreinte IT.", 'language="fr-FR"'),
        ("en", "Hello, you have reached Astreinte IT.", 'language="en-GB"'),
    ],
)
def test_the_caller_hears_the_hotlines_language(twilio, team, db_session, language, spoken, voice):
    team.hotline.language = language
    db_session.flush()

    greeting = CallDriver(twilio, team.hotline).incoming()

    assert spoken in greeting
    assert voice in greeting
