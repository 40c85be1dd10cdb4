"""A person's iCal feed judges its past slots with the active flags of then."""

from __future__ import annotations

import re

import time_machine

from hotline.planning.audit import person_snapshot, record_person_change
from hotline.planning.ical import issue_person_feed
from tests.planning.builders import statements_run
from tests.planning.test_ical import events, paris
from tests.planning.test_ical_default_chain import fetch_at, local_times, on_day


def set_active_at(db_session, hotline, person, active, at):
    """Record the person's flag change at `at`, as the people page does."""
    with time_machine.travel(at, tick=False):
        before = {**person_snapshot(person), "active": not active}
        person.active = active
        record_person_change(
            db_session, person, before=before, hotline_ids=[hotline.id], user_id=None
        )
        db_session.flush()


def feed(client, db_session, person):
    return events(fetch_at(client, issue_person_feed(db_session, person, user_id=None)))


def test_a_slot_whose_only_person_was_inactive_then_is_not_their_shift(
    client, db_session, make_hotline, make_person, make_slot, set_default_chain
):
    hotline = make_hotline(name="Astreinte réseau", timezone="Europe/Paris", language="en")
    bob, carol = make_person("Bob"), make_person("Carol")
    set_default_chain(hotline, [bob])
    make_slot(hotline, paris(2026, 3, 19, 8), paris(2026, 3, 19, 18), [carol])
    # Carol was inactive on the 18th and 19th: calls that day rang the default chain.
    set_active_at(db_session, hotline, carol, False, paris(2026, 3, 18, 0))
    set_active_at(db_session, hotline, carol, True, paris(2026, 3, 20, 0))

    assert on_day(feed(client, db_session, carol), 19) == []
    bobs = on_day(feed(client, db_session, bob), 19)
    assert [local_times(e) for e in bobs] == [("00:00", "00:00")]
    assert str(bobs[0]["summary"]) == "On call Astreinte réseau (default chain, primary)"


def test_an_override_whose_person_was_active_then_hides_the_regular_slot(
    client, db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline(name="Astreinte réseau", timezone="Europe/Paris", language="en")
    carol, dan, erin = make_person("Carol"), make_person("Dan"), make_person("Erin")
    make_slot(hotline, paris(2026, 3, 19, 8), paris(2026, 3, 19, 18), [carol, dan])
    make_slot(hotline, paris(2026, 3, 19, 10), paris(2026, 3, 19, 14), [erin], override=True)
    # Erin took the override on the 19th and left on the 20th.
    set_active_at(db_session, hotline, erin, False, paris(2026, 3, 20, 0))

    dans = on_day(feed(client, db_session, dan), 19)
    assert [local_times(e) for e in dans] == [("08:00", "10:00"), ("14:00", "18:00")]
    assert {str(e["summary"]) for e in dans} == {"On call Astreinte réseau (backup 1)"}


def test_the_feed_reads_past_flags_in_a_bounded_number_of_statements(
    client, db_session, connection, make_hotline, make_person, make_slot
):
    hotline = make_hotline(name="Astreinte réseau", timezone="Europe/Paris", language="en")
    carol, dan = make_person("Carol"), make_person("Dan")
    secret = issue_person_feed(db_session, carol, user_id=None)
    make_slot(hotline, paris(2026, 3, 1, 8), paris(2026, 3, 1, 18), [carol, dan])

    def fetched():
        with statements_run(connection) as statements:
            body = fetch_at(client, secret)
        return len([s for s in statements if re.match(r"\s*SELECT", s)]), events(body)

    few, _found = fetched()
    # Nearly three weeks of daily slots, and Dan in and out every day.
    for day in range(2, 20):
        make_slot(hotline, paris(2026, 3, day, 8), paris(2026, 3, day, 18), [carol, dan])
        set_active_at(db_session, hotline, dan, day % 2 == 1, paris(2026, 3, day, 12))
    many, found = fetched()

    assert many == few
    assert [local_times(e) for e in on_day(found, 10)] == [("08:00", "18:00")]
