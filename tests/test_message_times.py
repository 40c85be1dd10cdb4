"""Times in shared messages: ISO-style for the API and the CLI, dated as pages write dates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from hotline.i18n import page_text, sentence
from hotline.message_times import WallDay, WallTime
from hotline.planning.errors import PlanningError

PARIS = ZoneInfo("Europe/Paris")


def refusal() -> PlanningError:
    # 1 December 2026, 09:00 and 11:00 UTC: 10:00 and 12:00 in Paris.
    start, end = (datetime(2026, 12, 1, h, tzinfo=UTC) for h in (9, 11))
    return PlanningError(
        _l(
            "%(name)s is not on call between %(start)s and %(end)s",
            name="Alice",
            start=WallTime.of(start, PARIS),
            end=WallTime.of(end, PARIS),
        ),
        "person_id",
    )


def test_the_same_error_is_iso_for_machines_and_dated_as_on_the_page(app: Flask) -> None:
    error = refusal()
    with app.test_request_context(), force_locale("fr"):
        assert (
            str(error) == "Alice n’est pas d’astreinte entre 2026-12-01 10:00 et 2026-12-01 12:00"
        )
        assert page_text(error) == (
            "Alice n’est pas d’astreinte entre mar. 1er déc. 2026 10:00 et mar. 1er déc. 2026 12:00"
        )
    with app.test_request_context(), force_locale("en"):
        assert sentence(error.args[0]) == (
            "Alice is not on call between Tue 1 Dec 2026 10:00 and Tue 1 Dec 2026 12:00"
        )
        # Outside page_text again: back to ISO.
        assert str(error).endswith("2026-12-01 10:00 and 2026-12-01 12:00")


def test_a_time_the_clocks_skip_is_written_as_the_clock_would_read_it(app: Flask) -> None:
    skipped = WallTime(datetime(2027, 3, 28, 2, 30))
    with app.test_request_context(), force_locale("en"):
        assert str(skipped) == "2027-03-28 02:30"
        assert page_text(skipped) == "Sun 28 Mar 2027 02:30"


def test_a_day_is_iso_for_machines_and_dated_as_on_the_page(app: Flask) -> None:
    day = WallDay.of(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), PARIS)
    with app.test_request_context(), force_locale("fr"):
        assert str(day) == "2026-12-01"
        assert page_text(day) == "mar. 1er déc. 2026"
