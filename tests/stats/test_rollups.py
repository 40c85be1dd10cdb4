"""Hourly rollups: the dashboard shows the very figures the call records give, changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, func, select

from hotline.stats.dashboard import dashboard
from hotline.stats.periods import Period
from hotline.stats.rollup_build import build_rollups
from hotline.stats.rollup_models import StatsHour
from hotline.stats.rollups import coverage
from hotline.voice.models import Call, LegResult, Outcome

from .conftest import MARCH

# Late enough that every day of the week fixture is closed.
AFTER_THE_WEEK = datetime(2026, 4, 3, tzinfo=UTC)


def from_the_calls(session, period, hotline_id, target_seconds=30):
    """The dashboard as the call records alone give it (no hour marked complete)."""
    with session.begin_nested() as savepoint:
        session.execute(delete(StatsHour))
        board = dashboard(session, period, hotline_id, target_seconds)
        savepoint.rollback()
    return board


@pytest.mark.parametrize("all_hotlines", [False, True])
def test_dashboard_reads_the_rollups_and_shows_the_same_figures(db_session, week, all_hotlines):
    hotline_id = None if all_hotlines else week.hotline.id
    before = dashboard(db_session, MARCH, hotline_id, target_seconds=20)

    assert build_rollups(db_session, AFTER_THE_WEEK) == 11  # 22 March to 1 April, UTC
    spans = coverage(db_session, MARCH, hotline_id)

    assert spans.rolled == [(MARCH.starts_at, MARCH.ends_at)]
    assert spans.raw == []
    assert dashboard(db_session, MARCH, hotline_id, target_seconds=20) == before
    assert build_rollups(db_session, AFTER_THE_WEEK) == 0  # nothing changed since


def test_a_late_status_change_sends_its_hour_back_to_the_calls(db_session, week):
    build_rollups(db_session, AFTER_THE_WEEK)
    # Call 6 (26 March, 12:00) was abandoned; a late callback says the caller
    # reached voicemail after all, and Bruno's declined leg of call 3 was busy.
    week.calls[6].outcome = Outcome.VOICEMAIL
    week.calls[3].attempts[1].result = LegResult.BUSY
    db_session.flush()

    spans = coverage(db_session, MARCH, week.hotline.id)
    board = dashboard(db_session, MARCH, week.hotline.id)

    assert len(spans.raw) == 2  # the two hours of calls 3 and 6
    assert board == from_the_calls(db_session, MARCH, week.hotline.id)
    assert (board.summary.voicemail, board.summary.abandoned) == (2, 0)
    bruno = next(row for row in board.agents if row.person_id == week.bruno.id)
    assert (bruno.busy, bruno.declined) == (1, 0)

    assert build_rollups(db_session, AFTER_THE_WEEK) == 2
    assert coverage(db_session, MARCH, week.hotline.id).raw == []
    assert dashboard(db_session, MARCH, week.hotline.id) == board


def test_a_call_replayed_into_a_summarised_day_is_counted(db_session, week, make_call):
    build_rollups(db_session, AFTER_THE_WEEK)
    received = dashboard(db_session, MARCH, week.hotline.id).summary.received

    # `hotline replay-calls` records a call the fallback took days ago.
    make_call(week.hotline, "2026-03-24 03:10", Outcome.MISSED, [(week.alice, LegResult.NO_ANSWER)])
    board = dashboard(db_session, MARCH, week.hotline.id)

    assert board.summary.received == received + 1
    assert board == from_the_calls(db_session, MARCH, week.hotline.id)
    assert board.trend[1].missed == 1  # Tuesday 24 March, local day


def test_deleting_a_call_unmarks_its_hour(db_session, week):
    build_rollups(db_session, AFTER_THE_WEEK)
    db_session.execute(delete(Call).where(Call.id == week.calls[2].id))

    board = dashboard(db_session, MARCH, week.hotline.id)

    assert board.summary.received == 11
    assert board == from_the_calls(db_session, MARCH, week.hotline.id)


def test_open_days_are_not_rolled_up(db_session, week):
    # On 31 March at 12:00 UTC, the 31st (and, within six hours, the 30th's end) is open.
    assert build_rollups(db_session, datetime(2026, 3, 31, 12, tzinfo=UTC)) == 9
    spans = coverage(db_session, MARCH, week.hotline.id)

    assert spans.raw == [(datetime(2026, 3, 31, tzinfo=UTC), MARCH.ends_at)]
    assert dashboard(db_session, MARCH, week.hotline.id) == from_the_calls(
        db_session, MARCH, week.hotline.id
    )


def test_a_zone_with_half_hour_offsets_reads_the_calls(db_session, week):
    build_rollups(db_session, AFTER_THE_WEEK)
    kolkata = Period(date(2026, 3, 23), date(2026, 3, 31), "Asia/Kolkata")

    assert coverage(db_session, kolkata, week.hotline.id).rolled == []
    assert dashboard(db_session, kolkata, week.hotline.id) == from_the_calls(
        db_session, kolkata, week.hotline.id
    )


def test_rollup_command_builds_the_closed_days(runner, db_session, week, time_machine):
    time_machine.move_to(AFTER_THE_WEEK)

    result = runner.invoke(args=["stats", "rollup"])

    assert result.exit_code == 0, result.output
    assert "11 day(s)" in result.output
    marked = db_session.scalar(select(func.count()).select_from(StatsHour))
    assert marked == 11 * 24 * 2  # the hotline, and the calls of no hotline


def test_the_worker_rebuilds_the_rollups_every_hour(app, db_session, week, time_machine):
    from hotline.alerts.queue import alert_queue

    huey = alert_queue(app).huey
    [rollup] = [task for task in huey._registry.periodic_tasks if task.name == "stats.rollup"]
    time_machine.move_to(AFTER_THE_WEEK)

    assert rollup.validate_datetime(datetime(2026, 4, 2, 10, 7))
    assert not rollup.validate_datetime(datetime(2026, 4, 2, 10, 8))
    rollup.execute()  # what the consumer runs at that minute
    assert db_session.scalar(select(func.count()).select_from(StatsHour)) == 11 * 24 * 2


def test_answer_times_read_from_the_rollups_are_those_of_every_wait(
    db_session, make_hotline, make_person, make_call
):
    """Waits on both sides of whole seconds, over whole days, edge hours and a raw hour."""
    hotline = make_hotline(timezone="Europe/Paris")
    alice = make_person("Alice Martin")
    waits = [12.5, 29.999, 30.0, 30.001, 30.5, 31.0, 44.25, 45.0, 59.999, 60.0, 61.5]
    for n, wait in enumerate(waits):  # 23 to 31 March: whole UTC days, then the 31st's hours
        make_call(
            hotline,
            f"2026-03-{23 + n % 9} 10:{n:02d}",
            Outcome.ANSWERED,
            [(alice, LegResult.ACCEPTED)],
            accepted_after=wait,
            talk=10,
        )
    build_rollups(db_session, AFTER_THE_WEEK)
    # Recorded late into a rolled-up day: its hour is read from the calls.
    make_call(
        hotline,
        "2026-03-25 16:00",
        Outcome.ANSWERED,
        [(alice, LegResult.ACCEPTED)],
        accepted_after=75,
        talk=10,
    )

    board = dashboard(db_session, MARCH, hotline.id, target_seconds=30)

    spans = coverage(db_session, MARCH, hotline.id)
    assert spans.rolled_days
    assert spans.rolled_hours
    assert len(spans.raw) == 2  # the late call's hour; 22 March, before the first call
    assert board == from_the_calls(db_session, MARCH, hotline.id, target_seconds=30)
    summary = board.summary
    assert summary.answered_within_target == 3  # 12.5, 29.999 and 30.0 s
    # Twelve waits: the median lies halfway between the 6th and 7th, the 90th
    # percentile nine tenths of the way from the 10th to the 11th.
    assert summary.answer_seconds_median == pytest.approx((31.0 + 44.25) / 2)
    assert summary.answer_seconds_p90 == pytest.approx(60.0 + 0.9 * 1.5)
