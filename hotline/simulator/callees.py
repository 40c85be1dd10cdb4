"""Scripted callees: how long a leg rings, whether it is picked up, which key is pressed."""

from __future__ import annotations

from dataclasses import dataclass

from hotline.simulator.scenario import Behaviour

SETUP_SECONDS = 1  # from "initiated" to "ringing"
PERSON_PICKS_UP_AFTER = 6
# Carriers' voicemail typically picks up after 15 to 25 s of ringing; a script that
# says "voicemail" wants it to pick up, so it does so before the dial timeout.
VOICEMAIL_PICKS_UP_AFTER = 15
BUSY_AFTER = 3  # the callee rejects the call from their phone
FAILED_AFTER = 1  # the carrier cannot route it at all
KEY_PRESS_DELAY = 1  # after the prompt ends


@dataclass(frozen=True)
class CalleePlan:
    """What one ring leg will do, decided before it starts."""

    rings: bool  # the carrier reports "ringing"
    seconds: int  # from ringing (or initiation) until picked up or given up
    answers: bool
    end_status: str  # the leg's final status when not picked up
    digit: str | None  # key pressed during screening, None = no key
    pick_up: str  # what the transcript says on pick-up
    screening: str  # what the transcript says when no key is pressed


def plan_leg(behaviour: Behaviour, timeout: int) -> CalleePlan:
    """The plan of a leg rung with `<Dial timeout=...>` by a callee who behaves so."""
    picked_up_after = max(1, min(PERSON_PICKS_UP_AFTER, timeout - 1))
    if behaviour == Behaviour.NO_ANSWER:
        return CalleePlan(True, timeout, False, "no-answer", None, "", "")
    if behaviour == Behaviour.BUSY:
        return CalleePlan(True, min(BUSY_AFTER, timeout), False, "busy", None, "", "")
    if behaviour == Behaviour.FAILED:
        return CalleePlan(False, FAILED_AFTER, False, "failed", None, "", "")
    if behaviour == Behaviour.VOICEMAIL:
        after = max(1, min(VOICEMAIL_PICKS_UP_AFTER, timeout - 1))
        return CalleePlan(
            True,
            after,
            True,
            "completed",
            None,
            "personal voicemail picks up",
            "the voicemail records the prompt, no key is pressed",
        )
    if behaviour == Behaviour.IGNORE:
        return CalleePlan(
            True, picked_up_after, True, "completed", None, "picks up", "listens, presses no key"
        )
    digit = "1" if behaviour == Behaviour.ACCEPT else "2"
    return CalleePlan(True, picked_up_after, True, "completed", digit, "picks up", "")
