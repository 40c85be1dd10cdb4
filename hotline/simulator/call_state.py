"""What every part of a simulated call shares: the clock, the wire, the caller's state."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from hotline.simulator.clock import SimulatedClock
from hotline.simulator.scenario import Scenario
from hotline.simulator.transcript import Transcript
from hotline.simulator.twilio_peer import TwilioPeer, new_sid
from hotline.simulator.twiml_reader import Verb

API_VERSION = "2010-04-01"
WORDS_PER_SECOND = 2.5  # text-to-speech pace, to give <Say> a plausible length
MAX_DOCUMENTS = 50  # a call following more TwiML documents than this is looping
DEFAULT_GATHER_TIMEOUT = 5  # Twilio's default <Gather timeout>
PLAY_SECONDS = 5  # an audio file's length is unknown here


class UnsupportedTwiML(ValueError):
    """Valid TwiML that the simulator does not play (conferences, simultaneous ringing)."""


class TwiMLLoop(RuntimeError):
    """The server kept sending the call to new documents without ever ending it."""


def speech_seconds(text: str) -> int:
    """About how long text-to-speech takes to say `text`."""
    return max(1, math.ceil(len(text.split()) / WORDS_PER_SECOND))


def prompt_seconds(verb: Verb) -> int:
    """About how long a prompt (`<Say>`, `<Pause>`, else an audio `<Play>`) lasts."""
    if verb.name == "Say":
        return speech_seconds(verb.text)
    if verb.name == "Pause":
        return verb.int_attr("length", 1)
    return PLAY_SECONDS


@dataclass(frozen=True)
class Jump:
    """The call moves on to another TwiML document (a verb's action answered it)."""

    url: str
    body: str


@dataclass
class CallState:
    """The caller's leg: its sid, where it stands in time, and whether the caller is gone."""

    scenario: Scenario
    base_url: str
    clock: SimulatedClock
    peer: TwilioPeer
    transcript: Transcript
    call_sid: str = field(default_factory=lambda: new_sid("CA"))
    caller_gone: bool = False
    # Set when the caller hung up on their own (--hangup-after), not after a message.
    hung_up_at: int | None = None
    # When a callee was bridged to the caller.
    connected_at: int | None = None

    def wait(self, seconds: int) -> bool:
        """Let `seconds` pass; True when the caller hangs up meanwhile (the clock stops there)."""
        deadline = self.scenario.hangup_after
        if self.caller_gone:
            return True
        if deadline is None or deadline > self.clock.elapsed + seconds:
            self.clock.advance(seconds)
            return False
        self.clock.advance_to(deadline)
        self.caller_gone = True
        self.hung_up_at = self.clock.elapsed
        return True

    def call_params(self, status: str) -> dict[str, str]:
        """The parameters Twilio sends with every request about the caller's leg."""
        scenario = self.scenario
        return {
            "AccountSid": scenario.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": self.call_sid,
            "CallStatus": status,
            "Direction": "inbound",
            "From": scenario.from_number,
            "Caller": scenario.from_number,
            "To": scenario.to_number,
            "Called": scenario.to_number,
        }

    @property
    def parent_status(self) -> str:
        return "completed" if self.caller_gone else "in-progress"
