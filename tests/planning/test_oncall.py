"""The on-call lookup at slot boundaries, in the hotline's time zone, across DST."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hotline.planning.oncall import Route, resolve_chain

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.fixture
def day_night(make_hotline, make_person, make_slot):
    """Day 08:00-20:00 (Alice) and night 20:00-08:00 (Bruno), Paris time, around a date."""

    def build(year: int, month: int, day: int):
        hotline = make_hotline()
        alice, bruno = make_person("Alice"), make_person("Bruno")
        for offset in (-1, 0, 1):
            d = datetime(year, month, day) + timedelta(days=offset)
            make_slot(
                hotline,
                paris(d.year, d.month, d.day, 8),
                paris(d.year, d.month, d.day, 20),
                [alice, bruno],
            )
            n = d + timedelta(days=1)
            make_slot(
                hotline,
                paris(d.year, d.month, d.day, 20),
                paris(n.year, n.month, n.day, 8),
                [bruno, alice],
            )
        return hotline, alice, bruno

    return build


def primary(session, hotline, at):
    return resolve_chain(session, hotline.id, at).responders[0].name


@pytest.mark.parametrize(
    ("date", "utc_offset_at_8"),
    [((2026, 3, 29), 2), ((2026, 10, 25), 1)],
    ids=["spring-forward", "fall-back"],
)
def test_handoffs_follow_paris_wall_clock_on_dst_days(db_session, day_night, date, utc_offset_at_8):
    hotline, _alice, _bruno = day_night(*date)
    handoff = paris(*date, 8)
    assert handoff.utcoffset() == timedelta(hours=utc_offset_at_8)

    assert primary(db_session, hotline, handoff - timedelta(seconds=1)) == "Bruno"
    assert primary(db_session, hotline, handoff) == "Alice"
    assert primary(db_session, hotline, paris(*date, 19, 59, 59)) == "Alice"
    assert primary(db_session, hotline, paris(*date, 20)) == "Bruno"


def test_night_across_spring_forward_is_one_hour_shorter(db_session, day_night):
    hotline, *_ = day_night(2026, 3, 28)
    start, end = paris(2026, 3, 28, 20), paris(2026, 3, 29, 8)
    assert (end - start.astimezone(ZoneInfo("UTC"))) == timedelta(hours=11)
    # 02:30 local does not exist that night; 01:59 UTC+1 and 03:00 UTC+2 are both Bruno's.
    assert primary(db_session, hotline, paris(2026, 3, 29, 1, 59)) == "Bruno"
    assert primary(db_session, hotline, paris(2026, 3, 29, 3, 0)) == "Bruno"


def test_night_across_fall_back_covers_the_repeated_hour(db_session, day_night):
    hotline, *_ = day_night(2026, 10, 24)
    first = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=1)
    assert second - first.astimezone(ZoneInfo("UTC")) == timedelta(hours=1)
    assert primary(db_session, hotline, first) == "Bruno"
    assert primary(db_session, hotline, second) == "Bruno"


def test_gap_between_slots_has_no_slot_chain(db_session, make_hotline, make_person, make_slot):
    hotline = make_hotline()
    make_slot(hotline, paris(2026, 11, 2, 8), paris(2026, 11, 2, 12), [make_person()])

    chain = resolve_chain(db_session, hotline.id, paris(2026, 11, 2, 12))

    assert chain.route == Route.NOBODY
    assert chain.responders == ()


def test_slots_of_other_hotlines_are_ignored(db_session, make_hotline, make_person, make_slot):
    ours, theirs = make_hotline(), make_hotline("+33184881235")
    make_slot(theirs, paris(2026, 11, 2, 8), paris(2026, 11, 2, 20), [make_person()])

    assert resolve_chain(db_session, ours.id, paris(2026, 11, 2, 9)).route == Route.NOBODY
