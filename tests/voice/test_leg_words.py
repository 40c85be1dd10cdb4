"""One vocabulary for how a ring leg ended: a refusal is not a voicemail pick-up.

An agent who pressed another key than 1 refused the call; a personal voicemail that
answered, or an agent who heard the prompt and pressed nothing, refused nothing.
The call page, the per-agent table, its CSV and `hotline calls` say so in the same
words, in French and English.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest

from hotline.voice.models import LegResult
from tests.stats.page_tools import row_cells, url

from .conftest import CallDriver, attempts, load_call

STAMP = "Fri, 27 Nov 2026 10:00:{:02d} +0000"


def alice_refuses_once_and_her_voicemail_answers_twice(twilio, team) -> list[CallDriver]:
    """Three calls: Alice presses 2 on the first; her voicemail picks up the two others."""
    drivers = [CallDriver(twilio, team.hotline, call_sid=f"CA{n:02d}{0:030d}") for n in (1, 2, 3)]
    refused, *voicemails = drivers
    refused.incoming()
    refused.leg(0, "in-progress", 2, STAMP.format(5))
    refused.screen(0)
    refused.press(0, "2")
    refused.leg(0, "completed", 3, STAMP.format(8))
    refused.dial_result(0, "completed", bridged=False)
    for driver in voicemails:
        driver.incoming()
        driver.leg(0, "in-progress", 2, STAMP.format(5))
        driver.leg(0, "completed", 3, STAMP.format(30))
        driver.dial_result(0, "completed", bridged=False)
    return drivers


def test_a_key_other_than_1_is_a_refusal_and_a_voicemail_is_not(twilio, team, db_session):
    refused, voicemail, _ = alice_refuses_once_and_her_voicemail_answers_twice(twilio, team)

    first = attempts(db_session, load_call(db_session, refused.call_sid))
    second = attempts(db_session, load_call(db_session, voicemail.call_sid))
    assert first[0].result == LegResult.REFUSED
    assert second[0].result == LegResult.DECLINED
    # The refusal moved the call on to Bruno, as any unaccepted leg does.
    assert first[1].person_id == team.people[1].id


def test_no_key_during_the_prompt_refuses_nothing(driver, db_session):
    driver.incoming()
    driver.leg(0, "in-progress", 2, STAMP.format(5))
    driver.screen(0)  # the prompt ends without a key: Twilio hangs the leg up
    driver.leg(0, "completed", 3, STAMP.format(20))
    driver.dial_result(0, "completed", bridged=False)

    legs = attempts(db_session, load_call(db_session, driver.call_sid))
    assert legs[0].result == LegResult.DECLINED


def test_a_refusal_replayed_or_followed_by_its_callbacks_stays_a_refusal(driver, db_session):
    driver.incoming()
    driver.leg(0, "in-progress", 2, STAMP.format(5))
    driver.press(0, "9")
    driver.dial_result(0, "completed", bridged=False)
    driver.leg(0, "completed", 3, STAMP.format(8))
    driver.replay()

    legs = attempts(db_session, load_call(db_session, driver.call_sid))
    assert legs[0].result == LegResult.REFUSED


HEADINGS = {
    "en": ("Accepted", "Picked up, not accepted", "Refused", "Unanswered"),
    "fr": ("Acceptés", "Décrochés sans accepter", "Refusés", "Sans réponse"),
}
LABELS = {
    "en": ("Refused (pressed another key)", "Picked up without accepting"),
    "fr": ("Refusé (autre touche)", "Décroché sans accepter"),
}


def today() -> dict[str, str]:
    day = date.today().isoformat()
    return {"period": "custom", "start": day, "end": day}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_per_agent_table_counts_refusals_apart_from_pick_ups(
    client, twilio, team, login_as, language
):
    alice_refuses_once_and_her_voicemail_answers_twice(twilio, team)
    login_as("supervisor", hotlines=(team.hotline,), language=language)

    page = client.get(url("/stats/", hotline=team.hotline.id, **today())).get_data(as_text=True)

    alice = row_cells(page, "data-agent", team.people[0].id)
    assert (alice["offered"], alice["refused"], alice["declined"]) == ("3", "1", "2")
    for heading in HEADINGS[language]:
        assert f">{heading}</th>" in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_agents_csv_has_the_dashboard_s_columns(client, twilio, team, login_as, language):
    alice_refuses_once_and_her_voicemail_answers_twice(twilio, team)
    login_as("supervisor", hotlines=(team.hotline,), language=language)

    response = client.get(url("/stats/agents.csv", hotline=team.hotline.id, **today()))

    delimiter = ";" if language == "fr" else ","
    rows = list(
        csv.reader(
            io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=delimiter
        )
    )
    header = rows[0]
    alice = dict(zip(header, next(r for r in rows if r[0] == "Alice"), strict=True))
    accepted, picked_up, refused, no_answer = HEADINGS[language]
    assert header[2:6] == [accepted, picked_up, refused, no_answer]
    assert (alice[refused], alice[picked_up]) == ("1", "2")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_call_page_names_each_leg_result_in_the_same_words(
    client, db_session, twilio, team, login_as, language
):
    refused, voicemail, _ = alice_refuses_once_and_her_voicemail_answers_twice(twilio, team)
    login_as("supervisor", hotlines=(team.hotline,), language=language)
    refusal, pick_up = LABELS[language]

    first = load_call(db_session, refused.call_sid)
    second = load_call(db_session, voicemail.call_sid)

    assert refusal in client.get(f"/stats/calls/{first.id}").get_data(as_text=True)
    assert pick_up in client.get(f"/stats/calls/{second.id}").get_data(as_text=True)


def alice_is_busy_and_bruno_s_number_fails(twilio, team) -> CallDriver:
    """One call: Alice's line is busy, Bruno's number cannot be reached, Chloé accepts."""
    driver = CallDriver(twilio, team.hotline, call_sid=f"CA04{0:030d}")
    driver.incoming()
    driver.leg(0, "busy", 2, STAMP.format(4))
    driver.dial_result(0, "busy", bridged=False)
    driver.leg(1, "failed", 2, STAMP.format(6))
    driver.dial_result(1, "failed", bridged=False)
    driver.leg(2, "in-progress", 2, STAMP.format(9))
    driver.screen(2)
    driver.press(2, "1")
    return driver


BUSY_FAILED = {
    # (heading of the count, label of one leg)
    "en": (("Busy", "Line busy"), ("Failed", "Call failed")),
    "fr": (("Occupés", "Ligne occupée"), ("Échoués", "Échec de l\u2019appel")),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_busy_line_is_not_counted_with_a_number_that_failed(
    client, db_session, twilio, team, login_as, language
):
    # Busy: the agent was on another call. Failed: the number is out of service or
    # Twilio failed. A supervisor acts differently on each: two columns.
    driver = alice_is_busy_and_bruno_s_number_fails(twilio, team)
    login_as("supervisor", hotlines=(team.hotline,), language=language)
    (busy, busy_leg), (failed, failed_leg) = BUSY_FAILED[language]

    page = client.get(url("/stats/", hotline=team.hotline.id, **today())).get_data(as_text=True)

    alice = row_cells(page, "data-agent", team.people[0].id)
    bruno = row_cells(page, "data-agent", team.people[1].id)
    assert (alice["busy"], alice["failed"]) == ("1", "0")
    assert (bruno["busy"], bruno["failed"]) == ("0", "1")
    assert f">{busy}</th>" in page
    assert f">{failed}</th>" in page
    # The call page names each of these legs in the same words.
    call = load_call(db_session, driver.call_sid)
    legs = client.get(f"/stats/calls/{call.id}").get_data(as_text=True)
    assert re.search(rf'data-leg="0".*?class="leg-result">{busy_leg}<', legs, re.S)
    assert re.search(rf'data-leg="1".*?class="leg-result">{failed_leg}<', legs, re.S)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_agents_csv_counts_busy_and_failed_legs_apart_as_the_dashboard(
    client, twilio, team, login_as, language
):
    alice_is_busy_and_bruno_s_number_fails(twilio, team)
    login_as("supervisor", hotlines=(team.hotline,), language=language)
    (busy, _), (failed, _) = BUSY_FAILED[language]

    response = client.get(url("/stats/agents.csv", hotline=team.hotline.id, **today()))

    delimiter = ";" if language == "fr" else ","
    body = response.get_data(as_text=True).lstrip("\ufeff")
    header, *rows = csv.reader(io.StringIO(body), delimiter=delimiter)
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert header[6:8] == [busy, failed]
    assert (by_name["Alice"][busy], by_name["Alice"][failed]) == ("1", "0")
    assert (by_name["Bruno"][busy], by_name["Bruno"][failed]) == ("0", "1")


def test_calls_command_uses_the_call_page_s_words(runner, twilio, team):
    alice_refuses_once_and_her_voicemail_answers_twice(twilio, team)

    output = runner.invoke(args=["calls"]).output

    assert "leg 1: Alice +33612345601  Refused (pressed another key)" in output
    assert output.count("Picked up without accepting") == 2
    assert "declined" not in output
