"""People's active flags at past moments, as the audit log recorded their changes.

A live call rings today's active people (hotline.planning.oncall); the calendar, the
dry run and the API give a past moment the flags of then instead: a person deactivated
yesterday still rang last week, and one reactivated today did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# One recorded change: (at, active before, active after).
FlagChange = tuple[datetime, bool, bool]


@dataclass(frozen=True)
class ActiveFlags:
    """Each person's recorded flag changes over a past span, oldest first, with the first
    one made after it (audit.past_changes)."""

    changes: Mapping[int, tuple[FlagChange, ...]] = field(default_factory=dict)

    @classmethod
    def from_lines(
        cls, lines: Iterable[tuple[int, datetime, dict[str, Any] | None, dict[str, Any] | None]]
    ) -> ActiveFlags:
        """Read (person id, at, before, after) audit lines, oldest first."""
        changes: dict[int, list[FlagChange]] = {}
        for person_id, at, before, after in lines:
            now_active = bool((after or {}).get("active", True))
            # A baseline has no "before": the flag first recorded is the only one known.
            was_active = now_active if before is None else bool(before.get("active", True))
            changes.setdefault(person_id, []).append((at, was_active, now_active))
        return cls({pid: tuple(found) for pid, found in changes.items()})

    def at(self, person_id: int, moment: datetime, today: bool) -> bool:
        """The person's flag at `moment`: the one their next change replaced, else the one
        their last change set, else (no change recorded since the span began) today's."""
        flag = today
        for when, was_active, now_active in self.changes.get(person_id, ()):
            if when > moment:
                return was_active
            flag = now_active
        return flag

    def cuts(self, person_ids: Iterable[int], start: datetime, end: datetime) -> list[datetime]:
        """The instants within (start, end) when one of these people's flag changed, in order."""
        return sorted(
            {
                when
                for pid in set(person_ids)
                for when, was_active, now_active in self.changes.get(pid, ())
                if start < when < end and was_active != now_active
            }
        )


def pieces(
    span: tuple[datetime, datetime], cuts: Iterable[datetime]
) -> list[tuple[datetime, datetime]]:
    """`span` cut at each instant of `cuts` within it, in order."""
    start, end = span
    bounds = [start, *(c for c in sorted(cuts) if start < c < end), end]
    return list(zip(bounds, bounds[1:], strict=False))
