"""GET /api/v1/hotlines/<id>/oncall: the live lookup, at any moment, in the hotline's zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.chain_history import record_baseline

PARIS_SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 CET -> 03:00 CEST
PARIS_AUTUMN = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)  # 03:00 CEST -> 02:00 CET


@pytest.fixture
def planning(make_hotline, make_person, make_slot, set_default_chain):
    """A Paris hotline with a night slot for Alice and Bob either side of the spring change."""
    hotline = make_hotline(timezone="Europe/Paris")
    alice, bob, carol = (make_person(n) for n in ("Alice", "Bob", "Carol"))
    # 28 March 20:00 CET -> 29 March 08:00 CEST: only 11 hours long.
    night = make_slot(
        hotline,
        datetime(2026, 3, 28, 19, tzinfo=UTC),
        datetime(2026, 3, 29, 6, tzinfo=UTC),
        [alice, bob],
    )
    day = make_slot(
        hotline,
        datetime(2026, 3, 29, 6, tzinfo=UTC),
        datetime(2026, 3, 29, 18, tzinfo=UTC),
        [bob, alice],
    )
    set_default_chain(hotline, [carol])
    return hotline, night, day, (alice, bob, carol)


def oncall(api, hotline_id, at=None):
    query = {} if at is None else {"at": at}
    return api.get(f"/api/v1/hotlines/{hotline_id}/oncall", query_string=query)


def test_naive_at_is_read_on_the_hotlines_wall_clock_across_spring_forward(admin_api, planning):
    hotline, night, day, (alice, bob, _carol) = planning

    # 07:59 CEST is 05:59 UTC: still the night slot; 08:00 CEST is the day slot.
    before = oncall(admin_api, hotline.id, "2026-03-29T07:59")
    after = oncall(admin_api, hotline.id, "2026-03-29T08:00")

    assert before.status_code == 200
    assert before.json["slot_id"] == night.id
    assert before.json["at"] == "2026-03-29T07:59:00+02:00"
    assert [r["name"] for r in before.json["responders"]] == ["Alice", "Bob"]
    assert after.json["slot_id"] == day.id
    assert after.json["responders"][0] == {
        "position": 0,
        "person_id": bob.id,
        "name": "Bob",
        "number": bob.mobile,
        "number_national": bob.mobile.replace("+33", "0")[:2]
        + " "
        + " ".join(bob.mobile[4:][i : i + 2] for i in range(0, 8, 2)),
    }


def test_a_night_slot_holds_until_the_local_morning_on_both_sides_of_the_change(
    admin_api, planning
):
    hotline, night, _day, _people = planning

    # 01:30 CET (before the jump) and 03:30 CEST (after) both lie in the night slot.
    assert oncall(admin_api, hotline.id, "2026-03-29T01:30").json["slot_id"] == night.id
    assert oncall(admin_api, hotline.id, "2026-03-29T03:30").json["slot_id"] == night.id
    # 20:30 CEST on the 29th: nobody's slot, the default chain answers.
    late = oncall(admin_api, hotline.id, "2026-03-29T20:30").json
    assert late["route"] == "default"
    assert [r["name"] for r in late["responders"]] == ["Carol"]


def test_an_explicit_offset_names_the_instant_whatever_the_zone(admin_api, planning):
    hotline, night, day, _people = planning

    assert oncall(admin_api, hotline.id, "2026-03-29T05:59:59Z").json["slot_id"] == night.id
    assert oncall(admin_api, hotline.id, "2026-03-29T06:00:00Z").json["slot_id"] == day.id
    # An unescaped "+" in a query string arrives as a space: still understood.
    response = admin_api.get(f"/api/v1/hotlines/{hotline.id}/oncall?at=2026-03-29T08:00:00+02:00")
    assert response.json["slot_id"] == day.id


def test_at_defaults_to_now(admin_api, planning):
    hotline, night, _day, _people = planning

    with time_machine.travel(datetime(2026, 3, 29, 2, 15, tzinfo=UTC), tick=False):
        response = oncall(admin_api, hotline.id)

    assert response.json["slot_id"] == night.id
    assert response.json["at"] == "2026-03-29T04:15:00+02:00"


@pytest.mark.parametrize(
    ("at", "words"),
    [
        ("tomorrow", "is not a date and time"),
        ("2026-03-29T02:30", "does not exist in Europe/Paris"),
        ("2026-10-25T02:30", "happens twice in Europe/Paris"),
        ("2026-13-01T10:00", "is not a date and time"),
    ],
)
def test_bad_at_is_a_400_naming_the_parameter(admin_api, planning, at, words):
    hotline, *_ = planning

    response = oncall(admin_api, hotline.id, at)

    assert response.status_code == 400
    assert response.json["field"] == "at"
    assert words in response.json["message"]


def test_ambiguous_autumn_time_is_answered_once_its_offset_is_given(
    admin_api, make_hotline, make_person, make_slot
):
    hotline = make_hotline(timezone="Europe/Paris")
    first, second = make_person("First pass"), make_person("Second pass")
    make_slot(hotline, datetime(2026, 10, 25, 0, 30, tzinfo=UTC), PARIS_AUTUMN, [first])
    make_slot(hotline, PARIS_AUTUMN, datetime(2026, 10, 25, 2, tzinfo=UTC), [second])

    early = oncall(admin_api, hotline.id, "2026-10-25T02:30+02:00").json
    late = oncall(admin_api, hotline.id, "2026-10-25T02:30+01:00").json

    assert early["responders"][0]["name"] == "First pass"
    assert late["responders"][0]["name"] == "Second pass"
    assert late["at"] == "2026-10-25T02:30:00+01:00"


def test_unknown_query_parameter_and_unknown_hotline(admin_api, planning):
    hotline, *_ = planning

    wrong = admin_api.get(f"/api/v1/hotlines/{hotline.id}/oncall?when=now")
    missing = oncall(admin_api, hotline.id + 1000)

    assert (wrong.status_code, wrong.json["field"]) == (400, "when")
    assert missing.status_code == 404
    assert missing.json["error"] == "not_found"


def test_a_hotline_in_another_zone_reads_naive_times_on_its_own_clock(
    admin_api, make_hotline, make_person, make_slot
):
    hotline = make_hotline(number="+33184885555", timezone="America/New_York")
    person = make_person("Night owl")
    # 09:00-17:00 in New York on 8 March 2026, the day its clocks spring forward.
    make_slot(
        hotline,
        datetime(2026, 3, 8, 13, tzinfo=UTC),
        datetime(2026, 3, 8, 21, tzinfo=UTC),
        [person],
    )

    assert oncall(admin_api, hotline.id, "2026-03-08T09:00").json["route"] == "slot"
    assert oncall(admin_api, hotline.id, "2026-03-08T08:59").json["route"] == "nobody"
    assert oncall(admin_api, hotline.id, "2026-03-08T09:00").json["at"].endswith("-04:00")


# -- a past moment no slot covered: the default chain in force then -------------------------

CHANGED = datetime(2026, 4, 1, 10, 0, tzinfo=UTC)  # 12:00 in Paris
LATER = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


def test_a_past_moment_gets_the_default_chain_in_force_then(admin_api, planning):
    hotline, night, _day, (alice, bob, carol) = planning
    with time_machine.travel(CHANGED, tick=False) as clock:
        changed = admin_api.patch(
            f"/api/v1/hotlines/{hotline.id}", json={"default_chain": [alice.id, bob.id]}
        )
        assert changed.status_code == 200, changed.json
        clock.move_to(LATER)
        before = oncall(admin_api, hotline.id, "2026-04-01T11:59").json
        after = oncall(admin_api, hotline.id, "2026-04-01T12:00").json
        ahead = oncall(admin_api, hotline.id, "2026-04-03T12:00").json
        in_a_slot = oncall(admin_api, hotline.id, "2026-03-29T03:30").json

    # Carol alone was the default chain until the change, whatever it is today.
    assert (before["route"], [r["name"] for r in before["responders"]]) == ("default", ["Carol"])
    assert before["responders"][0]["person_id"] == carol.id
    assert before["responders"][0]["number"] == carol.mobile
    assert [r["name"] for r in after["responders"]] == ["Alice", "Bob"]
    assert [r["name"] for r in ahead["responders"]] == ["Alice", "Bob"]
    assert (in_a_slot["route"], in_a_slot["slot_id"]) == ("slot", night.id)


def test_a_moment_before_the_default_chains_history_is_unrecorded(admin_api, planning, db_session):
    hotline, _night, _day, (_alice, _bob, carol) = planning
    # What migration 0014 writes for a hotline it finds: the chain as it stood then.
    record_baseline(db_session, hotline, carol, CHANGED)

    with time_machine.travel(LATER, tick=False):
        before = oncall(admin_api, hotline.id, "2026-04-01T11:59").json
        after = oncall(admin_api, hotline.id, "2026-04-01T12:00").json

    assert (before["route"], before["slot_id"], before["responders"]) == ("unrecorded", None, [])
    assert (after["route"], [r["name"] for r in after["responders"]]) == ("default", ["Carol"])
