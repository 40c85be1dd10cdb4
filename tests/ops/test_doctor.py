"""`hotline doctor` says what is wrong in plain words and fails when something is."""

from __future__ import annotations

from hotline import create_app
from tests.conftest import app_config


def test_doctor_on_a_sound_installation_reports_no_error(tmp_path):
    app = create_app(
        app_config(
            f"sqlite:///{tmp_path / 'sound.sqlite3'}",
            TWILIO_AUTH_TOKEN="0123456789abcdef0123456789abcdef",
            TWILIO_ACCOUNT_SID="AC0123456789abcdef0123456789abcdef",
            PUBLIC_BASE_URL="https://hotline.example.org",
        )
    )
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0

    result = runner.invoke(args=["doctor"])

    assert "ERROR" not in result.output, result.output
    assert result.exit_code == 0


def test_doctor_names_each_problem_and_exits_1(tmp_path):
    app = create_app(
        app_config(
            f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            TWILIO_AUTH_TOKEN="",
            TWILIO_ACCOUNT_SID="not-a-sid",
            EMERGENCY_NUMBER="12",
            PUBLIC_BASE_URL="http://hotline.example.org",
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=1,
            MAIL_FROM="hotline@example.org",
        )
    )

    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    assert "TWILIO_AUTH_TOKEN is not set" in result.output
    assert "TWILIO_ACCOUNT_SID does not look like" in result.output
    assert "EMERGENCY_NUMBER '12' is not a valid number" in result.output
    assert "is not https" in result.output
    assert "run `hotline db upgrade`" in result.output
    assert "SMTP server 127.0.0.1:1 does not answer" in result.output


def test_doctor_warns_about_a_coverage_gap_in_the_next_week(
    app, make_hotline, make_person, make_slot, db_session
):
    from datetime import timedelta

    from hotline.db import utcnow
    from hotline.ops.doctor import check_coverage

    hotline = make_hotline(name="Astreinte IT")
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(days=3), [make_person()])
    db_session.commit()

    findings = list(check_coverage(app))

    assert len(findings) == 1
    assert "Astreinte IT (+33184881234): 1 gap(s) in the next 7 days" in findings[0].message
    assert "96.0 h in all" in findings[0].message


def test_doctor_says_when_the_alert_queue_does_not_answer(tmp_path):
    from hotline.ops.doctor import check_queue

    app = create_app(
        app_config(f"sqlite:///{tmp_path / 'q.sqlite3'}", QUEUE_URL="redis://127.0.0.1:1/0")
    )

    [finding] = list(check_queue(app))

    assert finding.level == "error"
    assert "alert queue redis://127.0.0.1:1/0 does not answer" in finding.message
    assert "calls are routed" in finding.message


def test_doctor_says_alerts_carry_no_link_without_a_public_base_url(tmp_path):
    from hotline.ops.doctor import check_public_url

    app = create_app(
        app_config(f"sqlite:///{tmp_path / 'p.sqlite3'}", PUBLIC_BASE_URL="", PROXY_COUNT=1)
    )

    [finding] = list(check_public_url(app))

    assert finding.message == (
        "PUBLIC_BASE_URL is not set: missed-call alerts carry no link to the call's page"
    )
