"""The words for how a ring leg ended, defined once for every page, export and command.

A leg has a `label` (one leg's result: the call page, `hotline calls`) and a
`heading` (a count of such legs: the per-agent table and its CSV). Both are
catalog message ids, translated where they are shown, for their reader. Headings
and labels never share a message id: a heading counts legs, so French writes it
in the plural ("Occupés") where the label of one leg is singular ("Ligne occupée").
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.i18n import N_
from hotline.voice.models import LegResult


@dataclass(frozen=True)
class LegWords:
    label: str
    heading: str


# By LegResult value (a StrEnum, so the stored strings find their words too).
LEG_WORDS: dict[str, LegWords] = {
    LegResult.ACCEPTED: LegWords(N_("Picked up and accepted"), N_("Accepted")),
    # Personal voicemail, no key pressed during the prompt, hung up during it.
    LegResult.DECLINED: LegWords(N_("Picked up without accepting"), N_("Picked up, not accepted")),
    # A key other than 1 pressed during the prompt: the agent's own choice.
    LegResult.REFUSED: LegWords(N_("Refused (pressed another key)"), N_("Refused")),
    LegResult.NO_ANSWER: LegWords(N_("No answer"), N_("Unanswered")),
    LegResult.BUSY: LegWords(N_("Line busy"), N_("Busy")),
    LegResult.FAILED: LegWords(N_("Call failed"), N_("Failed")),
    LegResult.CANCELED: LegWords(N_("Caller hung up"), N_("Hung up by the caller")),
    # Never counted in a column (legs.RESULT_FIELDS): no heading of their own to agree.
    LegResult.RINGING: LegWords(N_("Still ringing"), N_("Still ringing")),
    LegResult.NOT_DIALLED: LegWords(N_("Not dialled"), N_("Not dialled")),
}
