"""What the simulated call does: who calls, and how each rung callee behaves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Behaviour(StrEnum):
    """How a callee treats one ring leg."""

    ACCEPT = "accept"  # answers and presses 1
    NO_ANSWER = "no-answer"  # lets it ring until the dial timeout
    BUSY = "busy"  # rejects the call: the carrier reports busy
    FAILED = "failed"  # unreachable: the carrier reports failed
    VOICEMAIL = "voicemail"  # personal voicemail picks up: answers, never presses a key
    IGNORE = "ignore"  # answers but does not press 1
    DECLINE = "decline"  # answers and presses 2


# Legs beyond the scripted ones keep ringing out.
DEFAULT_BEHAVIOUR = Behaviour.NO_ANSWER
DEFAULT_ACCOUNT_SID = "AC" + "0" * 32


class InvalidScenario(ValueError):
    """A scenario the simulator cannot play (unknown behaviour, negative time)."""


def parse_legs(text: str) -> tuple[Behaviour, ...]:
    """Read a comma list of behaviours, in chain order ("no-answer,busy,accept")."""
    words = [word.strip().lower() for word in text.split(",") if word.strip()]
    known = {b.value: b for b in Behaviour}
    unknown = [word for word in words if word not in known]
    if unknown:
        raise InvalidScenario(
            f"unknown callee behaviour {unknown[0]!r}; choose among: {', '.join(known)}"
        )
    return tuple(known[word] for word in words)


@dataclass(frozen=True)
class Scenario:
    """One call to play: the numbers, the callees' behaviours and the caller's patience."""

    to_number: str
    from_number: str
    legs: tuple[Behaviour, ...] = ()
    # Conversation length once a callee is connected; then the callee hangs up.
    talk_seconds: int = 30
    # Length of the voicemail the caller leaves; 0 leaves none.
    message_seconds: int = 0
    # The caller hangs up this many seconds after dialling, whatever happens.
    hangup_after: int | None = None
    # The number's own status callback (where Twilio reports the caller's leg).
    status_path: str = "/voice/status"
    account_sid: str = DEFAULT_ACCOUNT_SID
    # Callee names by number, only to make the transcript readable.
    names: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for label, value in (("talk", self.talk_seconds), ("message", self.message_seconds)):
            if value < 0:
                raise InvalidScenario(f"{label} time must be 0 or more seconds, not {value}")
        if self.hangup_after is not None and self.hangup_after < 0:
            raise InvalidScenario(
                f"hang-up time must be 0 or more seconds, not {self.hangup_after}"
            )

    def behaviour_of_leg(self, index: int) -> Behaviour:
        """The behaviour of the `index`-th leg rung (0-based), no-answer past the script."""
        return self.legs[index] if index < len(self.legs) else DEFAULT_BEHAVIOUR

    def name_of(self, number: str) -> str:
        return self.names.get(number, "")
