"""What a missed-call alert says of the message, whatever the order of Twilio's callbacks.

The Record action reports a message as the caller stops speaking; the recording
status callback says later whether Twilio kept it; the call's status callback
may come before, between or after them. Between callbacks the worker runs, as
its relay does every second.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from hotline.alerts.models import AlertEvent, AlertKind, Channel, Status
from hotline.db import utcnow
from hotline.stats.kpis import summary
from hotline.stats.periods import Period
from hotline.voice.models import Call, Outcome
from tests.alerts.conftest import QueueDriver, listen_link_in, named_by, notifications
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


def call_of(db_session, driver: CallDriver) -> Call:
    return db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))


def ending_link(sms: str) -> tuple[str, str]:
    """The SMS's text before its link, and the link it ends with."""
    text, link = sms.rsplit(" ", 1)
    return text, link


def test_the_alert_announces_a_message_only_once_twilio_kept_it(
    app, twilio, team, worker, fake_twilio, smtp_server, db_session
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
    assert french.startswith("[Astreinte IT] Message vocal (12 s) du 06 99 88 77 66 le ")
    text, link = ending_link(french)
    assert text.endswith(" :")
    assert named_by(app, link) == (call_of(db_session, driver).id, f"person:{people[0].id}")
    [english] = bodies[people[2].mobile]
    assert english.startswith("[Astreinte IT] Voicemail (12 s) from 06 99 88 77 66 on ")


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


def wait_for_a_recording_callback_that_never_comes(
    driver: CallDriver, worker: QueueDriver, fake_twilio
) -> None:
    """A message reported by the Record action, then silence: nothing goes out before the wait."""
    reach_voicemail(driver)
    start = utcnow()
    play(driver, worker, "record ended")
    with time_machine.travel(start + WAIT - timedelta(seconds=10)):
        worker.run()
        assert fake_twilio.messages == []
    with time_machine.travel(start + WAIT + timedelta(seconds=2)):
        worker.run()


def test_a_lost_recording_callback_still_gets_a_missed_call_alert_after_the_wait(
    twilio, team, worker, fake_twilio
):
    hotline, people, maud = team

    wait_for_a_recording_callback_that_never_comes(CallDriver(twilio, hotline), worker, fake_twilio)

    bodies = sms_by_number(fake_twilio)
    assert sorted(bodies) == sorted(p.mobile for p in [*people, maud])
    assert all(len(sms) == 1 for sms in bodies.values())
    assert bodies[people[0].mobile][0].startswith("[Astreinte IT] Appel manqué du 06 99 88 77 66")
    assert bodies[people[2].mobile][0].startswith("[Astreinte IT] Missed call from 06 99 88 77 66")


def what_the_pages_say(db_session, client, driver: CallDriver) -> tuple[str, str, int, int, bool]:
    """The call's outcome on its page and in the list, the period's messages and misses, and
    whether the page warns that Twilio has not confirmed the message."""
    db_session.expire_all()
    call = db_session.scalar(select(Call).where(Call.call_sid == driver.call_sid))
    page = client.get(f"/stats/calls/{call.id}").get_data(as_text=True)
    [on_page] = re.findall(r'class="outcome" data-outcome="(\w+)"', page)
    listed = client.get(f"/stats/calls?hotline={call.hotline_id}").get_data(as_text=True)
    [in_list] = re.findall(rf'data-call="{call.id}" class="outcome-(\w+)"', listed)
    figures = summary(db_session, Period.last_days(7, "Europe/Paris"), call.hotline_id)
    unconfirmed = "Twilio has not confirmed that it kept this message" in page
    return on_page, in_list, figures.voicemail, figures.missed, unconfirmed


def test_the_call_a_lost_recording_callback_left_is_missed_as_its_alert_said_until_confirmed(
    twilio, team, worker, fake_twilio, db_session, client, login_as
):
    hotline, people, _maud = team
    driver = CallDriver(twilio, hotline)
    login_as("supervisor", hotlines=(hotline,), language="en")

    start = utcnow()
    wait_for_a_recording_callback_that_never_comes(driver, worker, fake_twilio)

    assert sms_by_number(fake_twilio)[people[0].mobile][0].startswith(
        "[Astreinte IT] Appel manqué du"
    )
    assert what_the_pages_say(db_session, client, driver) == ("missed", "missed", 0, 1, True)

    with time_machine.travel(start + WAIT + timedelta(minutes=5)):
        play(driver, worker, "kept")  # Twilio's confirmation comes after all
        driver.replay()
        worker.run()

    [_missed, update] = sms_by_number(fake_twilio)[people[0].mobile]
    assert update.startswith("[Astreinte IT] Rectificatif : message (12 s) du")
    assert what_the_pages_say(db_session, client, driver) == ("voicemail", "voicemail", 1, 0, False)


@pytest.fixture
def alert_overrides(request):
    if "unusable_wait_setting" in request.node.name:
        return {"ALERT_RECORDING_WAIT": "2m"}
    return {}


def test_an_unusable_wait_setting_holds_no_alert_back_beyond_the_default_wait(
    twilio, team, worker, fake_twilio
):
    hotline, *_ = team

    wait_for_a_recording_callback_that_never_comes(CallDriver(twilio, hotline), worker, fake_twilio)

    assert len(fake_twilio.messages) == 4


def missed_then_kept(driver: CallDriver, worker: QueueDriver, order: str) -> None:
    """The alert goes out as a missed call, then Twilio confirms the 12 s message."""
    reach_voicemail(driver)
    if order == "recording callback after the wait":
        start = utcnow()
        play(driver, worker, "record ended")
        with time_machine.travel(start + WAIT + timedelta(seconds=2)):
            worker.run()
            play(driver, worker, "kept")
    else:  # the call's status callback before the Record action
        play(driver, worker, "ended record kept")


ORDERS = ["recording callback after the wait", "status callback before the Record action"]


@pytest.mark.parametrize("order", ORDERS)
def test_a_message_kept_after_a_missed_call_alert_is_told_in_a_short_update(
    app, twilio, team, worker, fake_twilio, smtp_server, db_session, order
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)

    missed_then_kept(driver, worker, order)

    call = call_of(db_session, driver)
    bodies = sms_by_number(fake_twilio)
    assert sorted(bodies) == sorted(p.mobile for p in [*people, maud])
    assert all(len(sms) == 2 for sms in bodies.values())
    [missed, update] = bodies[people[0].mobile]
    assert missed.startswith("[Astreinte IT] Appel manqué du 06 99 88 77 66")
    assert update.startswith("[Astreinte IT] Rectificatif : message (12 s) du 06 99 88 77 66 le")
    text, link = ending_link(update)
    assert text.endswith(" :")
    assert named_by(app, link) == (
        call.id,
        f"person:{people[0].id}",
    )  # the update gives a link of its own
    [missed, update] = bodies[people[2].mobile]
    assert missed.startswith("[Astreinte IT] Missed call from 06 99 88 77 66")
    assert update.startswith("[Astreinte IT] Update: voicemail (12 s) from 06 99 88 77 66 on")
    text, link = ending_link(update)
    assert text.endswith(":")
    assert named_by(app, link) == (call.id, f"person:{people[2].id}")
    mails = mails_by_address(smtp_server)
    assert [subject for subject, _body in mails["chloe@example.org"]] == [
        "Missed call on Astreinte IT",
        "Update: voicemail on Astreinte IT",
    ]
    assert "they did leave a 12-second message" in mails["chloe@example.org"][1][1]
    assert [subject for subject, _body in mails["maud@example.org"]] == [
        "Appel manqué sur Astreinte IT",
        "Rectificatif : message vocal sur Astreinte IT",
    ]
    assert "l’appelant a bien laissé un message de 12 secondes" in mails["maud@example.org"][1][1]


def test_replayed_callbacks_and_tasks_send_the_update_once(
    twilio, team, worker, fake_twilio, smtp_server, db_session
):
    hotline, *_ = team
    driver = CallDriver(twilio, hotline)
    missed_then_kept(driver, worker, "status callback before the Record action")

    driver.replay()
    driver.replay([len(driver.sent) - 1, len(driver.sent) - 2])  # the last two, reversed
    queue = worker.app.extensions["hotline.alerts.queue"]
    for event in db_session.scalars(select(AlertEvent)):
        queue.deliver_event(event.id)  # duplicate tasks, as after a worker restart
    worker.run()
    worker.run()

    assert len(fake_twilio.messages) == 4 + 4  # the alert, then the update, to each
    assert len(smtp_server.messages) == 4 + 4
    kinds = [e.kind for e in db_session.scalars(select(AlertEvent).order_by(AlertEvent.id))]
    assert kinds == [AlertKind.MISSED_CALL, AlertKind.LATE_VOICEMAIL]


def test_the_update_waits_for_a_missed_call_alert_whose_send_is_retried(
    twilio, team, worker, fake_twilio, db_session
):
    hotline, people, _maud = team
    fake_twilio.failures = [503] * 4  # each alert SMS fails once, then Twilio is back
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)
    play(driver, worker, "ended record kept")  # the update is raised while SMS retry

    worker.run(fast_forward=True)

    for person in people:
        sms = sms_by_number(fake_twilio)[person.mobile]
        # The failed try, its retry, then the update: never the update first.
        [tried, retried, update] = sms
        assert retried == tried
        assert tried.startswith(("[Astreinte IT] Appel manqué", "[Astreinte IT] Missed call"))
        assert update.startswith(("[Astreinte IT] Rectificatif", "[Astreinte IT] Update"))


def test_the_update_is_not_held_behind_another_channels_failing_alert(
    twilio, team, worker, fake_twilio, smtp_server, db_session
):
    hotline, people, maud = team
    smtp_server.stop()  # the mail server is down: every e-mail alert is retried
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)

    play(driver, worker, "ended record kept")  # the message is confirmed after the alert

    # Each SMS alert went out, so its update follows at once, retries of e-mail or not.
    for person in [*people, maud]:
        [missed, update] = sms_by_number(fake_twilio)[person.mobile]
        assert missed.startswith(("[Astreinte IT] Appel manqué", "[Astreinte IT] Missed call"))
        assert update.startswith(("[Astreinte IT] Rectificatif", "[Astreinte IT] Update"))
    assert smtp_server.messages == []

    smtp_server.start()  # back up: the retried alert goes out, then its update
    worker.run(fast_forward=True)

    mails = mails_by_address(smtp_server)
    assert [subject for subject, _body in mails["chloe@example.org"]] == [
        "Missed call on Astreinte IT",
        "Update: voicemail on Astreinte IT",
    ]
    assert [subject for subject, _body in mails["maud@example.org"]] == [
        "Appel manqué sur Astreinte IT",
        "Rectificatif : message vocal sur Astreinte IT",
    ]
    assert len(fake_twilio.messages) == 4 + 4


def test_an_update_whose_alert_failed_for_good_is_still_tried(
    twilio, team, worker, fake_twilio, smtp_server, db_session
):
    hotline, *_ = team
    smtp_server.stop()  # for good: every e-mail is tried three times, then given up
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)
    play(driver, worker, "ended record kept")

    worker.run(fast_forward=True)

    mails = [n for n in notifications(db_session) if n.channel == Channel.EMAIL]
    kinds = {n.id: n.event.kind for n in mails}
    # Each update's e-mail was tried once its alert's e-mail was given up, not left waiting.
    assert (
        sorted((kinds[n.id], n.status, n.attempts) for n in mails)
        == [(AlertKind.LATE_VOICEMAIL, Status.FAILED, 3)] * 4
        + [(AlertKind.MISSED_CALL, Status.FAILED, 3)] * 4
    )


@pytest.mark.parametrize(
    ("language", "missed", "update"),
    [
        ("fr", "Appel manqué, sans message", "Rectificatif : message vocal laissé"),
        ("en", "Missed call, no message", "Update: voicemail after all"),
    ],
)
def test_the_log_shows_what_each_alert_said(
    twilio, team, worker, client, login_as, language, missed, update
):
    hotline, *_ = team
    missed_then_kept(CallDriver(twilio, hotline), worker, ORDERS[1])
    login_as("manager", hotlines=(hotline,), language=language)

    page = client.get("/alerts/").get_data(as_text=True)

    assert page.count(f">{missed}</a>") == 8
    assert page.count(f">{update}</a>") == 8


def test_the_log_calls_an_alert_with_a_kept_message_a_voicemail(
    twilio, team, worker, client, login_as
):
    hotline, *_ = team
    driver = CallDriver(twilio, hotline)
    reach_voicemail(driver)
    play(driver, worker, "record kept ended")
    login_as("manager", hotlines=(hotline,), language="en")

    page = client.get("/alerts/").get_data(as_text=True)

    assert page.count(">Voicemail</a>") == 8


def test_the_log_command_names_what_each_alert_said(twilio, team, worker, runner):
    hotline, *_ = team
    missed_then_kept(CallDriver(twilio, hotline), worker, ORDERS[1])

    lines = runner.invoke(args=["alerts", "log"]).output.splitlines()

    assert sum(" missed_call_no_message " in line for line in lines) == 8
    assert sum(" late_voicemail " in line for line in lines) == 8


def test_the_update_gives_a_manager_without_a_person_a_listen_link_of_their_own(
    app, twilio, team, make_manager, worker, smtp_server, db_session
):
    hotline, _people, _maud = team
    lea = make_manager(hotline, name="Léa", email="lea@example.org", language="en")
    driver = CallDriver(twilio, hotline)

    missed_then_kept(driver, worker, ORDERS[1])

    [(missed, first), (update, second)] = mails_by_address(smtp_server)["lea@example.org"]
    assert missed == "Missed call on Astreinte IT"
    assert "/listen/" not in first
    assert update == "Update: voicemail on Astreinte IT"
    link = listen_link_in(second)
    assert named_by(app, link) == (call_of(db_session, driver).id, f"user:{lea.id}")
