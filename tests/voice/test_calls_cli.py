"""`hotline calls` shows what happened to each call, leg by leg, in local time."""

from __future__ import annotations

import pytest

from hotline.simulator.scenario import DEFAULT_ACCOUNT_SID as SIMULATOR_ACCOUNT_SID

from .conftest import load_call


@pytest.fixture
def load_call_id(db_session):
    return lambda call_sid: load_call(db_session, call_sid).id


def test_calls_lists_outcome_and_every_leg(runner, driver, team, db_session):
    driver.incoming()
    driver.leg(0, "ringing", 1, "Fri, 27 Nov 2026 10:00:02 +0000")
    driver.dial_result(0, "no-answer", bridged=False)
    driver.screen(1)
    driver.press(1, "1")
    driver.dial_result(1, "completed", bridged=True, duration=30)
    driver.status("completed", 55)

    result = runner.invoke(args=["calls"])

    assert result.exit_code == 0, result.output
    assert driver.call_sid in result.output
    assert "ANSWERED by Bruno" in result.output
    assert "leg 1: Alice" in result.output
    assert "leg 1: Alice +33612345601  No answer" in result.output
    assert "leg 2: Bruno" in result.output
    assert "leg 2: Bruno +33612345602  Picked up and accepted" in result.output
    # 10:00:02 UTC is 11:00:02 in Paris in November.
    assert "rang 2026-11-27 11:00:02 CET" in result.output


def test_calls_of_one_hotline_as_people_write_its_number(runner, driver, team):
    driver.incoming()

    national = runner.invoke(args=["calls", "--hotline", "01 84 88 12 34"])
    other = runner.invoke(args=["calls", "--hotline", "01 84 88 00 00"])
    bad = runner.invoke(args=["calls", "--hotline", "12"])

    assert driver.call_sid in national.output
    assert "no calls recorded" in other.output
    assert bad.exit_code == 2
    assert "--hotline" in bad.output


def test_calls_says_so_when_there_are_none(runner):
    result = runner.invoke(args=["calls"])

    assert result.exit_code == 0
    assert "no calls recorded" in result.output


def test_calls_rejects_an_absurd_limit(runner):
    result = runner.invoke(args=["calls", "--limit", "0"])

    assert result.exit_code == 2
    assert "--limit" in result.output


def leave_a_voicemail(driver, recording_url: str = "https://api.twilio.com/rec/RE1") -> None:
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)
    driver.voicemail_done(14, url=recording_url)
    driver.recording(14, url=recording_url)
    driver.status("completed", 75)


def test_calls_gives_the_voicemails_page_in_the_app_never_twilios_recording_url(
    app, runner, driver, load_call_id
):
    leave_a_voicemail(driver)
    app.config["PUBLIC_BASE_URL"] = "https://hotline.example.org/"  # after the signed webhooks

    result = runner.invoke(args=["calls"])

    assert result.exit_code == 0, result.output
    call_id = load_call_id(driver.call_sid)
    assert (
        "voicemail: 14s, recording kept at Twilio, play it on "
        f"https://hotline.example.org/stats/calls/{call_id}"
    ) in result.output
    assert "api.twilio.com" not in result.output
    assert "/rec/" not in result.output


def test_calls_without_a_public_address_gives_the_voicemails_path_in_the_app(
    runner, driver, load_call_id
):
    leave_a_voicemail(driver)

    result = runner.invoke(args=["calls"])

    assert f"play it on /stats/calls/{load_call_id(driver.call_sid)}\n" in result.output
    assert "twilio.com" not in result.output


def test_calls_says_a_message_left_in_the_call_simulator_has_no_audio(runner, driver, load_call_id):
    # What `hotline simulate` posts: a recording under the simulator's own account.
    simulated = f"https://api.twilio.com/2010-04-01/Accounts/{SIMULATOR_ACCOUNT_SID}/Recordings/RE1"
    leave_a_voicemail(driver, recording_url=simulated)

    result = runner.invoke(args=["calls"])

    call_id = load_call_id(driver.call_sid)
    assert (
        f"voicemail: 14s, left in the call simulator (no audio), see /stats/calls/{call_id}\n"
        in (result.output)
    )
    assert "kept at Twilio" not in result.output
