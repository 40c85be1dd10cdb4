"""Summary figures of a period: volumes, outcomes, speed of answer, depth of overflow."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotline.stats.errors import StatsInputError
from hotline.stats.legs import AnsweredFigures, leg_totals
from hotline.stats.periods import Period
from hotline.stats.trend import COUNT_NAMES, OutcomeCounts, counts_of, hourly_counts

DEFAULT_TARGET_SECONDS = 30
MAX_TARGET_SECONDS = 3600


@dataclass(frozen=True)
class Summary:
    """Counts, rates and times of the calls of a period.

    Rates are shares of `received` (0.0-1.0; None when no call came). Time to
    answer runs from the call's start to the moment the accepting agent
    accepted it (pressed 1, or was bridged without screening). The service
    level is the share of received calls answered within `target_seconds`.
    """

    received: int
    answered: int
    voicemail: int
    missed: int
    abandoned: int
    failed: int
    in_progress: int
    answer_seconds_mean: float | None
    answer_seconds_median: float | None
    answer_seconds_p90: float | None
    talk_seconds_mean: float | None
    talk_seconds_total: int
    answered_by_primary: int
    answered_by_backup1: int
    answered_by_backup2_plus: int
    target_seconds: int
    answered_within_target: int

    def rate(self, count: int) -> float | None:
        return count / self.received if self.received else None

    @property
    def answered_rate(self) -> float | None:
        return self.rate(self.answered)

    @property
    def voicemail_rate(self) -> float | None:
        return self.rate(self.voicemail)

    @property
    def missed_rate(self) -> float | None:
        return self.rate(self.missed)

    @property
    def abandoned_rate(self) -> float | None:
        return self.rate(self.abandoned)

    @property
    def failed_rate(self) -> float | None:
        return self.rate(self.failed)

    @property
    def service_level(self) -> float | None:
        return self.rate(self.answered_within_target)

    def depth_share(self, count: int) -> float | None:
        """Share of answered calls taken at one depth of the chain."""
        return count / self.answered if self.answered else None


def summary(
    session: Session,
    period: Period,
    hotline_id: int | None = None,
    target_seconds: int = DEFAULT_TARGET_SECONDS,
) -> Summary:
    """Compute the summary KPIs of `period` for one hotline, or all when `hotline_id` is None."""
    check_target(target_seconds)
    hours = hourly_counts(session, period, hotline_id)
    legs = leg_totals(session, period, hotline_id, target_seconds)
    return summary_from(hours, legs.answered, target_seconds)


def check_target(target_seconds: int) -> None:
    if not 1 <= target_seconds <= MAX_TARGET_SECONDS:
        raise StatsInputError(
            f"the service-level target must be 1 to {MAX_TARGET_SECONDS} seconds,"
            f" not {target_seconds}"
        )


def summary_from(
    hours: Iterable[OutcomeCounts], answered: AnsweredFigures, target_seconds: int
) -> Summary:
    """Put the summary together from outcome counts (per hour, or totals) and answered calls."""
    totals = [0] * len(COUNT_NAMES)
    for entry in hours:
        totals = [a + b for a, b in zip(totals, counts_of(entry), strict=True)]
    counts = dict(zip(COUNT_NAMES, totals, strict=True))
    calls = answered.calls
    return Summary(
        **counts,
        answer_seconds_mean=answered.wait_total / calls if calls else None,
        answer_seconds_median=answered.wait_median,
        answer_seconds_p90=answered.wait_p90,
        talk_seconds_mean=answered.talk_total / calls if calls else None,
        talk_seconds_total=answered.talk_total,
        answered_by_primary=answered.by_depth[0],
        answered_by_backup1=answered.by_depth[1],
        answered_by_backup2_plus=answered.by_depth[2],
        target_seconds=target_seconds,
        answered_within_target=answered.within_target,
    )
