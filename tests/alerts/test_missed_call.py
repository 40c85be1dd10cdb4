"""A missed call end to end: signed webhooks -> chain exhausted -> voicemail -> SMS and e-mails."""

from __future__ import annotations

import pytest

from hotline.alerts.models import Status
from tests.alerts.conftest import events, miss_the_call, notifications
from tests.alerts.fakes import body_of
from tests.voice.conftest import CALLER, CallDriver

RECORDING_URL = "https://api.twilio.com/rec/RE1"


@pytest.mark.parametrize("queue_url", ["sqlite", "redis"], indirect=True)
def test_missed_call_sends_one_sms_and_one_email_per_recipient_with_the_recording(
    twilio, team, worker, fake_twilio, smtp_server, db_session
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)

    answers = miss_the_call(driver)

    assert "<Record" in answers[3]  # the chain was exhausted: voicemail
    # The webhooks only wrote the event: nothing left the machine yet.
    assert fake_twilio.requests == []
    assert smtp_server.messages == []
    assert [e.kind for e in events(db_session)] == ["missed_call"]

    worker.run()

    recipients = [*people, maud]
    sms = fake_twilio.messages
    assert sorted(m["To"] for m in sms) == sorted(p.mobile for p in recipients)
    assert {m["From"] for m in sms} == {hotline.number}
    for message in sms:
        assert RECORDING_URL in message["Body"]
        assert "06 99 88 77 66" in message["Body"]  # the caller, as people write it
    mails = smtp_server.messages
    assert sorted(m["To"] for m in mails) == sorted(p.email for p in recipients)
    assert all(RECORDING_URL in body_of(m) for m in mails)
    french = next(m for m in mails if m["To"] == "alice@example.org")
    english = next(m for m in mails if m["To"] == "chloe@example.org")
    assert french["Subject"] == "Message vocal sur Astreinte IT"
    assert english["Subject"] == "Voicemail on Astreinte IT"
    assert {n.status for n in notifications(db_session)} == {Status.SENT}


def test_twilio_retries_and_replays_raise_no_second_alert(
    twilio, team, worker, fake_twilio, smtp_server
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)
    miss_the_call(driver)
    driver.replay()

    worker.run()
    worker.run()

    assert len(fake_twilio.messages) == 4
    assert len(smtp_server.messages) == 4


@pytest.mark.parametrize(
    ("caller", "french", "english"),
    [
        (CALLER, "06 99 88 77 66", "06 99 88 77 66"),  # as people of the country write it
        ("+447911123456", "+44 7911 123456", "+44 7911 123456"),  # to call back from abroad
        ("+266696687", "numéro masqué", "withheld number"),  # Twilio's ANONYMOUS
        ("anonymous", "numéro masqué", "withheld number"),
    ],
)
def test_a_call_missed_without_message_names_the_caller_as_the_team_can_call_back(
    twilio, team, worker, fake_twilio, caller, french, english
):
    hotline, people, _maud = team
    driver = CallDriver(twilio, hotline, caller=caller)
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)
    driver.status("completed", 40)

    worker.run()

    bodies = {m["To"]: m["Body"] for m in fake_twilio.messages}
    assert bodies[people[0].mobile].startswith(f"[Astreinte IT] Appel manqué de {french} ")
    assert bodies[people[2].mobile].startswith(f"[Astreinte IT] Missed call from {english} ")
    assert "http" not in bodies[people[0].mobile]  # no message, no link


def test_an_answered_call_raises_no_alert(twilio, team, worker, fake_twilio, db_session):
    hotline, _people, _maud = team
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    driver.dial_result(0, "completed", bridged=True, parent="completed", duration=60)
    driver.status("completed", 65)

    worker.run()

    assert events(db_session) == []
    assert fake_twilio.requests == []


def test_caller_number_is_in_every_message(twilio, team, worker, smtp_server):
    hotline, *_ = team
    miss_the_call(CallDriver(twilio, hotline))
    worker.run()
    assert all("06 99 88 77 66" in body_of(m) for m in smtp_server.messages)
    assert CALLER.startswith("+33699")
