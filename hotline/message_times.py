"""Dates and times put into messages, written for whoever reads them.

A message shared by the web pages, the API and the CLI (a planning error, a warning)
holds its times as `WallTime` and `WallDay` values, not as text. Written out as
usual (`str`), they read ISO-style, ``2026-12-01 08:00``, as the API, the CLI and
the logs need; inside `times_written_by(writer)` the writer writes them, as a web
page does with its own dates (see hotline.i18n.page_text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class TimeWriter:
    """How a reader writes a wall-clock time and a calendar day."""

    time: Callable[[datetime], str]
    day: Callable[[date], str]


# None: ISO-style, the text every message had before readers got their own writers.
_writer: ContextVar[TimeWriter | None] = ContextVar("message_time_writer", default=None)


@dataclass(frozen=True)
class WallTime:
    """A time as the hotline's clock reads it, put into a message.

    Kept as the clock's reading (naive), not as an instant: it may name none, as
    in the hour the clocks skip in spring.
    """

    wall: datetime

    @classmethod
    def of(cls, moment: datetime, zone: ZoneInfo) -> WallTime:
        """The reading of `zone`'s clock at the instant `moment`."""
        return cls(moment.astimezone(zone).replace(tzinfo=None))

    def __str__(self) -> str:
        writer = _writer.get()
        return writer.time(self.wall) if writer else self.wall.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class WallDay:
    """A calendar day in the hotline's zone, put into a message."""

    day: date

    @classmethod
    def of(cls, moment: datetime, zone: ZoneInfo) -> WallDay:
        """The day in `zone` at the instant `moment`."""
        return cls(moment.astimezone(zone).date())

    def __str__(self) -> str:
        writer = _writer.get()
        return writer.day(self.day) if writer else self.day.isoformat()


@contextmanager
def times_written_by(writer: TimeWriter) -> Iterator[None]:
    """Within the block, messages write their WallTime and WallDay values with `writer`."""
    token = _writer.set(writer)
    try:
        yield
    finally:
        _writer.reset(token)
