"""Scripting a call: behaviours per leg, times, and how the transcript stamps them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotline.simulator import Behaviour, InvalidScenario, Scenario, parse_legs
from hotline.simulator.clock import SimulatedClock, offset_label


def test_legs_are_read_in_chain_order_ignoring_case_and_spaces():
    assert parse_legs(" No-Answer, busy ,accept") == (
        Behaviour.NO_ANSWER,
        Behaviour.BUSY,
        Behaviour.ACCEPT,
    )


def test_unknown_behaviour_is_named_with_the_choices():
    with pytest.raises(InvalidScenario, match="'pickup'.*accept, no-answer, busy"):
        parse_legs("accept,pickup")


def test_legs_beyond_the_script_do_not_answer():
    scenario = Scenario("+33184881234", "+33698765432", legs=(Behaviour.BUSY,))
    assert [scenario.behaviour_of_leg(i) for i in range(3)] == [
        Behaviour.BUSY,
        Behaviour.NO_ANSWER,
        Behaviour.NO_ANSWER,
    ]


@pytest.mark.parametrize(
    "field", [{"talk_seconds": -1}, {"message_seconds": -5}, {"hangup_after": -1}]
)
def test_negative_times_are_refused(field):
    with pytest.raises(InvalidScenario, match="0 or more seconds"):
        Scenario("+33184881234", "+33698765432", **field)


def test_offsets_read_as_minutes_then_hours():
    assert offset_label(42) == "+00:42"
    assert offset_label(20 * 60 + 5) == "+20:05"
    assert offset_label(3725) == "+1:02:05"


def test_timestamps_follow_the_simulated_clock_in_twilio_format():
    clock = SimulatedClock(datetime(2026, 3, 29, 0, 59, 30, tzinfo=UTC))
    clock.advance(61)
    assert clock.rfc2822() == "Sun, 29 Mar 2026 01:00:31 +0000"
    assert clock.rfc2822(0) == "Sun, 29 Mar 2026 00:59:30 +0000"
