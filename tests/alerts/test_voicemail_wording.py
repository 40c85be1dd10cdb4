"""What a missed-call alert says of the message, whatever the order of Twilio's callbacks.

The Record action reports a message as the caller stops speaking; the recording
status callback says later whether Twilio kept it; the call's status callback
may come before, between or after them. Between callbacks the worker runs, as
its relay does every second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from hotline.db import utcnow
from hotline.voice.models import Call, Outcome
from tests.alerts.conftest import QueueDriver
from tests.alerts.fakes import body_of
from tests.voice.conftest import CallDriver

CALLBACKS: dict[str, Callable[[CallDriver], str]] = {
    "record": lambda driver: driver.voicemail_done(12),  # the Record action: 12 s recorded
    "record-empty": lambda driver: driver.voicemail_done(0),
    "kept": lambda driver: driver.recording(12),  # recording callback: completed
    "kept-empty": lambda driver: driver.recording(0),
    "failed": lambda driver: driver.recording(12, status="failed"),
    "absent": lambda driver: driver.recording(0, status="absent"),
    "ended": lambda driver: driver.status("completed", 70),  # the call's status callback
}
WAIT = timedelta(seconds=120)  # ALERT_RECORDING_WAIT's default


def reach_voicemail(driver: CallDriver) -> None:
    """Nobody of the three on call picks up: the caller is offered voicemail."""
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)


def play(driver: CallDriver, worker: QueueDriver, callbacks: str) -> None:
    for name in callbacks.split():
        CALLBACKS[name](driver)
        worker.run()


def sms_by_number(fake_twilio) -> dict[str, list[str]]:
    bodies: dict[str, list[str]] = {}
    for message in fake_twilio.messages:
        bodies.setdefault(message["To"], []).append(message["Body"])
    return bodies


def mails_by_address(smtp_server) -> dict[str, list[tuple[str, str]]]:
    mails: dict[str, list[tuple[str, str]]] = {}
    for message in smtp_server.messages:
        mails.setdefault(message["To"], []).append((message["Subject"], body_of(message)))
    return mails


def call_page(db_session, driver: CallDriver) -> str:
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    return f"http://localhost/stats/calls/{call.id}"


def test_the_alert_announces_a_message_only_once_twilio_kept_it(
    twilio, team, worker, fake_twilio, smtp_server, db_session
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)

    play(driver, worker, "record ended")
    assert fake_twilio.messages == []  # Twilio has not said yet whether it kept the message
    assert smtp_server.messages == []

    play(driver, worker, "kept")
    bodies = sms_by_number(fake_twilio)
    assert len(bodies) == 4
    assert all(len(sms) == 1 for sms in bodies.values())
    [french] = bodies[people[0].mobile]
    assert french.startswith("[Astreinte IT] Message vocal du 06 99 88 77 66 le ")
    assert french.endswith(f". Écouter (12 s) : {call_page(db_session, driver)}")
    [english] = bodies[people[2].mobile]
    assert english.startswith("[Astreinte IT] Voicemail from 06 99 88 77 66 on ")


@pytest.mark.parametrize(
    "callbacks",
    [
        "record ended failed",  # Twilio could not keep the message it reported
        "record failed ended",
        "failed record ended",
        "record absent ended",  # too short or silent: no file
        "record-empty ended",  # the Record action reported an empty recording
        "kept-empty ended",  # a recording of 0 s
    ],
)
def test_a_call_without_a_kept_message_is_alerted_as_missed(
    twilio, team, worker, fake_twilio, smtp_server, db_session, callbacks
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)

    play(driver, worker, callbacks)
    driver.replay()
    worker.run()

    bodies = sms_by_number(fake_twilio)
    assert sorted(bodies) == sorted(p.mobile for p in [*people, maud])
    assert all(len(sms) == 1 for sms in bodies.values())
    assert bodies[people[0].mobile][0].startswith("[Astreinte IT] Appel manqué du 06 99 88 77 66")
    assert bodies[people[2].mobile][0].startswith("[Astreinte IT] Missed call from 06 99 88 77 66")
    assert not any("s) :" in sms[0] or "Listen" in sms[0] for sms in bodies.values())
    mails = mails_by_address(smtp_server)
    [(subject, body)] = mails["chloe@example.org"]
    assert subject == "Missed call on Astreinte IT"
    assert "The caller left no message." in body
    [(subject, body)] = mails["alice@example.org"]
    assert subject == "Appel manqué sur Astreinte IT"
    assert "L’appelant n’a pas laissé de message." in body
    db_session.expire_all()
    assert db_session.scalar(select(Call.outcome)) == Outcome.MISSED  # as the alert says


def test_a_lost_recording_callback_still_gets_a_missed_call_alert_after_the_wait(
    twilio, team, worker, fake_twilio
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)
    start = utcnow()

    play(driver, worker, "record ended")
    with time_machine.travel(start + WAIT - timedelta(seconds=10)):
        worker.run()
        assert fake_twilio.messages == []
    with time_machine.travel(start + WAIT + timedelta(seconds=2)):
        worker.run()

    bodies = sms_by_number(fake_twilio)
    assert sorted(bodies) == sorted(p.mobile for p in [*people, maud])
    assert all(len(sms) == 1 for sms in bodies.values())
    assert bodies[people[0].mobile][0].startswith("[Astreinte IT] Appel manqué du 06 99 88 77 66")
    assert bodies[people[2].mobile][0].startswith("[Astreinte IT] Missed call from 06 99 88 77 66")


@pytest.fixture
def alert_overrides(request):
    if "unusable_wait_setting" in request.node.name:
        return {"ALERT_RECORDING_WAIT": "2m"}
    return {}


def test_an_unusable_wait_setting_holds_no_alert_back_beyond_the_default_wait(
    twilio, team, worker, fake_twilio
):
    hotline, *_ = team
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)
    start = utcnow()

    play(driver, worker, "record ended")
    with time_machine.travel(start + WAIT - timedelta(seconds=10)):
        worker.run()
        assert fake_twilio.messages == []
    with time_machine.travel(start + WAIT + timedelta(seconds=2)):
        worker.run()

    assert len(fake_twilio.messages) == 4
