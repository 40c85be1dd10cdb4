"""Whole calls played against a real gunicorn server, checked in the database afterwards."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from hotline.simulator import Ending, Scenario, simulate_call
from tests.live_team import RING_TIMEOUT, SCREENED, UNSCREENED
from tests.simulator.conftest import CALLER, EMERGENCY_NUMBER, moment

pytestmark = pytest.mark.e2e


def test_primary_accepts_and_answers_the_call(live_server, place_call):
    result = place_call("accept", talk_seconds=60)

    assert result.ending == Ending.ANSWERED
    assert result.answered_by is not None
    assert result.answered_by.position == 1
    assert {urlsplit(e.url).path for e in result.exchanges} == {
        "/voice/incoming",
        "/voice/leg-status",
        "/voice/screen",
        "/voice/screen-result",
        "/voice/dial-result",
        "/voice/status",
    }
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "answered"
    assert call["answered_by_id"] == live_server.people["alice"]
    assert call["answered_position"] == 0
    assert call["from_number"] == CALLER
    assert call["ended_at"] is not None
    assert call["duration"] == result.duration
    [attempt] = live_server.attempt_rows(call["id"])
    assert attempt["result"] == "accepted"
    assert attempt["number"] == "+33612345601"
    assert attempt["leg_sid"] == result.legs[0].leg_sid
    for column in ("ring_started_at", "answered_at", "accepted_at", "ended_at"):
        assert attempt[column] is not None, column
    ring, answer, end = (moment(attempt[m]) for m in ("ring_started_at", "answered_at", "ended_at"))
    assert ring < answer < end
    assert attempt["talk_seconds"] >= 60


def test_overflow_through_no_answer_and_busy_ends_in_voicemail(live_server, place_call):
    result = place_call("no-answer", "busy", "no-answer", message_seconds=12)

    assert result.ending == Ending.VOICEMAIL
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "voicemail"
    assert call["answered_by_id"] is None
    attempts = live_server.attempt_rows(call["id"])
    assert [a["result"] for a in attempts] == ["no-answer", "busy", "no-answer"]
    assert [a["number"] for a in attempts] == ["+33612345601", "+33612345602", "+33612345603"]
    # Ring legs are timed by Twilio's own timestamps: the primary rang the full timeout.
    first = attempts[0]
    rang = moment(first["ended_at"]) - moment(first["ring_started_at"])
    assert rang == timedelta(seconds=RING_TIMEOUT)
    [recorded] = [e.params for e in result.exchanges if e.params.get("Digits") == "hangup"]
    voicemail = live_server.voicemail_row(call["id"])
    assert voicemail["recording_sid"] == recorded["RecordingSid"]
    assert voicemail["recording_url"] == recorded["RecordingUrl"]
    assert voicemail["duration"] == 12
    assert voicemail["status"] == "completed"


def test_personal_voicemail_of_primary_is_not_an_answer(live_server, place_call):
    result = place_call("voicemail", "accept")

    assert result.answered_by is not None
    assert result.answered_by.position == 2
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "answered"
    assert call["answered_by_id"] == live_server.people["bruno"]
    assert call["answered_position"] == 1
    primary, backup = live_server.attempt_rows(call["id"])
    assert primary["result"] == "declined"
    assert primary["answered_at"] is not None  # the voicemail did pick up...
    assert primary["accepted_at"] is None  # ...but never pressed 1
    assert backup["result"] == "accepted"


@pytest.mark.parametrize(
    ("behaviour", "result"),
    [("ignore", "declined"), ("decline", "refused")],  # pressed nothing / pressed 2
)
def test_agent_who_does_not_press_1_is_skipped(live_server, place_call, behaviour, result):
    played = place_call(behaviour, "accept")

    call = live_server.call_row(played.call_sid)
    assert call["outcome"] == "answered"
    assert call["answered_by_id"] == live_server.people["bruno"]
    assert [a["result"] for a in live_server.attempt_rows(call["id"])] == [result, "accepted"]


def test_caller_hanging_up_while_ringing_is_abandoned(live_server, place_call):
    result = place_call("no-answer", "accept", hangup_after=12)

    assert result.ending == Ending.ABANDONED
    assert [leg.status for leg in result.legs] == ["canceled"]
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "abandoned"
    assert call["answered_by_id"] is None
    assert call["duration"] == 12
    [attempt] = live_server.attempt_rows(call["id"])
    assert attempt["result"] == "canceled"
    assert attempt["ended_at"] is not None
    assert live_server.voicemail_row(call["id"]) is None


def test_chain_exhausted_without_message_is_missed(live_server, place_call):
    result = place_call("no-answer", "no-answer", "no-answer", message_seconds=0)

    assert result.ending == Ending.MISSED
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "missed"
    assert call["voicemail_offered_at"] is not None
    attempts = live_server.attempt_rows(call["id"])
    assert [a["result"] for a in attempts] == ["no-answer"] * 3
    voicemail = live_server.voicemail_row(call["id"])
    assert voicemail is None or not voicemail["duration"]


def test_without_screening_a_personal_voicemail_counts_as_answered(live_server, place_call):
    # Twilio bridges whatever picks up when no whisper asks for a key: this is
    # why screening is on by default.
    result = place_call("voicemail", to=UNSCREENED)

    assert result.ending == Ending.ANSWERED
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "answered"
    assert call["answered_by_id"] == live_server.people["alice"]
    assert not any("/voice/screen" in e.url for e in result.exchanges)


def test_transcript_tells_the_call_step_by_step(place_call):
    result = place_call("no-answer", "accept")

    text = result.render()
    assert "+00:00 caller +33698765432 dials +33184881234" in text
    assert "ring leg 1: Alice Martin +33612345601" in text
    assert f"no answer after {RING_TIMEOUT} s" in text
    assert "Bruno Petit +33612345602 presses 1" in text
    assert "result: answered by leg 2: Bruno Petit" in text


def test_wrong_token_is_refused_and_nothing_recorded(live_server):
    scenario = Scenario(to_number=SCREENED, from_number=CALLER, legs=())
    result = simulate_call(live_server.url, "not-the-token", scenario)

    assert result.ending == Ending.ERROR
    assert "403" in (result.error or "")
    assert live_server.call_row(result.call_sid) is None


def test_caller_hanging_up_during_screening_is_never_an_answer(live_server, place_call):
    # The primary picks up, but the caller is gone before the whisper ends.
    probe = place_call("accept")
    whisper_starts = probe.legs[0].answered_at
    result = place_call("accept", hangup_after=whisper_starts + 2)

    assert result.ending == Ending.ABANDONED
    [leg] = result.legs
    assert leg.answered_at is not None
    assert not leg.bridged
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "abandoned"
    assert call["answered_by_id"] is None
    [attempt] = live_server.attempt_rows(call["id"])
    assert attempt["result"] == "canceled"  # the caller left: the agent declined nothing
    assert attempt["accepted_at"] is None


def test_call_to_an_unknown_number_reaches_the_emergency_number(live_server, place_call):
    result = place_call("accept", to="+33184889999")

    assert result.ending == Ending.ANSWERED
    assert result.answered_by is not None
    assert result.answered_by.number == EMERGENCY_NUMBER
    call = live_server.call_row(result.call_sid)
    assert call["outcome"] == "failed"
    assert call["hotline_id"] is None
