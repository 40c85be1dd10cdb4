"""Per-agent table and on-call hours."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from hotline.stats.agents import agent_table
from hotline.stats.oncall_hours import hours_of, oncall_intervals
from hotline.stats.periods import Period
from hotline.voice.models import LegResult, Outcome

from .conftest import MARCH, paris


def test_agent_table_counts_each_leg_by_how_it_ended(db_session, week):
    rows = {row.name: row for row in agent_table(db_session, MARCH, week.hotline.id)}

    alice, bruno, chloe = rows["Alice Martin"], rows["Bruno Petit"], rows["Chloé Durand"]
    assert [r.name for r in agent_table(db_session, MARCH, week.hotline.id)] == [
        "Alice Martin",
        "Bruno Petit",
        "Chloé Durand",
    ]
    assert (alice.offered, alice.accepted, alice.missed, alice.busy, alice.canceled) == (
        12,
        5,
        4,
        1,
        1,
    )
    assert (bruno.offered, bruno.accepted, bruno.declined, bruno.missed, bruno.failed) == (
        5,
        2,
        1,
        1,
        1,
    )
    assert (chloe.offered, chloe.accepted, chloe.missed) == (3, 1, 2)
    assert (alice.talk_seconds, bruno.talk_seconds, chloe.talk_seconds) == (895, 390, 60)
    assert alice.accept_seconds_mean == pytest.approx(9.8, abs=0.01)
    assert bruno.accept_seconds_mean == pytest.approx(13.5, abs=0.01)
    assert chloe.accept_seconds_mean == pytest.approx(4.0, abs=0.01)


def test_today_counts_the_on_call_hours_served_so_far(
    db_session, make_hotline, make_person, make_slot
):
    hotline, alice = make_hotline(timezone="Europe/Paris"), make_person("Alice")
    make_slot(hotline, paris("2026-11-27 08:00"), paris("2026-11-27 20:00"), [alice])

    with time_machine.travel(paris("2026-11-27 12:30"), tick=False):
        today = Period.today("Europe/Paris")
        [row] = agent_table(db_session, today, hotline.id)

    assert row.oncall_hours_any == pytest.approx(4.5)  # not the 12 h planned


def test_oncall_hours_primary_and_any_position_with_override_and_dst(db_session, week):
    rows = {row.name: row for row in agent_table(db_session, MARCH, week.hotline.id)}

    # Slot 1: 5 days less the 4 h override; slot 2: 4 days less the DST hour.
    assert rows["Alice Martin"].oncall_hours_primary == pytest.approx(116)
    assert rows["Alice Martin"].oncall_hours_any == pytest.approx(211)
    assert rows["Bruno Petit"].oncall_hours_primary == pytest.approx(95)
    assert rows["Chloé Durand"].oncall_hours_primary == pytest.approx(4)
    assert rows["Chloé Durand"].oncall_hours_any == pytest.approx(215)


def test_oncall_hours_are_clipped_to_the_period(db_session, week):
    one_day = Period(date(2026, 3, 26), date(2026, 3, 26), "Europe/Paris")
    spans = oncall_intervals(
        db_session,
        one_day.starts_at,
        one_day.ends_at,
        hotline_id=week.hotline.id,
        primary_only=True,
    )

    assert spans[week.alice.id] == [
        (paris("2026-03-26 00:00"), paris("2026-03-26 08:00")),
        (paris("2026-03-26 12:00"), paris("2026-03-27 00:00")),
    ]
    assert hours_of(spans[week.chloe.id]) == pytest.approx(4)
    assert week.bruno.id not in spans


def test_nobody_rung_or_on_call_gives_an_empty_table(db_session, week):
    assert agent_table(db_session, Period(date(2026, 2, 1), date(2026, 2, 7), "Europe/Paris")) == []


def test_a_leg_never_dialled_is_not_offered_to_anyone(db_session, week, make_call):
    before = {row.name: row.offered for row in agent_table(db_session, MARCH, week.hotline.id)}
    # The caller hung up during the greeting: the first leg was never dialled.
    make_call(
        week.hotline, "2026-03-27 09:00", Outcome.ABANDONED, [(week.chloe, LegResult.NOT_DIALLED)]
    )

    after = {row.name: row.offered for row in agent_table(db_session, MARCH, week.hotline.id)}

    assert after == before
