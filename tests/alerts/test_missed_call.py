"""A missed call end to end: signed webhooks -> chain exhausted -> voicemail -> SMS and e-mails."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hotline.alerts.messages import is_gsm7, sms_segments
from hotline.alerts.models import Status
from hotline.auth.models import User
from hotline.voice.models import Call
from tests.alerts.conftest import events, listen_link_in, miss_the_call, named_by, notifications
from tests.alerts.fakes import body_of
from tests.conftest import AUTH_TOKEN, sign_in_client
from tests.voice.conftest import CALLER, CallDriver

# Where CallDriver's message is stored at Twilio: alerts never show it.
RECORDING_URL = "https://api.twilio.com/rec/RE1"
CALL_PAGE = re.compile(r"http://localhost(/stats/calls/\d+)\b")  # PUBLIC_BASE_URL's


def call_page_url(db_session, driver: CallDriver) -> str:
    """The call's page as the alerts' PUBLIC_BASE_URL (http://localhost) spells it."""
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    return f"http://localhost/stats/calls/{call.id}"


@pytest.fixture
def alert_overrides(request):
    if "without_public_base_url" in request.node.name:
        return {"PUBLIC_BASE_URL": ""}
    return {}


@pytest.mark.parametrize("queue_url", ["sqlite", "redis"], indirect=True)
def test_missed_call_sends_one_sms_and_one_email_per_recipient_linking_the_call(
    app, twilio, team, worker, fake_twilio, smtp_server, db_session
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
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    page = call_page_url(db_session, driver)
    sms = fake_twilio.messages
    assert sorted(m["To"] for m in sms) == sorted(p.mobile for p in recipients)
    assert {m["From"] for m in sms} == {hotline.number}
    for person in recipients:
        [body] = [m["Body"] for m in sms if m["To"] == person.mobile]
        # One link: their own, to the message, which plays without signing in.
        assert body.endswith(" " + listen_link_in(body))
        assert named_by(app, listen_link_in(body)) == (call.id, f"person:{person.id}")
        assert page not in body
        assert "api.twilio.com" not in body
        assert "06 99 88 77 66" in body  # the caller, as people write it
    mails = smtp_server.messages
    assert sorted(m["To"] for m in mails) == sorted(p.email for p in recipients)
    for person in recipients:
        [mail] = [body_of(m) for m in mails if m["To"] == person.email]
        assert named_by(app, listen_link_in(mail)) == (call.id, f"person:{person.id}")
        # The call's page only for Maud, the manager: the agents have no web account.
        assert (page in mail) == (person is maud)
        assert "api.twilio.com" not in mail
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


def sms_of_a_call_missed_without_message(driver, worker, fake_twilio) -> dict[str, str]:
    """Nobody of three picks up, the caller leaves no message; the SMS sent, by number."""
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)
    driver.status("completed", 40)
    worker.run()
    return {m["To"]: m["Body"] for m in fake_twilio.messages}


def test_a_call_missed_without_message_says_so_and_links_its_page(
    twilio, team, worker, fake_twilio, db_session
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)

    bodies = sms_of_a_call_missed_without_message(driver, worker, fake_twilio)

    assert bodies[people[0].mobile].startswith("[Astreinte IT] Appel manqué du 06 99 88 77 66")
    assert bodies[people[2].mobile].startswith("[Astreinte IT] Missed call from 06 99 88 77 66")
    page = call_page_url(db_session, driver)
    assert bodies[people[0].mobile].endswith(f". Détails : {page}")
    assert bodies[people[2].mobile].endswith(f". Details: {page}")


def test_without_public_base_url_the_alert_says_where_to_listen_and_links_nothing(
    twilio, team, worker, fake_twilio, smtp_server
):
    hotline, people, maud = team
    miss_the_call(CallDriver(twilio, hotline))

    worker.run()

    bodies = {m["To"]: m["Body"] for m in fake_twilio.messages}
    assert bodies[people[0].mobile].endswith(
        "Message de 12 s : à écouter dans Hotline, Statistiques > Appels."
    )
    assert bodies[people[2].mobile].endswith(
        "Message of 12 s: listen in Hotline, Statistics > Calls."
    )
    mails = {m["To"]: body_of(m) for m in smtp_server.messages}
    assert (
        "Listen to it on the call's page in Hotline (Statistics > Calls)."
        in mails["chloe@example.org"]
    )
    # Neither Twilio's URL (it needs the account's password, or is open to anyone) nor ours.
    assert not any("http" in text for text in [*bodies.values(), *mails.values()])


@pytest.mark.parametrize("who", ["agent rung", "manager of the hotline"])
def test_each_recipient_with_an_account_opens_the_call_page_of_the_email_and_plays_the_message(
    twilio, team, worker, fake_twilio, smtp_server, client, login_as, db_session, who
):
    hotline, people, maud = team
    fake_twilio.media["/rec/RE1.mp3"] = b"ID3 the caller's message"
    fake_twilio.media_credentials = ("AC" + "1" * 32, AUTH_TOKEN)  # tests.conftest's account
    recipient = people[0] if who == "agent rung" else maud
    if who == "agent rung":
        login_as("agent", person=recipient)
    else:  # the team's manager already has their account
        manager = db_session.scalar(select(User).where(User.person_id == maud.id))
        sign_in_client(client, db_session, manager)
    miss_the_call(CallDriver(twilio, hotline))
    worker.run()
    [mail] = [body_of(m) for m in smtp_server.messages if m["To"] == recipient.email]
    path = CALL_PAGE.search(mail)[1]

    page = client.get(path)

    assert page.status_code == 200
    assert f'src="{path}/recording"' in page.get_data(as_text=True)
    played = client.get(f"{path}/recording")
    assert played.status_code == 200
    assert played.data == b"ID3 the caller's message"


@pytest.mark.parametrize(
    ("caller", "french", "english"),
    [
        ("+447911123456", "du +44 7911 123456", "+44 7911 123456"),  # to call back from abroad
        ("+266696687", "d'un numéro masqué", "withheld number"),  # Twilio's ANONYMOUS
        ("anonymous", "d'un numéro masqué", "withheld number"),
    ],
)
def test_a_missed_call_names_a_caller_from_abroad_or_withheld_as_the_team_can_call_back(
    twilio, team, worker, fake_twilio, caller, french, english
):
    hotline, people, _maud = team
    driver = CallDriver(twilio, hotline, caller=caller)

    bodies = sms_of_a_call_missed_without_message(driver, worker, fake_twilio)

    assert bodies[people[0].mobile].startswith(f"[Astreinte IT] Appel manqué {french} ")
    assert bodies[people[2].mobile].startswith(f"[Astreinte IT] Missed call from {english} ")


def test_a_long_hotline_name_outside_gsm7_is_cut_before_the_link_never_in_it(
    app, twilio, team, worker, fake_twilio, db_session
):
    hotline, people, maud = team
    # "ê" puts the whole SMS in UCS-2: three segments hold 201 characters, not 459.
    hotline.name = ("Astreinte forêt domaniale, " * 5)[:120]
    db_session.flush()
    driver = CallDriver(twilio, hotline)

    miss_the_call(driver)
    worker.run()

    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    bodies = {m["To"]: m["Body"] for m in fake_twilio.messages}
    assert len(bodies) == 4
    for person in [*people, maud]:
        body = bodies[person.mobile]
        assert sms_segments(body) == 3
        link = listen_link_in(body)
        assert body.endswith(f"... {link}"), body
        assert named_by(app, link) == (
            call.id,
            f"person:{person.id}",
        )  # whole: its signature still holds
    assert bodies[people[0].mobile].startswith("[Astreinte forêt domaniale, Astreinte")


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


def test_a_voicemail_sms_on_a_public_address_is_one_segment_in_french_and_english(
    app, twilio, team, worker, fake_twilio
):
    hotline, people, maud = team
    alice, chloe = people[0], people[2]  # French, English

    miss_the_call(CallDriver(twilio, hotline))
    # The worker writes links to the public address (Twilio signed the calls for localhost).
    app.config["PUBLIC_BASE_URL"] = "https://hotline.example.org"
    worker.run()

    bodies = {m["To"]: m["Body"] for m in fake_twilio.messages}
    for person, start in [
        (alice, "[Astreinte IT] Message vocal (12 s) du 06 99 88 77 66 le "),
        (chloe, "[Astreinte IT] Voicemail (12 s) from 06 99 88 77 66 on "),
    ]:
        body = bodies[person.mobile]
        assert body.startswith(start)
        assert re.search(r" https://hotline\.example\.org/listen/[\w.-]+$", body)
        assert is_gsm7(body)
        assert sms_segments(body) == 1, f"{len(body)} characters: {body}"
