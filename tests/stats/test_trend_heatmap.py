"""Daily trend and weekly heatmap, in the hotline's local time."""

from __future__ import annotations

from datetime import date

from hotline.models import Hotline
from hotline.stats.heatmap import weekly_heatmap
from hotline.stats.periods import Period
from hotline.stats.trend import daily_trend
from hotline.voice.models import LegResult, Outcome

from .conftest import MARCH


def test_trend_has_every_local_day_with_its_calls(db_session, week):
    trend = daily_trend(db_session, MARCH, week.hotline.id)

    assert [d.day for d in trend] == MARCH.days()
    assert [d.received for d in trend] == [3, 1, 2, 2, 1, 0, 1, 0, 2]
    by_day = {d.day: d for d in trend}
    assert by_day[date(2026, 3, 25)].voicemail == 1  # 00:30 Paris, the 24th in UTC
    assert by_day[date(2026, 3, 25)].missed == 1
    assert by_day[date(2026, 3, 26)].abandoned == 1
    assert by_day[date(2026, 3, 31)].in_progress == 1
    assert by_day[date(2026, 3, 28)].received == 0


def test_call_at_2330_local_counts_on_its_local_day_west_of_utc(
    db_session, make_hotline, make_person, make_call
):
    # Cayenne is UTC-3: 23:30 local on the 10th is 02:30 UTC on the 11th.
    hotline: Hotline = make_hotline("+594594000000", timezone="America/Cayenne")
    agent = make_person()
    call = make_call(
        hotline,
        "2026-06-11 04:30",
        Outcome.ANSWERED,
        [(agent, LegResult.ACCEPTED)],
        accepted_after=10,
        talk=30,
    )
    period = Period(date(2026, 6, 10), date(2026, 6, 11), "America/Cayenne")

    trend = daily_trend(db_session, period, hotline.id)
    heat = weekly_heatmap(db_session, period, hotline.id)

    assert call.started_at.isoformat() == "2026-06-11T02:30:00+00:00"
    assert [(d.day, d.received) for d in trend] == [(date(2026, 6, 10), 1), (date(2026, 6, 11), 0)]
    assert heat.calls[2][23] == 1  # Wednesday, 23:00-24:00


def test_heatmap_counts_calls_and_misses_by_local_weekday_and_hour(db_session, week):
    heat = weekly_heatmap(db_session, MARCH, week.hotline.id)

    assert sum(map(sum, heat.calls)) == 12
    assert sum(map(sum, heat.misses)) == 3
    assert heat.calls[0][0] == 1  # Monday 00:10
    assert heat.calls[1][23] == 2  # Tuesdays 23:30, both sides of the DST change
    assert heat.calls[3][12] == 2
    assert heat.misses[3][12] == 1
    assert heat.misses[2][0] == 1
    assert heat.misses[2][9] == 1
    assert heat.calls[6][10] == 1  # Sunday 10:00 CEST (08:00 UTC)
    assert heat.misses[1][10] == 0  # a call still ringing is no miss


def test_empty_period_has_zero_days_and_an_empty_grid(db_session, week):
    period = Period(date(2026, 2, 1), date(2026, 2, 3), "Europe/Paris")

    assert [d.received for d in daily_trend(db_session, period, week.hotline.id)] == [0, 0, 0]
    heat = weekly_heatmap(db_session, period, week.hotline.id)
    assert heat.calls == [[0] * 24 for _ in range(7)]


def test_dashboard_gathers_the_same_figures_in_fewer_passes(db_session, week):
    from hotline.stats.agents import agent_table
    from hotline.stats.dashboard import dashboard
    from hotline.stats.kpis import summary

    board = dashboard(db_session, MARCH, week.hotline.id, target_seconds=20)

    assert board.summary == summary(db_session, MARCH, week.hotline.id, 20)
    assert board.trend == daily_trend(db_session, MARCH, week.hotline.id)
    assert board.heatmap == weekly_heatmap(db_session, MARCH, week.hotline.id)
    assert board.agents == agent_table(db_session, MARCH, week.hotline.id)
