"""What a simulated call came to: its legs, how it ended, and every HTTP exchange."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hotline.simulator.clock import offset_label
from hotline.simulator.scenario import Behaviour
from hotline.simulator.transcript import TranscriptLine
from hotline.simulator.twilio_peer import Exchange


class Ending(StrEnum):
    """How the call ended, as the caller lived it."""

    ANSWERED = "answered"  # bridged to a callee
    VOICEMAIL = "voicemail"  # left a message
    MISSED = "missed"  # offered voicemail, left none
    ABANDONED = "abandoned"  # hung up before reaching anyone or voicemail
    ENDED = "ended"  # the server hung up without offering either
    ERROR = "error"  # a webhook failed or answered something unplayable


@dataclass
class LegReport:
    """One ring leg as Twilio saw it."""

    position: int  # 1-based, in the order the legs were rung
    number: str
    name: str
    behaviour: Behaviour
    leg_sid: str
    started_at: int
    status: str = "initiated"  # final DialCallStatus
    answered_at: int | None = None
    ended_at: int | None = None
    bridged: bool = False

    @property
    def who(self) -> str:
        return f"{self.name} {self.number}" if self.name else self.number

    @property
    def duration(self) -> int | None:
        """Seconds from pick-up to hang-up (Twilio's DialCallDuration)."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return self.ended_at - self.answered_at

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "number": self.number,
            "name": self.name,
            "behaviour": str(self.behaviour),
            "leg_sid": self.leg_sid,
            "status": self.status,
            "bridged": self.bridged,
            "started_at": self.started_at,
            "answered_at": self.answered_at,
            "ended_at": self.ended_at,
        }


@dataclass
class SimulationResult:
    call_sid: str
    from_number: str
    to_number: str
    ending: Ending
    duration: int
    legs: list[LegReport]
    message_seconds: int
    transcript: list[TranscriptLine]
    exchanges: list[Exchange]
    error: str | None = None
    hung_up_at: int | None = None
    connected_at: int | None = None

    @property
    def answered_by(self) -> LegReport | None:
        return next((leg for leg in self.legs if leg.bridged), None)

    def summary(self) -> str:
        """One sentence saying how the call ended."""
        leg = self.answered_by
        if self.ending == Ending.ANSWERED and leg is not None:
            wait = self.connected_at if self.connected_at is not None else leg.answered_at
            return (
                f"answered by leg {leg.position}: {leg.who}, connected at {offset_label(wait or 0)}"
            )
        if self.ending == Ending.VOICEMAIL:
            return f"voicemail: the caller left a {self.message_seconds} s message"
        if self.ending == Ending.MISSED:
            return "missed: nobody answered and the caller left no message"
        if self.ending == Ending.ABANDONED:
            return f"abandoned: the caller hung up at {offset_label(self.hung_up_at or 0)}"
        if self.ending == Ending.ERROR:
            return f"error: {self.error}"
        return "ended: the server hung up without reaching anyone or offering voicemail"

    def render(self) -> str:
        """The transcript and the result, as the CLI prints them."""
        lines = [line.render() for line in self.transcript]
        lines.append(self.result_line())
        return "\n".join(lines)

    def result_line(self) -> str:
        return f"result: {self.summary()} ({len(self.legs)} leg(s), {self.duration} s)"

    def as_dict(self) -> dict[str, Any]:
        return {
            "call_sid": self.call_sid,
            "from": self.from_number,
            "to": self.to_number,
            "ending": str(self.ending),
            "summary": self.summary(),
            "duration": self.duration,
            "answered_by": self.answered_by.position if self.answered_by else None,
            "message_seconds": self.message_seconds,
            "error": self.error,
            "legs": [leg.as_dict() for leg in self.legs],
            "transcript": [{"at": line.at, "text": line.text} for line in self.transcript],
            "exchanges": [exchange.as_dict() for exchange in self.exchanges],
        }
