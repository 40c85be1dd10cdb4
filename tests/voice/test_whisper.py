"""The screening whisper tells the agent how to accept and how to refuse, in their language.

Driven through signed webhooks: the agent picks up, hears the whisper, presses a key.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from hotline.db import utcnow
from hotline.voice.models import LegResult
from tests.voice.conftest import T_FMT, CallDriver, Team, attempts, load_call

WHISPERS = {
    "fr": (
        "fr-FR",
        "Appel pour Astreinte IT, de la part du 0 6 9 9 8 8 7 7 6 6. "
        "Appuyez sur 1 pour accepter, sur une autre touche pour refuser.",
    ),
    "en": (
        "en-GB",
        "Call for Astreinte IT, from 0 6 9 9 8 8 7 7 6 6. "
        "Press 1 to accept, another key to refuse.",
    ),
}


@pytest.fixture(params=["fr", "en"])
def team_speaking(request, make_hotline, make_person, make_slot) -> Team:
    """The usual team of three on call now, on a hotline that speaks French or English."""
    hotline = make_hotline(name="Astreinte IT", language=request.param)
    people = [make_person(name) for name in ("Alice", "Bruno", "Chloé")]
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=2), now + timedelta(hours=2), people)
    return Team(hotline, people)


def gathered_speech(twiml: str) -> list[tuple[str | None, str | None]]:
    """(language, text) of each <Say> the agent hears while their key is awaited."""
    gather = ET.fromstring(twiml).find("Gather")
    assert gather is not None, twiml
    return [(say.get("language"), say.text) for say in gather.iter("Say")]


def test_the_whisper_says_that_another_key_refuses_the_call(twilio, team_speaking):
    driver = CallDriver(twilio, team_speaking.hotline)
    driver.incoming()
    driver.leg(0, "in-progress", 2, T_FMT.format(5))

    whisper = driver.screen(0)

    assert gathered_speech(whisper) == [WHISPERS[team_speaking.hotline.language]]


def test_pressing_2_at_the_whisper_is_recorded_as_refused_and_rings_the_next_agent(
    twilio, team_speaking, db_session
):
    driver = CallDriver(twilio, team_speaking.hotline)
    alice, bruno, _ = team_speaking.people
    driver.incoming()
    driver.leg(0, "in-progress", 2, T_FMT.format(5))
    driver.screen(0)

    pressed = driver.press(0, "2")

    assert ET.fromstring(pressed).find("Hangup") is not None  # Alice's leg ends, unbridged
    legs = attempts(db_session, load_call(db_session, driver.call_sid))
    assert [(leg.person_id, leg.result) for leg in legs] == [(alice.id, LegResult.REFUSED)]

    next_leg = driver.dial_result(0, "completed", bridged=False)

    assert f">{bruno.mobile}</Number>" in next_leg
    legs = attempts(db_session, load_call(db_session, driver.call_sid))
    assert [leg.result for leg in legs][0] == LegResult.REFUSED
    assert legs[1].person_id == bruno.id
