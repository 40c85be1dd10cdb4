"""Twilio retries and reorders callbacks: the records must not care."""

from __future__ import annotations

import random

from sqlalchemy import select

from hotline.voice.models import Call, CallAttempt, Voicemail
from tests.voice.conftest import T_FMT, attempts, leg_record, load_call


def snapshot(db_session) -> list[tuple]:
    db_session.expire_all()
    calls = [
        (
            c.call_sid,
            c.outcome,
            c.answered_by_id,
            c.answered_position,
            c.ended_at,
            c.duration,
            c.twilio_status,
            c.voicemail_offered_at is not None,
            tuple(map(str, c.chain)),
        )
        for c in db_session.scalars(select(Call).order_by(Call.id))
    ]
    legs = [
        (a.leg_sid, *leg_record(a))
        for a in db_session.scalars(
            select(CallAttempt).order_by(CallAttempt.call_id, CallAttempt.position)
        )
    ]
    voicemails = [
        (v.recording_sid, v.recording_url, v.duration, v.status)
        for v in db_session.scalars(select(Voicemail))
    ]
    return [calls, legs, voicemails]


def play_answered_call(driver):
    driver.incoming()
    driver.leg(0, "initiated", 0, T_FMT.format(1))
    driver.leg(0, "ringing", 1, T_FMT.format(2))
    driver.dial_result(0, "no-answer", bridged=False)
    driver.leg(0, "no-answer", 2, T_FMT.format(22))
    driver.leg(1, "ringing", 0, T_FMT.format(23))
    driver.leg(1, "answered", 1, T_FMT.format(27))
    driver.screen(1)
    driver.press(1, "1")
    driver.leg(1, "completed", 2, T_FMT.format(50))
    driver.dial_result(1, "completed", bridged=True, duration=23)
    driver.status("completed", 50)


def play_voicemail_call(driver):
    driver.incoming()
    for pos, status in enumerate(("no-answer", "busy", "no-answer")):
        driver.leg(pos, "ringing", 0, T_FMT.format(pos * 20))
        driver.leg(pos, status, 1, T_FMT.format(pos * 20 + 19))
        driver.dial_result(pos, status, bridged=False)
    driver.voicemail_done(9)
    driver.recording(9)
    driver.status("completed", 80)


def test_every_callback_replayed_twice_leaves_identical_records(driver, db_session):
    play_answered_call(driver)
    before = snapshot(db_session)

    driver.replay()
    driver.replay()

    assert snapshot(db_session) == before


def test_callbacks_replayed_in_reverse_and_shuffled_order_leave_identical_records(
    driver, db_session
):
    play_voicemail_call(driver)
    before = snapshot(db_session)
    order = list(range(len(driver.sent)))

    driver.replay(order[::-1])
    random.Random(7).shuffle(order)
    driver.replay(order)

    assert snapshot(db_session) == before


def test_out_of_order_first_delivery_reaches_the_same_final_record(twilio, team, db_session):
    from tests.voice.conftest import CallDriver

    in_order = CallDriver(twilio, team.hotline, call_sid="CA" + "a" * 32)
    play_answered_call(in_order)
    shuffled = CallDriver(twilio, team.hotline, call_sid="CA" + "b" * 32)
    # Twilio does not order callbacks: the leg's completion and the caller's
    # status callback arrive before the dial action that closes the call.
    shuffled.incoming()
    shuffled.dial_result(0, "no-answer", bridged=False)
    shuffled.leg(0, "no-answer", 2, T_FMT.format(22))
    shuffled.leg(0, "ringing", 1, T_FMT.format(2))
    shuffled.leg(0, "initiated", 0, T_FMT.format(1))
    shuffled.leg(1, "completed", 2, T_FMT.format(50))
    shuffled.screen(1)
    shuffled.press(1, "1")
    shuffled.leg(1, "answered", 1, T_FMT.format(27))
    shuffled.leg(1, "ringing", 0, T_FMT.format(23))
    shuffled.dial_result(1, "completed", bridged=True, duration=23)
    shuffled.status("completed", 50)

    a = load_call(db_session, in_order.call_sid)
    b = load_call(db_session, shuffled.call_sid)
    assert (a.outcome, a.answered_by_id, a.duration) == (b.outcome, b.answered_by_id, b.duration)
    legs_a = [
        (x.result, x.ring_started_at, x.answered_at, x.ended_at, x.twilio_status)
        for x in attempts(db_session, a)
    ]
    legs_b = [
        (x.result, x.ring_started_at, x.answered_at, x.ended_at, x.twilio_status)
        for x in attempts(db_session, b)
    ]
    assert legs_a == legs_b
