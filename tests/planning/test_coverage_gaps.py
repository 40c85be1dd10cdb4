"""Coverage gaps: spans where a call would ring nobody, merged, found in one query."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event

from hotline.planning.coverage import coverage, coverage_gaps
from hotline.planning.oncall import Route, resolve_chain
from tests.planning.builders import paris


def test_gaps_are_the_spans_no_staffed_slot_covers(
    db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    alice, gone = make_person("Alice"), make_person("Gone", active=False)
    make_slot(hotline, paris(2026, 12, 1, 8), paris(2026, 12, 1, 12), [alice])
    # Staffed only by an inactive person: nobody would be rung.
    make_slot(hotline, paris(2026, 12, 1, 12), paris(2026, 12, 1, 14), [gone])
    make_slot(hotline, paris(2026, 12, 1, 14), paris(2026, 12, 1, 20), [alice])
    # An override covers part of the night: the gap is cut in two.
    make_slot(hotline, paris(2026, 12, 1, 22), paris(2026, 12, 1, 23), [alice], override=True)
    # An override over a regular slot changes nothing to coverage.
    make_slot(hotline, paris(2026, 12, 1, 9), paris(2026, 12, 1, 10), [alice], override=True)

    gaps = coverage_gaps(db_session, hotline.id, paris(2026, 12, 1, 0), paris(2026, 12, 2, 0))

    assert gaps == [
        (paris(2026, 12, 1, 0), paris(2026, 12, 1, 8)),
        (paris(2026, 12, 1, 12), paris(2026, 12, 1, 14)),
        (paris(2026, 12, 1, 20), paris(2026, 12, 1, 22)),
        (paris(2026, 12, 1, 23), paris(2026, 12, 2, 0)),
    ]


def test_slot_overlapping_the_period_edges_closes_the_gap(
    db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    alice = make_person("Alice")
    make_slot(hotline, paris(2026, 11, 30, 20), paris(2026, 12, 1, 8), [alice])
    make_slot(hotline, paris(2026, 12, 1, 20), paris(2026, 12, 2, 8), [alice])

    gaps = coverage_gaps(db_session, hotline.id, paris(2026, 12, 1, 0), paris(2026, 12, 2, 0))

    assert gaps == [(paris(2026, 12, 1, 8), paris(2026, 12, 1, 20))]


def test_months_of_slots_are_scanned_in_one_query(db_session, make_hotline, make_person, make_slot):
    hotline = make_hotline()
    alice = make_person("Alice")
    start = paris(2026, 9, 1, 8)
    for day in range(120):
        if day != 100:  # one day nobody holds
            base = start + timedelta(days=day)
            make_slot(hotline, base, base + timedelta(hours=24), [alice])
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - a one-line spy
    event.listen(db_session.connection(), "before_cursor_execute", listener)
    try:
        gaps = coverage_gaps(db_session, hotline.id, start, start + timedelta(days=120))
    finally:
        event.remove(db_session.connection(), "before_cursor_execute", listener)

    hole = start + timedelta(days=100)
    assert gaps == [(hole, hole + timedelta(hours=24))]
    # The slots in one query, whatever their number (the default chain is one more).
    assert len([s for s in statements if "FROM slot" in s]) == 1


def test_hours_the_default_chain_takes_are_no_gap(
    db_session, make_hotline, make_person, make_slot, set_default_chain
):
    hotline = make_hotline()
    alice, bruno, chloe = make_person("Alice"), make_person("Bruno"), make_person("Chloé")
    make_slot(hotline, paris(2026, 12, 1, 8), paris(2026, 12, 1, 20), [alice])
    set_default_chain(hotline, [bruno, chloe])
    start, end = paris(2026, 12, 1, 0), paris(2026, 12, 2, 0)

    found = coverage(db_session, hotline.id, start, end)

    assert coverage_gaps(db_session, hotline.id, start, end) == []
    assert found.gaps == []
    assert found.default_only == [
        (paris(2026, 12, 1, 0), paris(2026, 12, 1, 8)),
        (paris(2026, 12, 1, 20), paris(2026, 12, 2, 0)),
    ]
    assert [r.name for r in found.default_chain] == ["Bruno", "Chloé"]
    # The truth for a call: the lookup rings the default chain there.
    night = resolve_chain(db_session, hotline.id, paris(2026, 12, 1, 3))
    assert night.route == Route.DEFAULT


def test_a_default_chain_of_inactive_people_leaves_the_gap(
    db_session, make_hotline, make_person, make_slot, set_default_chain
):
    hotline = make_hotline()
    alice = make_person("Alice")
    make_slot(hotline, paris(2026, 12, 1, 8), paris(2026, 12, 1, 20), [alice])
    set_default_chain(hotline, [make_person("Gone", active=False)])
    start, end = paris(2026, 12, 1, 0), paris(2026, 12, 2, 0)

    found = coverage(db_session, hotline.id, start, end)

    assert coverage_gaps(db_session, hotline.id, start, end) == found.gaps
    assert found.gaps == [
        (paris(2026, 12, 1, 0), paris(2026, 12, 1, 8)),
        (paris(2026, 12, 1, 20), paris(2026, 12, 2, 0)),
    ]
    assert found.default_only == []
    assert resolve_chain(db_session, hotline.id, paris(2026, 12, 1, 3)).route == Route.NOBODY
