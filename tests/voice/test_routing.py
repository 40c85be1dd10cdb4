"""Who the phone rings: slots, overrides, the default chain and the fallbacks."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from hotline.db import utcnow
from hotline.planning.oncall import Route
from hotline.voice.models import Outcome
from tests.voice.conftest import load_call


def incoming(twilio, hotline, sid="CA1"):
    response = twilio.post(
        "/voice/incoming", {"CallSid": sid, "From": "+33699887766", "To": hotline.number}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_override_wins_over_the_regular_slot_for_its_span_only(
    twilio, make_hotline, make_person, make_slot, db_session
):
    hotline = make_hotline()
    regular, stand_in = make_person("Regular"), make_person("Stand-in")
    now = utcnow().replace(microsecond=0)
    make_slot(hotline, now - timedelta(hours=6), now + timedelta(hours=6), [regular])
    make_slot(hotline, now, now + timedelta(hours=1), [stand_in], override=True)

    with time_machine.travel(now - timedelta(seconds=1), tick=False):
        assert regular.mobile in incoming(twilio, hotline, "CAbefore")
    with time_machine.travel(now, tick=False):
        assert stand_in.mobile in incoming(twilio, hotline, "CAstart")
    with time_machine.travel(now + timedelta(minutes=59, seconds=59), tick=False):
        assert stand_in.mobile in incoming(twilio, hotline, "CAlast")
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        assert regular.mobile in incoming(twilio, hotline, "CAafter")
    assert load_call(db_session, "CAstart").route == Route.OVERRIDE
    assert load_call(db_session, "CAafter").route == Route.SLOT


def test_no_slot_rings_the_default_chain(
    twilio, make_hotline, make_person, set_default_chain, db_session
):
    hotline = make_hotline()
    boss = make_person("Boss")
    set_default_chain(hotline, [boss])

    assert f">{boss.mobile}</Number>" in incoming(twilio, hotline)
    assert load_call(db_session, "CA1").route == Route.DEFAULT


def test_nobody_on_call_dials_the_fallback_number(twilio, make_hotline, db_session):
    hotline = make_hotline(fallback_number="+33140000000")

    twiml = incoming(twilio, hotline)

    assert ">+33140000000</Number>" in twiml
    call = load_call(db_session, "CA1")
    assert call.route == Route.NOBODY
    assert call.chain[0]["number"] == "+33140000000"


def test_fallback_number_is_rung_after_the_chain_then_voicemail(
    twilio, make_hotline, make_person, make_slot
):
    hotline = make_hotline(fallback_number="+33140000000")
    agent = make_person()
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(hours=1), [agent])
    incoming(twilio, hotline)

    def dial_result(pos):
        return twilio.post(
            "/voice/dial-result",
            {
                "CallSid": "CA1",
                "DialCallStatus": "no-answer",
                "DialBridged": "false",
                "CallStatus": "in-progress",
            },
            {"call": "CA1", "pos": pos},
        ).get_data(as_text=True)

    assert ">+33140000000</Number>" in dial_result(0)
    assert "<Record" in dial_result(1)


def test_nobody_and_no_fallback_goes_to_voicemail_not_silence(twilio, make_hotline):
    twiml = incoming(twilio, make_hotline())

    assert "<Say" in twiml
    assert "<Record" in twiml


def test_the_hotline_never_rings_its_own_number(twilio, make_hotline, make_person, make_slot):
    # Records older than the planning's check: the fallback and a mobile are the line itself.
    hotline = make_hotline("+33184881234", fallback_number="+33184881234")
    looping, agent = make_person(mobile="+33184881234"), make_person()
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(hours=1), [looping, agent])

    twiml = incoming(twilio, hotline)

    assert f">{agent.mobile}</Number>" in twiml
    assert ">+33184881234</Number>" not in twiml


def test_inactive_person_is_skipped(twilio, make_hotline, make_person, make_slot):
    hotline = make_hotline()
    away, backup = make_person("Away", active=False), make_person("Backup")
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(hours=1), [away, backup])

    twiml = incoming(twilio, hotline)

    assert backup.mobile in twiml
    assert away.mobile not in twiml


def test_unknown_hotline_number_reaches_the_emergency_number(twilio, db_session):
    response = twilio.post(
        "/voice/incoming", {"CallSid": "CAx", "From": "+33699887766", "To": "+33999999999"}
    )

    assert response.status_code == 200
    assert "<Dial" in response.get_data(as_text=True)
    assert "+33184880000" in response.get_data(as_text=True)
    assert load_call(db_session, "CAx").outcome == Outcome.FAILED


def test_incoming_retry_returns_the_same_plan_and_one_call(twilio, team, db_session):
    first = incoming(twilio, team.hotline)
    second = incoming(twilio, team.hotline)

    assert first == second
    call = load_call(db_session, "CA1")
    assert len(call.attempts) == 1


def test_call_recorded_after_an_outage_belongs_to_its_hotline(twilio, make_hotline, db_session):
    hotline = make_hotline()
    # The incoming webhook never reached the database; the status callback does.
    response = twilio.post(
        "/voice/status",
        {
            "CallSid": "CAoutage",
            "CallStatus": "completed",
            "CallDuration": "42",
            "From": "+33699887766",
            "To": hotline.number,
        },
    )

    assert response.status_code == 200
    call = load_call(db_session, "CAoutage")
    assert call.outcome == Outcome.FAILED
    assert call.hotline_id == hotline.id
