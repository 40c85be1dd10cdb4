"""The one error the statistics raise for input they cannot work with."""

from __future__ import annotations


class StatsInputError(ValueError):
    """A period, filter, page size or locale that makes no sense; the message says why."""
