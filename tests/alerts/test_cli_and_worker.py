"""The `hotline alerts` commands, and a real huey consumer picking events up by itself."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from hotline import create_app, schema
from hotline.alerts.models import Channel, Status
from hotline.alerts.queue import start_consumer
from hotline.db import database, utcnow
from hotline.models import Hotline, Person
from hotline.planning.models import Slot, SlotResponder
from tests.alerts.conftest import alert_settings, notifications
from tests.alerts.fakes import body_of
from tests.conftest import TwilioClient, app_config
from tests.voice.conftest import CallDriver


def test_test_alert_reaches_the_person_by_sms_and_email(
    runner, make_person, make_hotline, worker, fake_twilio, smtp_server
):
    hotline = make_hotline()
    alice = make_person("Alice", ref="alice", email="alice@example.org", language="en")

    result = runner.invoke(args=["alerts", "test", "alice"])
    worker.run()

    assert result.exit_code == 0, result.output
    [sms] = fake_twilio.messages
    assert sms["To"] == alice.mobile
    assert sms["From"] == hotline.number
    assert sms["Body"].startswith("[Hotline] Test alert for Alice")
    [mail] = smtp_server.messages
    assert mail["Subject"] == "Hotline test alert"
    assert "on-call alerts reach this address" in body_of(mail)


@pytest.fixture
def twilio_client_log() -> Iterator[logging.Logger]:
    logger = logging.getLogger("twilio.http_client")
    yield logger
    logger.setLevel(logging.NOTSET)  # as the library leaves it, for the other tests


@pytest.mark.parametrize(("level", "twilio_lines"), [("INFO", False), ("DEBUG", True)])
def test_worker_log_shows_the_twilio_client_s_requests_only_when_debugging(
    runner,
    make_person,
    make_hotline,
    worker,
    fake_twilio,
    caplog,
    twilio_client_log,
    level,
    twilio_lines,
):
    from hotline.alerts.cli import configure_worker_logging

    make_hotline()
    make_person("Alice", ref="alice", language="en")
    caplog.set_level(logging.INFO)  # as the worker's own basicConfig does

    configure_worker_logging(level)
    runner.invoke(args=["alerts", "test", "alice"])
    worker.run()

    assert len(fake_twilio.messages) == 1
    logged = [r for r in caplog.records if r.name == twilio_client_log.name]
    assert bool(logged) is twilio_lines


def test_test_alert_for_an_unknown_person_says_so(runner):
    result = runner.invoke(args=["alerts", "test", "nobody"])
    assert result.exit_code != 0
    assert "no person with ref 'nobody'" in result.output


def test_person_switching_sms_off_gets_email_only(
    runner, team, twilio, worker, fake_twilio, db_session
):
    hotline, people, _maud = team
    alice = people[0]
    result = runner.invoke(
        args=["alerts", "switch", "missed_call", "off", "--person", alice.ref, "--channel", "sms"]
    )
    assert result.exit_code == 0, result.output

    driver = CallDriver(twilio, hotline)
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)
    driver.status("completed", 40)
    worker.run()

    to_alice = [n for n in notifications(db_session) if n.person_id == alice.id]
    assert [n.channel for n in to_alice] == [Channel.EMAIL]
    assert alice.mobile not in {m["To"] for m in fake_twilio.messages}


def test_hotline_switching_an_alert_off_sends_nothing(runner, team, twilio, worker, fake_twilio):
    hotline, *_ = team
    runner.invoke(args=["alerts", "switch", "missed_call", "off", "--hotline", hotline.number])
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    for position in range(3):
        driver.dial_result(position, "no-answer", bridged=False)
    driver.status("completed", 40)
    worker.run()
    assert fake_twilio.messages == []


def test_switch_rejects_an_unknown_alert(runner, team):
    result = runner.invoke(args=["alerts", "switch", "fire", "on", "--person", "person1"])
    assert result.exit_code != 0
    assert "unknown alert 'fire'" in result.output


def test_call_received_alert_when_the_hotline_turns_it_on(
    runner, team, twilio, worker, fake_twilio
):
    hotline, people, _maud = team
    runner.invoke(args=["alerts", "switch", "call_received", "on", "--hotline", hotline.number])
    CallDriver(twilio, hotline).incoming()
    worker.run()
    assert sorted(m["To"] for m in fake_twilio.messages) == sorted(p.mobile for p in people)
    assert all(
        "Appel entrant du 06 99 88 77 66" in m["Body"] or "Incoming call from" in m["Body"]
        for m in fake_twilio.messages
    )


def test_failed_ring_leg_warns_the_person_by_email_and_the_managers(
    team, twilio, worker, fake_twilio, smtp_server
):
    hotline, people, maud = team
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    driver.dial_result(0, "failed", bridged=False)
    driver.dial_result(1, "completed", bridged=True, parent="completed", duration=30)
    worker.run()

    assert [m["To"] for m in fake_twilio.messages] == [maud.mobile]
    assert "probablement faux" in fake_twilio.messages[0]["Body"]
    assert sorted(m["To"] for m in smtp_server.messages) == [people[0].email, maud.email]


def test_the_person_whose_number_failed_is_told_about_their_own_number(
    team, twilio, worker, smtp_server
):
    hotline, people, maud = team
    alice, _bruno, chloe = people  # Alice reads French, Chloé English
    driver = CallDriver(twilio, hotline)
    driver.incoming()
    driver.dial_result(0, "failed", bridged=False)
    driver.dial_result(1, "no-answer", bridged=False)
    driver.dial_result(2, "failed", bridged=False)
    worker.run()

    mails = {m["To"]: m for m in smtp_server.messages if m["To"] != maud.email}
    to_alice, to_chloe = mails[alice.email], mails[chloe.email]
    assert to_alice["Subject"] == "Votre numéro est injoignable sur Astreinte IT"
    assert "n’a pas pu vous être transféré au 06 12 34 56 01" in body_of(to_alice)
    assert "Votre numéro est probablement faux" in body_of(to_alice)
    assert to_chloe["Subject"] == "Your number could not be rung on Astreinte IT"
    assert "could not be forwarded to you at 06 12 34 56 03" in body_of(to_chloe)
    for mail, name in ((to_alice, "Alice"), (to_chloe, "Chloé")):
        assert name not in mail["Subject"]
        assert name not in body_of(mail).split("\n", 1)[1]  # only in the greeting
    # The managers are told whose number it is.
    to_maud = sorted(m["Subject"] for m in smtp_server.messages if m["To"] == maud.email)
    assert to_maud == [
        "Numéro injoignable sur Astreinte IT : Alice",
        "Numéro injoignable sur Astreinte IT : Chloé",
    ]


def test_check_command_reports_bad_settings(app, runner):
    app.config.update(SMTP_HOST="smtp.invalid", SMTP_USERNAME="alerts")
    result = runner.invoke(args=["alerts", "check"])
    assert result.exit_code == 1
    assert "SMTP_PASSWORD is missing" in result.output
    assert "unknown SMTP host 'smtp.invalid'" in result.output


def test_log_command_lists_what_was_sent(runner, team, twilio, worker):
    hotline, *_ = team
    with time_machine.travel(datetime(2026, 11, 27, 10, 0, tzinfo=UTC), tick=False):
        runner.invoke(args=["alerts", "test", "person1"])
        worker.run()
    result = runner.invoke(args=["alerts", "log"])
    assert "test" in result.output
    assert "sent" in result.output
    assert "2026-11-27 11:00 CET" in result.output  # the installation's time, not UTC


@pytest.fixture
def live_app(tmp_path, fake_twilio, smtp_server):
    """An app on its own SQLite file (real commits), for a consumer running in threads."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    settings = alert_settings(
        fake_twilio, smtp_server, QUEUE_URL=f"sqlite:///{tmp_path / 'q.sqlite3'}"
    )
    app = create_app(app_config(url, **settings))
    schema.upgrade(database(app).engine)
    yield app
    database(app).engine.dispose()


def test_a_real_consumer_sends_a_missed_call_alert_by_itself(live_app, fake_twilio, smtp_server):
    now = utcnow()
    with database(live_app).session_scope() as session:
        hotline = Hotline(number="+33184881234", name="Astreinte live")
        alice = Person(ref="alice", name="Alice", mobile="+33612345601", email="alice@example.org")
        session.add_all([hotline, alice])
        session.flush()
        slot = Slot(
            hotline_id=hotline.id,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=1),
        )
        slot.responders = [SlotResponder(position=0, person_id=alice.id)]
        session.add(slot)
    consumer = start_consumer(live_app)
    try:
        driver = CallDriver(TwilioClient(live_app.test_client()), hotline)
        driver.incoming()
        driver.dial_result(0, "no-answer", bridged=False)
        driver.voicemail_done(9)
        driver.recording(9)  # Twilio kept the message: the alert may say so
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (fake_twilio.messages and smtp_server.messages):
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)

    assert [m["To"] for m in fake_twilio.messages] == ["+33612345601"]
    assert [m["To"] for m in smtp_server.messages] == ["alice@example.org"]
    with database(live_app).session_scope() as session:
        assert {n.status for n in notifications(session)} == {Status.SENT}
