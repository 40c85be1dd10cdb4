"""iCal feeds: the hours no slot covers, where a hotline's default chain rings."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import delete

from hotline.planning.audit import (
    UPDATE,
    person_snapshot,
    record_default_chain_change,
    record_person_change,
)
from hotline.planning.ical import issue_hotline_feed, issue_person_feed
from hotline.planning.models import DefaultResponder
from tests.planning.builders import statements_run
from tests.planning.test_ical import NOW, PARIS, events, paris, utc_by_vtimezone


def fetch_at(client, secret, at=NOW):
    with time_machine.travel(at, tick=False):
        response = client.get(f"/ical/{secret}.ics")
    assert response.status_code == 200
    return response.data


def on_day(found, day):
    """The events that start on a local day of March 2026 in Paris."""
    return [e for e in found if e.decoded("dtstart").astimezone(PARIS).date().day == day
            and e.decoded("dtstart").astimezone(PARIS).month == 3]  # fmt: skip


def local_times(event):
    return event["dtstart"].dt.strftime("%H:%M"), event["dtend"].dt.strftime("%H:%M")


@pytest.fixture
def team(make_hotline, make_person, make_slot, set_default_chain):
    """An English hotline in Paris whose day slot of the 25th (08:00-18:00) is Carol's and
    whose night slot (20:00-08:00) is Dan's: from 18:00 to 20:00 the default chain, Bob
    then Alice, rings."""
    hotline = make_hotline(name="Astreinte réseau", timezone="Europe/Paris", language="en")
    alice, bob = make_person("Alice"), make_person("Bob")
    carol, dan = make_person("Carol"), make_person("Dan")
    set_default_chain(hotline, [bob, alice])
    make_slot(hotline, paris(2026, 3, 25, 8), paris(2026, 3, 25, 18), [carol])
    make_slot(hotline, paris(2026, 3, 25, 20), paris(2026, 3, 26, 8), [dan])
    return hotline, alice, bob, carol


def test_a_default_chain_hour_is_in_the_persons_feed_with_their_place(client, db_session, team):
    _hotline, alice, _bob, _carol = team

    body = fetch_at(client, issue_person_feed(db_session, alice, user_id=None))
    (event,) = [e for e in on_day(events(body), 25) if local_times(e) == ("18:00", "20:00")]

    assert str(event["summary"]) == "On call Astreinte réseau (default chain, backup 1)"
    assert str(event["description"]).splitlines() == [
        "No slot covers these hours: calls ring the default chain.",
        "Primary: Bob",
        "Backup 1: Alice",
    ]
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert utc_by_vtimezone(body, event["dtstart"]) == paris(2026, 3, 25, 18)
    assert utc_by_vtimezone(body, event["dtend"]) == paris(2026, 3, 25, 20)


def test_hours_a_slot_covers_are_not_default_chain_events(client, db_session, team, make_slot):
    hotline, alice, _bob, carol = team
    # Carol is on call 18:00-19:00 too: only 19:00-20:00 is left to the default chain.
    make_slot(hotline, paris(2026, 3, 25, 18), paris(2026, 3, 25, 19), [carol])

    mine = on_day(events(fetch_at(client, issue_person_feed(db_session, alice, user_id=None))), 25)
    line = on_day(
        events(fetch_at(client, issue_hotline_feed(db_session, hotline, user_id=None))), 25
    )

    assert [local_times(e) for e in mine] == [("00:00", "08:00"), ("19:00", "20:00")]
    assert [(local_times(e), str(e["summary"])) for e in line] == [
        (("00:00", "08:00"), "Default chain: Bob (backup Alice)"),
        (("08:00", "18:00"), "Carol"),
        (("18:00", "19:00"), "Carol"),
        (("19:00", "20:00"), "Default chain: Bob (backup Alice)"),
        (("20:00", "08:00"), "Dan"),
    ]


def test_the_hotline_feed_gives_the_default_chain_with_numbers_and_no_gap_events(
    client, db_session, team, make_hotline, make_slot, make_person
):
    hotline, *_people = team
    bare = make_hotline(number="+33184889999", name="Sans chaîne", timezone="Europe/Paris")
    make_slot(bare, paris(2026, 3, 25, 8), paris(2026, 3, 25, 18), [make_person("Eve")])

    line = on_day(
        events(fetch_at(client, issue_hotline_feed(db_session, hotline, user_id=None))), 25
    )
    (evening,) = [e for e in line if local_times(e) == ("18:00", "20:00")]
    # A hotline without a default chain: its holes are gaps, not events.
    bare_found = events(fetch_at(client, issue_hotline_feed(db_session, bare, user_id=None)))

    assert str(evening["description"]).splitlines() == [
        "No slot covers these hours: calls ring the default chain.",
        "Primary: Bob 06 12 34 56 02",
        "Backup 1: Alice 06 12 34 56 01",
    ]
    assert [local_times(e) for e in bare_found] == [("08:00", "18:00")]


def test_default_chain_hours_keep_local_times_on_the_dst_day(
    client, db_session, make_hotline, make_person, make_slot, set_default_chain
):
    hotline = make_hotline(timezone="Europe/Paris", language="en")
    alice, carol = make_person("Alice"), make_person("Carol")
    set_default_chain(hotline, [alice])
    # Paris springs forward at 02:00 on 29 March: 01:00-04:00 local lasts two hours.
    make_slot(hotline, paris(2026, 3, 28, 8), paris(2026, 3, 29, 1), [carol])
    make_slot(hotline, paris(2026, 3, 29, 4), paris(2026, 3, 30, 8), [carol])

    body = fetch_at(client, issue_person_feed(db_session, alice, user_id=None))
    found = on_day(events(body), 29)

    assert [local_times(e) for e in found] == [("01:00", "04:00")]
    (event,) = found
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert utc_by_vtimezone(body, event["dtstart"]) == datetime(2026, 3, 29, 0, tzinfo=UTC)
    assert utc_by_vtimezone(body, event["dtend"]) == datetime(2026, 3, 29, 2, tzinfo=UTC)
    # A day with no slot at all is one event from midnight to midnight: 23 hours that day.
    whole = on_day(events(body), 27)
    assert [local_times(e) for e in whole] == [("00:00", "00:00")]


def test_uids_stay_put_across_fetches_and_unrelated_changes(client, db_session, team, make_slot):
    hotline, alice, _bob, carol = team
    person_secret = issue_person_feed(db_session, alice, user_id=None)
    hotline_secret = issue_hotline_feed(db_session, hotline, user_id=None)

    def default_uids(secret, at):
        found = events(fetch_at(client, secret, at))
        return {
            str(e["uid"]): local_times(e) for e in found if "default" in str(e["summary"]).lower()
        }

    first = {s: default_uids(s, NOW) for s in (person_secret, hotline_secret)}
    # Two hours later (the window moved) and after a slot added a week on.
    make_slot(hotline, paris(2026, 4, 2, 8), paris(2026, 4, 2, 18), [carol])
    later = {s: default_uids(s, NOW + timedelta(hours=2)) for s in (person_secret, hotline_secret)}

    april_2 = paris(2026, 4, 2, 0).strftime("%Y%m%dT%H%M%SZ")
    for secret in (person_secret, hotline_secret):
        assert first[secret]
        # Every event of the first fetch is still there under the same UID; the slot of
        # 2 April shortened that day's event, and its evening is a new one.
        assert set(first[secret]) <= set(later[secret])
        (day_uid,) = [uid for uid in first[secret] if april_2 in uid]
        assert first[secret][day_uid] == ("00:00", "00:00")
        assert later[secret][day_uid] == ("00:00", "08:00")
        new = set(later[secret]) - set(first[secret])
        assert [later[secret][uid] for uid in new] == [("18:00", "00:00")]


def test_a_new_place_in_the_chain_updates_the_same_event(client, db_session, team):
    hotline, alice, bob, _carol = team
    secret = issue_person_feed(db_session, alice, user_id=None)

    def evening():
        found = on_day(events(fetch_at(client, secret)), 25)
        (event,) = [e for e in found if local_times(e) == ("18:00", "20:00")]
        return str(event["uid"]), str(event["summary"])

    before = evening()
    db_session.execute(delete(DefaultResponder).where(DefaultResponder.hotline_id == hotline.id))
    db_session.add(DefaultResponder(hotline_id=hotline.id, position=0, person_id=alice.id))
    db_session.flush()
    after = evening()

    assert before[0] == after[0]
    assert before[1].endswith("(default chain, backup 1)")
    assert after[1].endswith("(default chain, primary)")


def test_a_past_hour_shows_the_default_chain_in_force_then(client, db_session, team, make_person):
    hotline, alice, bob, _carol = team
    # On 15 March at noon the chain became Bob alone: Alice rang before, not after.
    changed = paris(2026, 3, 15, 12)
    with time_machine.travel(changed, tick=False):
        db_session.execute(
            delete(DefaultResponder).where(
                DefaultResponder.hotline_id == hotline.id, DefaultResponder.person_id == alice.id
            )
        )
        record_default_chain_change(
            db_session, hotline.id, action=UPDATE, before=[bob.id, alice.id], after=[bob.id],
            user_id=None,
        )  # fmt: skip
        db_session.flush()

    alices = events(fetch_at(client, issue_person_feed(db_session, alice, user_id=None)))
    bobs = events(fetch_at(client, issue_person_feed(db_session, bob, user_id=None)))

    assert [local_times(e) for e in on_day(alices, 15)] == [("00:00", "12:00")]
    assert str(on_day(alices, 15)[0]["summary"]).endswith("(default chain, backup 1)")
    assert on_day(alices, 16) == []
    assert on_day(alices, 25) == []
    assert [local_times(e) for e in on_day(bobs, 15)] == [("00:00", "12:00"), ("12:00", "00:00")]
    assert str(on_day(bobs, 15)[1]["description"]).splitlines()[1:] == ["Primary: Bob"]


def test_a_past_hour_leaves_out_who_was_inactive_then(client, db_session, team):
    hotline, alice, bob, _carol = team
    # Bob was inactive from the 10th to the 12th: Alice was the only one rung then.
    for day, active in ((10, False), (12, True)):
        with time_machine.travel(paris(2026, 3, day, 0), tick=False):
            before = {**person_snapshot(bob), "active": not active}
            bob.active = active
            record_person_change(
                db_session, bob, before=before, hotline_ids=[hotline.id], user_id=None
            )
            db_session.flush()

    found = events(fetch_at(client, issue_person_feed(db_session, alice, user_id=None)))

    assert [str(e["summary"]) for e in on_day(found, 11)] == [
        "On call Astreinte réseau (default chain, primary)"
    ]
    assert [str(e["summary"]) for e in on_day(found, 13)] == [
        "On call Astreinte réseau (default chain, backup 1)"
    ]


def test_a_french_hotlines_default_chain_events_are_in_french(
    client, db_session, make_hotline, make_person, set_default_chain
):
    hotline = make_hotline(name="Astreinte réseau", timezone="Europe/Paris", language="fr")
    alice = make_person("Alice", language="en")
    set_default_chain(hotline, [alice])

    found = on_day(events(fetch_at(client, issue_person_feed(db_session, alice, user_id=None))), 25)

    assert [str(e["summary"]) for e in found] == ["Astreinte réseau (chaîne par défaut, titulaire)"]
    assert str(found[0]["description"]).splitlines() == [
        "Aucun créneau ne couvre ces heures : les appels vont à la chaîne par défaut.",
        "Titulaire : Alice",
    ]


def test_the_feed_reads_the_default_chain_in_a_bounded_number_of_statements(
    client, db_session, connection, team, make_slot
):
    hotline, alice, bob, carol = team
    secret = issue_person_feed(db_session, alice, user_id=None)
    make_slot(hotline, NOW - timedelta(days=26), NOW - timedelta(days=26, hours=-8), [carol])

    def fetched():
        with statements_run(connection) as statements:
            body = fetch_at(client, secret)
        return len([s for s in statements if re.match(r"\s*SELECT", s)]), events(body)

    few, _found = fetched()
    # Nearly a month of daily slots with holes, and a chain change every day.
    for day in range(25):
        start = NOW - timedelta(days=25) + timedelta(days=day)
        make_slot(hotline, start, start + timedelta(hours=8), [carol])
        with time_machine.travel(start, tick=False):
            order = [bob.id, alice.id] if day % 2 else [alice.id, bob.id]
            record_default_chain_change(
                db_session, hotline.id, action=UPDATE, before=order[::-1], after=order,
                user_id=None,
            )  # fmt: skip
            db_session.flush()
    many, found = fetched()

    assert many == few
    # Each day of it: the hours around Carol's slot, primary and backup by turns.
    places = {str(e["summary"]).split(", ")[-1] for e in on_day(found, 10)}
    assert places == {"primary)", "backup 1)"}
