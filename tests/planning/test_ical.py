"""iCal feeds: the right events, at the right local times across DST, behind rotatable URLs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from hotline.planning.ical import (
    issue_hotline_feed,
    issue_person_feed,
    revoke_person_feed,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)


def paris(*args):
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


def fetch(client, secret, **options):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/ical/{secret}.ics", **options)


def events(body):
    calendar = Calendar.from_ical(body)
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def utc_by_vtimezone(body, prop):
    """An event time turned into UTC with the feed's own VTIMEZONE (not the local tz database)."""
    calendar = Calendar.from_ical(body)
    zones = {tz["TZID"]: tz.to_tz(lookup_tzid=False) for tz in calendar.walk("VTIMEZONE")}
    local = prop.dt.replace(tzinfo=None)
    return local.replace(tzinfo=zones[prop.params["TZID"]]).astimezone(UTC)


@pytest.fixture
def week(make_hotline, make_person, make_slot):
    """Daily 08:00 handoffs in Paris over the spring DST change (29 March 2026), in English."""
    hotline = make_hotline(name="Astreinte réseau", timezone="Europe/Paris", language="en")
    alice, bob = make_person("Alice"), make_person("Bob")
    slots = []
    for day, chain in ((27, [alice, bob]), (28, [bob, alice]), (29, [alice, bob])):
        start, end = paris(2026, 3, day, 8), paris(2026, 3, day + 1, 8)
        slots.append(make_slot(hotline, start, end, chain))
    return hotline, alice, bob, slots


def test_person_feed_lists_their_shifts_with_their_position(client, db_session, week):
    hotline, alice, _bob, slots = week
    secret = issue_person_feed(db_session, alice, user_id=None)

    response = fetch(client, secret)

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    found = events(response.data)
    assert [str(e["summary"]) for e in found] == [
        "On call Astreinte réseau (primary)",
        "On call Astreinte réseau (backup 1)",
        "On call Astreinte réseau (primary)",
    ]
    assert [e.decoded("dtstart") for e in found] == [s.starts_at for s in slots]
    assert len({str(e["uid"]) for e in found}) == 3
    assert str(found[0]["description"]).splitlines() == ["Primary: Alice", "Backup 1: Bob"]


def test_events_keep_08_00_local_on_both_sides_of_the_dst_change(client, db_session, week):
    hotline, alice, _bob, slots = week
    secret = issue_hotline_feed(db_session, hotline, user_id=None)

    body = fetch(client, secret).data
    found = events(body)

    # Wall-clock 08:00 each morning although the UTC time moves by an hour on the 29th.
    starts = [e["dtstart"] for e in found]
    assert [s.dt.hour for s in starts] == [8, 8, 8]
    assert {s.params["TZID"] for s in starts} == {"Europe/Paris"}
    assert [s.dt.astimezone(UTC).hour for s in starts] == [7, 7, 6]
    # The feed's own VTIMEZONE maps the local times to the right instants.
    assert [utc_by_vtimezone(body, e["dtstart"]) for e in found] == [s.starts_at for s in slots]
    assert [utc_by_vtimezone(body, e["dtend"]) for e in found] == [s.ends_at for s in slots]
    # The night of the change lasts 23 hours.
    night = found[1]
    length = night.decoded("dtend").astimezone(UTC) - night.decoded("dtstart").astimezone(UTC)
    assert length == timedelta(hours=23)


def test_hotline_feed_names_the_chain_and_marks_overrides(client, db_session, week, make_slot):
    hotline, alice, bob, _slots = week
    make_slot(hotline, paris(2026, 3, 28, 12), paris(2026, 3, 28, 14), [alice], override=True)
    secret = issue_hotline_feed(db_session, hotline, user_id=None)

    found = events(fetch(client, secret).data)

    assert [str(e["summary"]) for e in found] == [
        "Alice (backup Bob)",
        "Bob (backup Alice)",
        "Override: Alice",
        "Alice (backup Bob)",
    ]


def test_a_french_hotlines_feed_is_in_french_whatever_the_reader_asks(
    client, db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline(name="Astreinte réseau", language="fr")
    alice, bob = make_person("Alice"), make_person("Bob")
    make_slot(hotline, paris(2026, 3, 27, 8), paris(2026, 3, 28, 8), [alice, bob])
    make_slot(hotline, paris(2026, 3, 27, 12), paris(2026, 3, 27, 14), [bob], override=True)
    make_slot(hotline, paris(2026, 3, 28, 8), paris(2026, 3, 29, 8), [])
    secret = issue_hotline_feed(db_session, hotline, user_id=None)

    body = fetch(client, secret, headers={"Accept-Language": "en"}).data
    found = events(body)

    assert [str(e["summary"]) for e in found] == [
        "Alice (puis Bob)",
        "Remplacement : Bob",
        "Personne n’est d’astreinte",
    ]
    assert str(found[0]["description"]).splitlines() == [
        "Titulaire : Alice 06 12 34 56 01",
        "Renfort 1 : Bob 06 12 34 56 02",
    ]
    # Not "Astreinte : Astreinte réseau": the name says it already.
    assert str(Calendar.from_ical(body)["x-wr-calname"]) == "Astreinte réseau"


def test_a_person_feed_speaks_each_hotlines_language(
    client, db_session, make_hotline, make_person, make_slot
):
    french = make_hotline(number="+33184881111", name="Réseau", language="fr")
    english = make_hotline(number="+33184882222", name="Support", language="en")
    nomad, other = make_person("Nomad", language="en"), make_person("Other")
    make_slot(french, paris(2026, 3, 25, 8), paris(2026, 3, 25, 20), [other, nomad])
    make_slot(french, paris(2026, 3, 25, 10), paris(2026, 3, 25, 12), [nomad], override=True)
    make_slot(english, paris(2026, 3, 26, 8), paris(2026, 3, 26, 20), [nomad])

    body = fetch(client, issue_person_feed(db_session, nomad, user_id=None)).data
    found = events(body)

    assert [str(e["summary"]) for e in found] == [
        "Astreinte Réseau (renfort 1)",
        "Astreinte Réseau (remplacement, titulaire)",
        "Astreinte Réseau (renfort 1)",
        "On call Support (primary)",
    ]
    assert str(found[0]["description"]).splitlines() == [
        "Titulaire : Other",
        "Renfort 1 : Nomad",
    ]
    assert str(found[3]["description"]) == "Primary: Nomad"
    # The calendar itself is the person's: named in their language.
    assert str(Calendar.from_ical(body)["x-wr-calname"]) == "On call: Nomad"


def test_a_feed_in_another_zone_carries_that_zone(
    client, db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline(number="+33184885555", timezone="America/New_York")
    person = make_person("Owl")
    start = datetime(2026, 3, 8, 13, tzinfo=UTC)  # 09:00 EDT, the day New York springs forward
    make_slot(hotline, start, start + timedelta(hours=8), [person])

    body = fetch(client, issue_person_feed(db_session, person, user_id=None)).data
    (event,) = events(body)

    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert event["dtstart"].dt.hour == 9
    assert utc_by_vtimezone(body, event["dtstart"]) == start


def test_the_feed_covers_a_month_back_and_six_months_ahead(
    client, db_session, make_hotline, make_person, make_slot
):
    hotline = make_hotline()
    person = make_person("Alice")
    for offset in (-40, -20, 170, 190):
        start = NOW + timedelta(days=offset)
        make_slot(hotline, start, start + timedelta(hours=12), [person])

    found = events(fetch(client, issue_person_feed(db_session, person, user_id=None)).data)

    assert [(e.decoded("dtstart") - NOW).days for e in found] == [-20, 170]


def test_a_new_token_retires_the_old_url(client, db_session, week):
    _hotline, alice, _bob, _slots = week
    old = issue_person_feed(db_session, alice, user_id=None)
    new = issue_person_feed(db_session, alice, user_id=None)

    assert fetch(client, old).status_code == 404
    assert fetch(client, new).status_code == 200
    revoke_person_feed(db_session, alice, user_id=None)
    assert fetch(client, new).status_code == 404


@pytest.mark.parametrize("secret", ["nope", "x" * 300, ""])
def test_an_unknown_token_is_a_404(client, secret):
    assert fetch(client, secret).status_code == 404


def test_tokens_are_long_random_and_stored_hashed(db_session, week):
    from sqlalchemy import select

    from hotline.planning.models import FeedToken

    _hotline, alice, bob, _slots = week
    secrets = {issue_person_feed(db_session, p, user_id=None) for p in (alice, bob)}

    assert len(secrets) == 2
    assert all(len(s) >= 40 for s in secrets)
    stored = set(db_session.scalars(select(FeedToken.token_hash)))
    assert not stored & secrets


def test_a_replaced_shift_leaves_the_sick_persons_feed_for_the_replacements(
    client, db_session, week, make_person
):
    from hotline.planning.overrides import replace_person

    hotline, alice, bob, _slots = week
    carol = make_person("Carol")
    replace_person(db_session, hotline.id, person_id=alice.id, replacement_id=carol.id,
                   starts_at=paris(2026, 3, 27, 8), ends_at=paris(2026, 3, 27, 20),
                   user_id=None)  # fmt: skip

    alice_feed = events(fetch(client, issue_person_feed(db_session, alice, user_id=None)).data)
    carol_feed = events(fetch(client, issue_person_feed(db_session, carol, user_id=None)).data)

    # Alice keeps the rest of her Friday shift, from 20:00, and the rest of her week.
    assert [(e.decoded("dtstart"), str(e["summary"])) for e in alice_feed][:2] == [
        (paris(2026, 3, 27, 20), "On call Astreinte réseau (primary)"),
        (paris(2026, 3, 28, 8), "On call Astreinte réseau (backup 1)"),
    ]
    ((start, end, summary),) = [
        (e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"])) for e in carol_feed
    ]
    assert (start, end) == (paris(2026, 3, 27, 8), paris(2026, 3, 27, 20))
    assert summary == "On call Astreinte réseau (override, primary)"


def test_one_person_feed_spans_hotlines_in_different_zones(client, db_session, make_hotline,
                                                           make_person, make_slot):  # fmt: skip
    paris_line = make_hotline(number="+33184881111", name="Paris", timezone="Europe/Paris")
    montreal = make_hotline(number="+33184882222", name="Montréal", timezone="America/Toronto")
    person = make_person("Nomad")
    make_slot(paris_line, paris(2026, 3, 25, 8), paris(2026, 3, 25, 20), [person])
    make_slot(montreal, datetime(2026, 3, 26, 13, tzinfo=UTC),
              datetime(2026, 3, 26, 21, tzinfo=UTC), [person])  # fmt: skip

    body = fetch(client, issue_person_feed(db_session, person, user_id=None)).data
    found = events(body)

    assert [(e["dtstart"].params["TZID"], e["dtstart"].dt.hour) for e in found] == [
        ("Europe/Paris", 8),
        ("America/Toronto", 9),
    ]
    assert {str(tz["TZID"]) for tz in Calendar.from_ical(body).walk("VTIMEZONE")} == {
        "Europe/Paris", "America/Toronto",
    }  # fmt: skip
    assert [utc_by_vtimezone(body, e["dtstart"]) for e in found] == [
        paris(2026, 3, 25, 8), datetime(2026, 3, 26, 13, tzinfo=UTC),
    ]  # fmt: skip


def test_renewing_and_stopping_a_feed_is_in_the_audit_log(db_session, week):
    from sqlalchemy import select

    from hotline.planning.models import AuditLog

    hotline, _alice, _bob, _slots = week
    secrets = [issue_hotline_feed(db_session, hotline, user_id=None) for _ in range(2)]

    log = db_session.scalars(
        select(AuditLog).where(AuditLog.entity == "feed_token").order_by(AuditLog.id)
    ).all()

    assert [(a.action, a.hotline_id) for a in log] == [("create", hotline.id),
                                                       ("rotate", hotline.id)]  # fmt: skip
    logged = str([(a.before, a.after) for a in log])
    assert not any(secret in logged for secret in secrets)


def test_feeds_ask_for_an_hourly_refresh_in_iso_8601_durations(client, db_session, week):
    hotline, alice, _bob, _slots = week

    for secret in (issue_person_feed(db_session, alice, user_id=None),
                   issue_hotline_feed(db_session, hotline, user_id=None)):  # fmt: skip
        lines = fetch(client, secret).data.decode().splitlines()

        assert "X-PUBLISHED-TTL:PT1H" in lines
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in lines
