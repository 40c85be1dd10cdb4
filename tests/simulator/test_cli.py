"""`hotline simulate` run as a command against the live server."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator

import pytest
from flask.testing import FlaskCliRunner

from hotline import create_app
from hotline.db import database
from tests.simulator.conftest import EMERGENCY_NUMBER, hotline_command

pytestmark = pytest.mark.e2e


@pytest.fixture
def cli(live_server) -> Iterator[FlaskCliRunner]:
    """The command in this process, configured like the server (same token, same database)."""
    app = create_app(
        {
            "DATABASE_URL": live_server.database_url,
            "TWILIO_AUTH_TOKEN": live_server.token,
            "EMERGENCY_NUMBER": EMERGENCY_NUMBER,
        }
    )
    yield app.test_cli_runner()
    database(app).engine.dispose()


def simulate(live_server, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command as a user would, with the server's configuration in the environment."""
    return subprocess.run(
        [*hotline_command(), "simulate", "--fast", "--url", live_server.url, *args],
        env=live_server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_transcript_mentions_each_leg_and_the_outcome(live_server):
    run = simulate(live_server, "--legs", "no-answer,busy,accept", "--talk", "45")

    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "+00:00 caller +33698765432 dials +33184881234" in out
    assert "ring leg 1: Alice Martin +33612345601" in out
    assert "no answer after 20 s" in out
    assert "ring leg 2: Bruno Petit +33612345602" in out
    assert "busy" in out
    assert "ring leg 3: Chloé Durand +33612345603" in out
    assert "presses 1" in out
    assert "result: answered by leg 3: Chloé Durand +33612345603" in out
    call_sid = out.split("(call ", 1)[1].split(")", 1)[0]
    call = live_server.call_row(call_sid)
    assert call["outcome"] == "answered"
    assert call["answered_by_id"] == live_server.people["chloe"]


def test_json_result_reports_legs_and_voicemail(live_server):
    run = simulate(live_server, "--legs", "busy,failed", "--message", "8", "--json")

    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["ending"] == "voicemail"
    assert result["message_seconds"] == 8
    assert [leg["status"] for leg in result["legs"]] == ["busy", "failed", "no-answer"]
    assert all(exchange["status"] == 200 for exchange in result["exchanges"])
    call = live_server.call_row(result["call_sid"])
    assert call["outcome"] == "voicemail"
    assert [a["result"] for a in live_server.attempt_rows(call["id"])] == [
        "busy",
        "failed",
        "no-answer",
    ]


def test_unknown_behaviour_is_refused_before_any_call(live_server, cli):
    calls_before = live_server.count_calls()

    run = cli.invoke(
        args=["simulate", "--fast", "--url", live_server.url, "--legs", "accept,pickup"]
    )

    assert run.exit_code == 2
    assert "unknown callee behaviour 'pickup'" in run.output
    assert "accept, no-answer, busy" in run.output
    assert live_server.count_calls() == calls_before


def test_wrong_token_fails_with_the_servers_refusal(live_server, cli):
    calls_before = live_server.count_calls()

    run = cli.invoke(
        args=["simulate", "--fast", "--url", live_server.url, "--token", "not-the-token"]
    )

    assert run.exit_code == 1
    assert "answered HTTP 403" in run.output
    assert live_server.count_calls() == calls_before


def test_default_token_is_the_apps_own(live_server, cli):
    run = cli.invoke(args=["simulate", "--fast", "--url", live_server.url, "--legs", "accept"])

    assert run.exit_code == 0, run.output
    assert "result: answered by leg 1: Alice Martin +33612345601" in run.output


def test_by_default_the_call_plays_in_real_time(live_server, cli):
    # Real time keeps the server's clock and the callbacks' Timestamps on one timeline;
    # a caller hanging up after 2 s during the greeting keeps this test short.
    began = time.monotonic()

    run = cli.invoke(args=["simulate", "--url", live_server.url, "--hangup-after", "2"])

    assert run.exit_code == 0, run.output
    assert time.monotonic() - began >= 1  # the clock starts at a whole second
    assert "+00:02 caller hangs up" in run.output
    assert run.output.count("+00:00 caller +33698765432 dials") == 1  # shown once, as it came
    assert "result: abandoned" in run.output
