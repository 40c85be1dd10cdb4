"""Failed sends are retried with backoff, then logged as failed; webhooks never feel it."""

from __future__ import annotations

import logging

import pytest

from hotline import create_app
from hotline.alerts import config_check
from hotline.alerts.models import Channel, Status
from tests.alerts.conftest import events, miss_the_call, notifications
from tests.conftest import app_config
from tests.voice.conftest import CallDriver


def voice_answers_without_alerts(twilio, hotline) -> list[str]:
    return miss_the_call(CallDriver(twilio, hotline, call_sid="CA" + "7" * 32))


@pytest.mark.parametrize("queue_url", ["sqlite", "redis"], indirect=True)
def test_smtp_down_and_twilio_500_are_retried_then_logged_failed(
    twilio, team, worker, fake_twilio, smtp_server, db_session
):
    hotline, people, maud = team
    fake_twilio.always_fail = 500
    smtp_server.stop()

    answers = miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)

    # Twilio got the same answers as on a day without trouble.
    assert answers[3].count("<Record") == 1
    assert answers[0].startswith("<?xml")
    sent = notifications(db_session)
    assert len(sent) == 8
    assert {n.status for n in sent} == {Status.FAILED}
    assert {n.attempts for n in sent} == {3}
    sms = [n for n in sent if n.channel == Channel.SMS]
    mails = [n for n in sent if n.channel == Channel.EMAIL]
    assert all(n.last_error.startswith("Twilio answered 500") for n in sms)
    unreachable = f"SMTP server unreachable: 127.0.0.1:{smtp_server.port}"
    assert all(n.last_error.startswith(unreachable) for n in mails)
    assert len(fake_twilio.messages) == 4 * 3  # each SMS tried three times, no more
    # Backoff: 30 s, then 60 s, for each of the eight notifications.
    # (Rounded to 10 s: the clock runs on between scheduling and reading the schedule.)
    delays = [round(d / 10) * 10 for d in worker.retry_delays]
    assert sorted(delays) == [30] * 8 + [60] * 8


def test_webhook_answers_are_the_same_when_every_channel_is_down(
    twilio, team, fake_twilio, smtp_server
):
    hotline, *_ = team
    healthy = voice_answers_without_alerts(twilio, hotline)
    fake_twilio.always_fail = 500
    smtp_server.stop()

    down = miss_the_call(CallDriver(twilio, hotline))

    def normalise(answers: list[str]) -> list[str]:
        return [a.replace("7" * 32, "").replace("0" * 31 + "1", "") for a in answers]

    assert normalise(down) == normalise(healthy)
    assert fake_twilio.requests == []  # nothing was even tried during the webhooks


def test_a_send_that_fails_twice_then_works_goes_out_once(
    twilio, team, worker, fake_twilio, db_session
):
    hotline, people, _maud = team
    fake_twilio.failures = [503, 500]

    miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)

    sms = [n for n in notifications(db_session) if n.channel == Channel.SMS]
    assert {n.status for n in sms} == {Status.SENT}
    assert sum(n.attempts for n in sms) == 4 + 2
    assert len(fake_twilio.messages) == 4 + 2
    assert {m["To"] for m in fake_twilio.messages} == {p.mobile for p in [*people, _maud]}


def test_a_refused_number_is_not_retried(twilio, team, worker, fake_twilio, db_session):
    hotline, *_ = team
    fake_twilio.always_fail = 400

    miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)

    sms = [n for n in notifications(db_session) if n.channel == Channel.SMS]
    assert {(n.status, n.attempts) for n in sms} == {(Status.FAILED, 1)}
    assert worker.retry_delays == []


def test_a_notification_is_never_sent_twice(twilio, team, worker, fake_twilio, db_session):
    hotline, *_ = team
    miss_the_call(CallDriver(twilio, hotline))
    worker.run()
    queue_send = worker.app.extensions["hotline.alerts.queue"].send_notification
    [event] = events(db_session)
    for notification in notifications(db_session):
        queue_send(notification.id)  # a duplicate task, as after a worker restart
    event.dispatched_at = None  # and a re-dispatch of the same event
    db_session.flush()
    queue_deliver = worker.app.extensions["hotline.alerts.queue"].deliver_event
    queue_deliver(event.id)
    worker.run()

    assert len(fake_twilio.messages) == 4
    assert len(notifications(db_session)) == 8


@pytest.fixture
def alert_overrides(request):
    if "unknown_smtp_host" in request.node.name:
        return {"SMTP_HOST": "smtp.invalid"}
    if "nobody_configured" in request.node.name:
        return {"TWILIO_ACCOUNT_SID": "", "SMTP_HOST": ""}  # as in the demo
    return {}


def test_channels_nobody_configured_are_not_sent_and_log_no_error(
    twilio, team, worker, fake_twilio, db_session, client, login_as, caplog
):
    hotline, *_ = team
    caplog.set_level(logging.INFO, logger="hotline.alerts")

    miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)

    sent = notifications(db_session)
    assert len(sent) == 8
    assert {(n.status, n.attempts) for n in sent} == {(Status.SKIPPED, 1)}
    assert fake_twilio.requests == []
    alerts_log = [r for r in caplog.records if r.name == "hotline.alerts"]
    assert [r for r in alerts_log if r.levelno >= logging.ERROR] == []
    warnings = [r.getMessage() for r in alerts_log if r.levelno == logging.WARNING]
    assert len(warnings) == 8
    assert sum("not sent by sms: SMS not configured" in w for w in warnings) == 4
    assert sum("not sent by email: e-mail not configured" in w for w in warnings) == 4
    # The notification log still says why nothing went out.
    login_as("admin", language="en")
    page = client.get("/alerts/?status=skipped").get_data(as_text=True)
    assert page.count("SMS sending is not set up") == 4
    assert page.count("e-mail sending is not set up") == 4


def test_a_real_delivery_failure_is_still_logged_as_an_error(
    twilio, team, worker, fake_twilio, caplog
):
    hotline, *_ = team
    fake_twilio.always_fail = 400
    caplog.set_level(logging.INFO, logger="hotline.alerts")

    miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)

    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 4
    assert all("failed for good: Twilio answered 400" in e for e in errors)


def test_unknown_smtp_host_is_logged_on_the_notification(twilio, team, worker, db_session):
    hotline, *_ = team
    miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)
    mails = [n for n in notifications(db_session) if n.channel == Channel.EMAIL]
    assert {n.status for n in mails} == {Status.FAILED}
    assert all(n.last_error.startswith("unknown SMTP host 'smtp.invalid'") for n in mails)


def test_config_check_names_an_unknown_smtp_host():
    config = {**check_config(), "SMTP_HOST": "smtp.invalid"}
    [problem] = config_check.probe(config)
    assert problem.startswith("unknown SMTP host 'smtp.invalid'")


def test_config_check_names_missing_credentials():
    config = {**check_config(), "SMTP_USERNAME": "alerts"}
    assert config_check.problems(config) == [
        "e-mail credentials incomplete: SMTP_PASSWORD is missing"
    ]


def test_config_check_names_an_unusable_recording_wait():
    config = {**check_config(), "ALERT_RECORDING_WAIT": "2m"}
    assert config_check.problems(config) == [
        "ALERT_RECORDING_WAIT must be a number of seconds, not '2m': "
        "missed-call alerts wait 120 s for a recording"
    ]


@pytest.mark.parametrize("days", ["7d", 0, -1, 400])
def test_config_check_names_an_unusable_listen_link_lifetime(days):
    config = {**check_config(), "LISTEN_LINK_DAYS": days}
    assert config_check.problems(config) == [
        f"LISTEN_LINK_DAYS must be a number of days between 0 and 366, not {days!r}: "
        "listen links play for 7 days"
    ]


def test_config_check_passes_a_complete_configuration():
    assert config_check.probe(check_config()) == []


def check_config() -> dict[str, object]:
    return {
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "token",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 2525,
        "SMTP_SECURITY": "starttls",
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "MAIL_FROM": "alerts@example.org",
    }


def test_bad_alert_settings_are_logged_at_start_up(database_url, caplog):
    from hotline import log_start_up_problems

    caplog.set_level(logging.WARNING, logger="hotline.alerts")
    config = app_config(database_url, SMTP_HOST="mail.example.org", SMTP_USERNAME="me")
    # What a server does as it starts (wsgi.py, gunicorn's post_worker_init).
    log_start_up_problems(create_app(config))
    assert (
        "alerts (start-up): e-mail disabled: MAIL_FROM (the sender address) is not set"
        in caplog.text
    )
    assert (
        "alerts (start-up): e-mail credentials incomplete: SMTP_PASSWORD is missing" in caplog.text
    )


def test_an_sms_refused_for_a_landline_says_so_in_the_log_and_is_not_retried(
    twilio, team, worker, fake_twilio, db_session, client, login_as
):
    hotline, *_ = team
    fake_twilio.always_fail, fake_twilio.failure_code = 400, 21614  # not a mobile number

    miss_the_call(CallDriver(twilio, hotline))
    worker.run(fast_forward=True)

    sms = [n for n in notifications(db_session) if n.channel == Channel.SMS]
    assert {(n.status, n.attempts) for n in sms} == {(Status.FAILED, 1)}
    assert all(n.last_error.startswith("not a mobile number: Twilio answered 400") for n in sms)
    login_as("admin", language="fr")
    page = client.get("/alerts/").get_data(as_text=True)
    assert "ce numéro ne peut pas recevoir de SMS (un fixe ?)" in page
