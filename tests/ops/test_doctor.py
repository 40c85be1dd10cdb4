"""`hotline doctor` says what is wrong in plain words and fails when something is."""

from __future__ import annotations

from hotline import create_app, schema
from hotline.db import database
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


def example_environment() -> dict[str, str]:
    """The settings of deploy/systemd/hotline.env.example, as create_app reads them."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "deploy/systemd/hotline.env.example"
    settings = {}
    for line in example.read_text().splitlines():
        key, _, value = line.partition("=")
        if key.startswith("HOTLINE_"):
            settings[key.removeprefix("HOTLINE_")] = value
    return settings


def test_doctor_refuses_the_placeholders_of_the_example_environment_file(tmp_path):
    # The example's own values; only the servers it names are left out.
    example = example_environment() | {"QUEUE_URL": "", "SMTP_HOST": ""}
    example.pop("DATABASE_URL")
    app = create_app(app_config(f"sqlite:///{tmp_path / 'example.sqlite3'}", **example))

    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    for key in ("METRICS_TOKEN", "SECRET_KEY", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        assert (
            f"ERROR    config: {key} still holds the placeholder of hotline.env.example"
            in result.output
        ), result.output
    assert "does not look like" not in result.output


def test_doctor_refuses_the_example_s_database_password():
    from hotline.ops.doctor import check_placeholders

    url = example_environment()["DATABASE_URL"]
    app = create_app(app_config(url))

    [finding] = list(check_placeholders(app))

    assert finding.level == "error"
    assert finding.message.startswith("DATABASE_URL still holds the placeholder")


def test_doctor_reports_an_unreachable_database_once_on_one_line():
    app = create_app(app_config("postgresql://postgres@127.0.0.1:1/nowhere"))

    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    [line] = [line for line in result.output.splitlines() if "127.0.0.1" in line]
    assert line == (
        "ERROR    database: cannot reach the database "
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere: connection failed: "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused'
    )


def test_doctor_reports_a_database_without_schema_once(tmp_path):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'empty.sqlite3'}"))

    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR    database: schema at nothing, code expects "
        f"{schema.head_revision(database(app).engine)}: run `hotline db upgrade`"
    ]


def test_doctor_names_a_database_url_that_is_not_one():
    app = create_app(app_config("nonsense"))

    result = app.test_cli_runner().invoke(args=["doctor"])

    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR    database: DATABASE_URL 'nonsense' is not a usable database URL (Could not "
        "parse SQLAlchemy URL from given URL string); expected e.g. "
        "postgresql://user@host/name or sqlite:///path/to/file.sqlite3"
    ]


def test_doctor_is_quiet_when_the_default_chain_takes_the_unplanned_hours(
    app, make_hotline, make_person, make_slot, set_default_chain, db_session
):
    from datetime import timedelta

    from hotline.db import utcnow
    from hotline.ops.doctor import check_coverage

    hotline = make_hotline(name="Astreinte IT")
    now = utcnow()
    make_slot(hotline, now - timedelta(hours=1), now + timedelta(days=3), [make_person()])
    set_default_chain(hotline, [make_person("Bruno")])
    db_session.commit()

    assert list(check_coverage(app)) == []
