"""Shift takes per person over a period: counted, confirmed, escalated, mean confirmation delay."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hotline.alerts.models import ShiftTake
from hotline.stats.periods import Period
from hotline.stats.shift_takes import take_figures

from .conftest import MARCH, paris


@pytest.fixture
def take(db_session, make_slot):
    def add(hotline, person, local_start, confirmed_after=None, escalated=False):
        start = paris(local_start)
        slot = make_slot(hotline, start, start + timedelta(hours=12), [person])
        row = ShiftTake(
            hotline_id=hotline.id,
            slot_id=slot.id,
            person_id=person.id,
            starts_at=start,
            confirmed_at=None if confirmed_after is None else start + confirmed_after,
            escalated_at=start + timedelta(minutes=30) if escalated else None,
        )
        db_session.add(row)
        db_session.flush()
        return row

    return add


def test_takes_are_counted_per_incoming_person(db_session, make_hotline, make_person, take):
    hotline = make_hotline(timezone="Europe/Paris")
    alice, bruno = make_person("Alice"), make_person("Bruno")
    take(hotline, alice, "2026-03-23 08:00", confirmed_after=timedelta(minutes=10))
    take(hotline, alice, "2026-03-25 08:00", confirmed_after=timedelta(minutes=-4))
    take(hotline, alice, "2026-03-27 08:00", escalated=True)
    take(hotline, bruno, "2026-03-24 08:00", escalated=True)

    figures = take_figures(db_session, MARCH, hotline.id)

    assert figures[alice.id].shifts == 3
    assert figures[alice.id].confirmed == 2
    assert figures[alice.id].escalated == 1
    # Confirmed 10 minutes after one start and 4 minutes before another: 3 minutes on average.
    assert figures[alice.id].confirm_seconds_mean == pytest.approx(180)
    assert figures[bruno.id].confirmed == 0
    assert figures[bruno.id].confirm_seconds_mean is None


def test_only_takes_starting_in_the_local_period_count(db_session, make_hotline, make_person, take):
    hotline = make_hotline(timezone="Europe/Paris")
    alice = make_person("Alice")
    take(hotline, alice, "2026-03-23 00:00", confirmed_after=timedelta(0))  # first local instant
    take(hotline, alice, "2026-04-01 00:00", confirmed_after=timedelta(0))  # the day after

    assert take_figures(db_session, MARCH, hotline.id)[alice.id].shifts == 1
    empty = Period(date(2026, 2, 1), date(2026, 2, 28), "Europe/Paris")
    assert take_figures(db_session, empty, hotline.id) == {}


def test_all_hotlines_add_up(db_session, make_hotline, make_person, take):
    north = make_hotline("+33184880001", timezone="Europe/Paris")
    south = make_hotline("+33184880002", timezone="Europe/Paris")
    alice = make_person("Alice")
    take(north, alice, "2026-03-23 08:00")
    take(south, alice, "2026-03-24 08:00")

    assert take_figures(db_session, MARCH, north.id)[alice.id].shifts == 1
    assert take_figures(db_session, MARCH)[alice.id].shifts == 2
