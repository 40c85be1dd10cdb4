"""Simulated time: starts at the real now and moves only when the simulation says so.

`SimulatedClock` never sleeps (tests, scripted runs); `RealTimeClock` waits out each
step, so the moments the server stamps with its own clock (a call's start, a leg
dialled, a key pressed) and the `Timestamp`s the simulator sends lie on one timeline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime


class SimulatedClock:
    """A clock that never sleeps: ringing 20 s is one call to `advance(20)`."""

    def __init__(self, start: datetime | None = None) -> None:
        self.start = (start or datetime.now(UTC)).replace(microsecond=0)
        self.elapsed = 0

    def advance(self, seconds: int) -> None:
        self.elapsed += max(0, seconds)

    def advance_to(self, elapsed: int) -> None:
        self.elapsed = max(self.elapsed, elapsed)

    @property
    def now(self) -> datetime:
        return self.at(self.elapsed)

    def at(self, elapsed: int) -> datetime:
        return self.start + timedelta(seconds=elapsed)

    def rfc2822(self, elapsed: int | None = None) -> str:
        """A moment (default now) as Twilio writes it: "Tue, 17 Oct 2023 10:00:00 +0000"."""
        return format_datetime(self.at(self.elapsed if elapsed is None else elapsed))


class RealTimeClock(SimulatedClock):
    """Simulated time that keeps pace with the real clock: advancing waits until then."""

    def __init__(
        self,
        start: datetime | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.sleep = sleep
        self.real_now = now
        super().__init__(start or now())

    def advance(self, seconds: int) -> None:
        super().advance(seconds)
        self._catch_up()

    def advance_to(self, elapsed: int) -> None:
        super().advance_to(elapsed)
        self._catch_up()

    def _catch_up(self) -> None:
        # Sleep until the real clock reaches the simulated one; time spent on HTTP
        # meanwhile is absorbed rather than added, so the two never drift apart.
        ahead = (self.now - self.real_now()).total_seconds()
        if ahead > 0:
            self.sleep(ahead)


def offset_label(seconds: int) -> str:
    """Seconds since the call began as "+mm:ss" (or "+h:mm:ss" past an hour)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"+{hours}:{minutes:02d}:{secs:02d}" if hours else f"+{minutes:02d}:{secs:02d}"
