"""The `hotline` command says what an operator can fix in one line, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hotline import create_app, schema
from hotline.db import database
from tests.app_node import free_port
from tests.conftest import app_config
from tests.ops.test_gunicorn_conf import CHECK_LINE, read_app_messages, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"
REFUSED = (
    "Error: database 'postgresql+psycopg://postgres@127.0.0.1:1/nowhere': connection failed: "
    'connection to server at "127.0.0.1", port 1 failed: Connection refused\n'
)


@pytest.mark.parametrize(
    "args",
    [
        ["db", "current"],
        ["db", "upgrade"],
        ["calls"],
        ["stats", "summary"],
        ["replay-calls", "-"],
    ],
)
def test_commands_say_in_one_line_that_the_database_is_unreachable(args):
    app = create_app(app_config(UNREACHABLE))
    fallback_line = (
        '{"time": "2026-11-27T14:00:00+00:00", "message": "webhook failed, answered with '
        'fallback: /voice/incoming {\\"form\\": {\\"CallSid\\": \\"CA1\\"}}"}\n'
    )

    result = app.test_cli_runner().invoke(args=args, input=fallback_line)

    assert result.exit_code == 1
    assert result.output == REFUSED


def test_planning_export_with_the_database_away_writes_no_file(tmp_path):
    app = create_app(app_config(UNREACHABLE))
    target = tmp_path / "planning.json"

    result = app.test_cli_runner().invoke(args=["planning", "export", str(target)])

    assert result.exit_code == 1
    assert result.output == REFUSED
    assert not target.exists()


@pytest.mark.parametrize("command", ["upgrade", "downgrade"])
def test_an_unknown_revision_is_refused_in_one_line_and_changes_nothing(tmp_path, command):
    app = create_app(app_config(f"sqlite:///{tmp_path / 'db.sqlite3'}"))
    engine = database(app).engine
    schema.upgrade(engine)
    head = schema.current_revision(engine)

    result = app.test_cli_runner().invoke(args=["db", command, "nonexistent"])

    assert result.exit_code == 1
    assert result.output == "Error: Can't locate revision identified by 'nonexistent'\n"
    assert schema.current_revision(engine) == head


@pytest.mark.parametrize("command", ["upgrade", "downgrade"])
def test_an_unknown_revision_leaves_no_database_file_behind(tmp_path, command):
    path = tmp_path / "not-yet.sqlite3"
    app = create_app(app_config(f"sqlite:///{path}"))

    result = app.test_cli_runner().invoke(args=["db", command, "nonexistent"])

    assert result.exit_code == 1
    assert result.output == "Error: Can't locate revision identified by 'nonexistent'\n"
    assert not path.exists()


def hotline_command(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """The `hotline` console script, in an environment without any other setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603 - our own interpreter and entry point
        [sys.executable, "-c", "from hotline.cli import main; main()", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_help_lists_the_commands_with_a_database_url_that_is_not_one():
    result = hotline_command("--help", database_url="nonsense")

    assert result.returncode == 0
    assert "doctor" in result.stdout
    assert "replay-calls" in result.stdout
    # Neither a traceback nor the servers' start-up warnings about the alert settings.
    assert result.stderr == ""


def test_doctor_runs_and_names_a_database_url_that_is_not_one():
    result = hotline_command("doctor", database_url="nonsense")

    assert result.returncode == 1
    assert "ERROR    database: DATABASE_URL 'nonsense' is not a usable database URL" in (
        result.stdout
    )
    assert result.stderr == ""


@pytest.mark.parametrize("reloader", ["--reload", "--no-reload"])
def test_the_development_server_logs_the_start_up_check_once(tmp_path, reloader):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTLINE_", "WERKZEUG_"))}
    env |= {
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}",
        "HOTLINE_LOG_JSON": "true",
        "HOTLINE_SMTP_HOST": "",
    }
    server = subprocess.Popen(  # noqa: S603 - our own console script
        [str(Path(sys.executable).with_name("hotline")), "run", "--port", str(port), reloader],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the reloader's serving process in the same group
    )
    messages: list[str] = []
    reader = threading.Thread(target=read_app_messages, args=(server, messages), daemon=True)
    reader.start()
    try:
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", server)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        reader.join(timeout=10)
        if server.stderr is not None:
            server.stderr.close()

    # Logged by the process that serves, not by the one watching the files too.
    assert messages.count(CHECK_LINE) == 1, messages
