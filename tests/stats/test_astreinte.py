"""The monthly on-call report: availability and interventions by kind of hour, rest."""

from __future__ import annotations

import pytest

from hotline.stats.astreinte import astreinte_report, rest_breaches
from hotline.stats.errors import StatsInputError
from hotline.stats.oncall_hours import DayHours, HourKind
from hotline.stats.periods import Period
from hotline.voice.models import LegResult, Outcome

from .conftest import paris

DAY, NIGHT, WEEKEND, HOLIDAY = (
    HourKind.WEEKDAY_DAY,
    HourKind.WEEKDAY_NIGHT,
    HourKind.WEEKEND,
    HourKind.HOLIDAY,
)


def hours(line, kinds=(DAY, NIGHT, WEEKEND, HOLIDAY)):
    return [round(line.availability_hours(k), 3) for k in kinds]


def test_availability_is_split_by_weekday_day_night_and_weekend(db_session, week):
    lines = {line.name: line for line in astreinte_report(db_session, 2026, 3, "Europe/Paris")}

    # Slot 1 (Mon-Fri, less the Thursday 08-12 override) then slot 2 (Sat-Tue,
    # whose Sunday lost an hour to DST); any position in the chain counts.
    assert hours(lines["Alice Martin"]) == [80, 84, 47, 0]
    assert hours(lines["Bruno Petit"]) == [80, 84, 47, 0]
    assert hours(lines["Chloé Durand"]) == [84, 84, 47, 0]


def test_interventions_are_talk_time_classed_by_the_hour_accepted(db_session, week):
    lines = {line.name: line for line in astreinte_report(db_session, 2026, 3, "Europe/Paris")}

    alice, bruno, chloe = lines["Alice Martin"], lines["Bruno Petit"], lines["Chloé Durand"]
    # Alice: 10:00 and 12:30 are day; 20:00, 23:30 and 00:10 are night.
    assert alice.intervention_seconds[DAY] == 120 + 45
    assert alice.intervention_seconds[NIGHT] == 600 + 30 + 100
    assert alice.calls_handled == 5  # the 1 April call is next month's
    assert (bruno.intervention_seconds[DAY], bruno.intervention_seconds[WEEKEND]) == (300, 90)
    assert chloe.intervention_seconds[NIGHT] == 60
    assert chloe.calls_handled == 1


def test_day_hours_are_configurable(db_session, week):
    line = next(
        line
        for line in astreinte_report(
            db_session, 2026, 3, "Europe/Paris", person_id=week.alice.id, day_hours=DayHours(9, 18)
        )
    )

    # 9 day hours per full weekday: Mon, Tue, Wed, Fri, Mon 30, Tue 31; Thursday 12-18.
    assert hours(line, (DAY,)) == [6 * 9 + 6]
    assert line.intervention_seconds[DAY] == 120 + 45


def test_public_holiday_wins_over_weekday_and_weekend(
    db_session, make_hotline, make_person, make_slot, make_call
):
    hotline = make_hotline(timezone="Europe/Paris")
    agent = make_person("Agent May")
    # Friday 1 May (Labour Day) then Saturday 2 May.
    make_slot(hotline, paris("2026-05-01 00:00"), paris("2026-05-03 00:00"), [agent])
    make_call(
        hotline,
        "2026-05-01 10:00",
        Outcome.ANSWERED,
        [(agent, LegResult.ACCEPTED)],
        accepted_after=10,
        talk=300,
    )

    (line,) = astreinte_report(db_session, 2026, 5, "Europe/Paris", hotline_id=hotline.id)

    assert hours(line) == [0, 0, 24, 24]
    assert line.intervention_seconds[HOLIDAY] == 300
    assert line.calls_handled == 1


def test_rest_breach_when_an_intervention_cuts_rest_on_both_sides(
    db_session, make_hotline, make_person, make_call
):
    hotline = make_hotline(timezone="Europe/Paris")
    agent = make_person("Night Owl")
    accepted = [(agent, LegResult.ACCEPTED)]
    for start in ("2026-03-10 23:00", "2026-03-11 03:00", "2026-03-11 09:00", "2026-03-12 09:00"):
        make_call(hotline, start, Outcome.ANSWERED, accepted, accepted_after=0, talk=600)
    march = Period.month(2026, 3, "Europe/Paris")

    breaches = rest_breaches(db_session, march)[agent.id]

    # 23:00 had rested before; 03:00 rested 3 h 50 before and 5 h 50 after: breach;
    # 09:00 then had a full day of rest after it.
    assert len(breaches) == 1
    assert breaches[0].intervention_ended_at == paris("2026-03-11 03:10")
    assert breaches[0].next_duty_at == paris("2026-03-11 09:00")
    assert breaches[0].rest_hours == pytest.approx(5 + 50 / 60)
    assert breaches[0].rest_before_hours == pytest.approx(3 + 50 / 60)
    report = astreinte_report(db_session, 2026, 3, "Europe/Paris", person_id=agent.id)
    assert [len(line.rest_breaches) for line in report] == [1]


def test_overlapping_interventions_leave_no_rest_rather_than_less(
    db_session, make_hotline, make_person, make_call
):
    hotline = make_hotline(timezone="Europe/Paris")
    agent = make_person("Two Lines")
    accepted = [(agent, LegResult.ACCEPTED)]
    for start in ("2026-03-11 03:00", "2026-03-11 03:05", "2026-03-11 03:10"):
        make_call(hotline, start, Outcome.ANSWERED, accepted, accepted_after=0, talk=600)

    [breach] = rest_breaches(db_session, Period.month(2026, 3, "Europe/Paris"))[agent.id]

    assert (breach.rest_before_hours, breach.rest_hours) == (0.0, 0.0)


def test_month_without_duty_is_empty(db_session, week):
    assert astreinte_report(db_session, 2026, 2, "Europe/Paris") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"month": 13}, "no month 13"),
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"person_id": 987_654}, "unknown agent 987654"),
        ({"country": "XX"}, "no public holidays known"),
    ],
)
def test_bad_report_input_is_refused(db_session, args, message):
    params = {"month": 3, "tz": "Europe/Paris"} | args
    with pytest.raises(StatsInputError, match=message):
        astreinte_report(db_session, 2026, params.pop("month"), params.pop("tz"), **params)


@pytest.mark.parametrize(("start", "end"), [(20, 8), (8, 8), (-1, 20), (8, 25)])
def test_impossible_day_hours_are_refused(start, end):
    with pytest.raises(StatsInputError, match="day hours must satisfy"):
        DayHours(start, end)
