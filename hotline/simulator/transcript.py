"""The readable account of a simulated call, each step stamped with simulated time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hotline.simulator.clock import SimulatedClock, offset_label


@dataclass(frozen=True)
class TranscriptLine:
    at: int  # simulated seconds since the caller dialled
    text: str

    def render(self) -> str:
        return f"{offset_label(self.at)} {self.text}"


class Transcript:
    """Lines written as the call goes, stamped with the clock's current offset."""

    def __init__(self, clock: SimulatedClock, echo: Callable[[str], None] | None = None) -> None:
        self.clock = clock
        self.lines: list[TranscriptLine] = []
        self.echo = echo  # shows each line as it happens (a call played in real time)

    def add(self, text: str) -> None:
        line = TranscriptLine(self.clock.elapsed, text)
        self.lines.append(line)
        if self.echo is not None:
            self.echo(line.render())

    def render(self) -> str:
        return "\n".join(line.render() for line in self.lines)
