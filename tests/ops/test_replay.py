"""`hotline replay-calls` writes the calls the fallback answered, from JSON or text logs."""

from __future__ import annotations

import json

from sqlalchemy import select

from hotline.voice.models import Call, Outcome


def fallback_message(path: str, form: dict[str, str]) -> str:
    params = json.dumps({"query": {}, "form": form})
    return f"webhook failed, answered with fallback: {path} {params}"


def test_replay_records_outage_calls_once_from_json_and_text_logs(runner, db_session, tmp_path):
    incoming = {"CallSid": "CAjson", "From": "+33698760001", "To": "+33184881234"}
    status = incoming | {
        "CallStatus": "completed",
        "CallDuration": "42",
        "Timestamp": "Fri, 27 Nov 2026 14:00:50 +0000",
    }
    json_log = tmp_path / "node-a.log"
    json_log.write_text(
        "\n".join(
            json.dumps({"time": at, "level": "ERROR", "message": fallback_message(path, form)})
            for at, path, form in (
                ("2026-11-27T14:00:05.123+00:00", "/voice/incoming", incoming),
                ("2026-11-27T14:00:50.000+00:00", "/voice/status", status),
                ("2026-11-27T14:00:20.000+00:00", "/voice/leg-status", {"CallSid": "CLx"}),
            )
        )
        + "\nnot json at all\n"
    )
    text_form = {"CallSid": "CAtext", "From": "+33698760002", "To": "+33184881234"}
    text_log = tmp_path / "node-b.log"
    text_log.write_text(
        "2026-11-27 15:01:02,250 ERROR hotline.voice [CAtext] "
        + fallback_message("/voice/incoming", text_form)
        + "\nTraceback (most recent call last):\n  ...\n"
    )

    first = runner.invoke(args=["replay-calls", str(json_log), str(text_log)])
    second = runner.invoke(args=["replay-calls", str(json_log), str(text_log)])

    assert first.exit_code == 0, first.output
    assert first.output == (
        "4 failed webhook(s) read: 2 call(s) recorded, 0 already recorded, "
        "1 final status(es) applied, 0 already applied; not replayed (the call's record "
        "already covers them): /voice/leg-status x1\n"
    )
    # Said as it is: the second run changes nothing.
    assert second.output.startswith(
        "4 failed webhook(s) read: 0 call(s) recorded, 2 already recorded, "
        "0 final status(es) applied, 1 already applied;"
    )
    calls = {c.call_sid: c for c in db_session.scalars(select(Call))}
    assert set(calls) == {"CAjson", "CAtext"}
    replayed = calls["CAjson"]
    assert replayed.outcome == Outcome.FAILED
    assert (replayed.from_number, replayed.to_number) == ("+33698760001", "+33184881234")
    assert replayed.started_at.isoformat() == "2026-11-27T14:00:05.123000+00:00"
    assert replayed.ended_at.isoformat() == "2026-11-27T14:00:50+00:00"
    assert replayed.duration == 42
    assert calls["CAtext"].from_number == "+33698760002"


def test_replay_of_a_log_without_fallbacks_changes_nothing(runner, db_session, tmp_path):
    log = tmp_path / "quiet.log"
    log.write_text('{"time": "2026-11-27T14:00:00+00:00", "message": "started"}\n')

    result = runner.invoke(args=["replay-calls", str(log)])

    assert result.exit_code == 0
    assert "nothing to replay" in result.output
    assert db_session.scalars(select(Call)).all() == []


JOURNAL_PREFIX = "Nov 27 14:00:05 node-a gunicorn[812]: "


def test_replay_reads_the_lines_the_webhooks_log_behind_journalctl_s_prefix(
    runner, db_session, tmp_path, caplog
):
    from hotline import create_app
    from hotline.ops.logs import JsonFormatter, TextFormatter
    from tests.conftest import TwilioClient, app_config

    # What a node really logs when its database is away, as journalctl shows it by default.
    app = create_app(app_config("postgresql://postgres@127.0.0.1:1/nowhere"))
    down = TwilioClient(app.test_client())
    incoming = {"CallSid": "CAjournal", "From": "+33698760003", "To": "+33184881234"}
    down.post("/voice/incoming", incoming)
    down.post("/voice/status", incoming | {"CallStatus": "completed", "CallDuration": "30"})
    down.post("/voice/incoming", incoming | {"CallSid": "CAtext"})
    json_lines, text_line = caplog.records[:2], caplog.records[2]
    log = tmp_path / "journal.log"
    log.write_text(
        "".join(JOURNAL_PREFIX + JsonFormatter().format(r) + "\n" for r in json_lines)
        + JOURNAL_PREFIX
        + TextFormatter().format(text_line).splitlines()[0]
        + "\n"
    )

    result = runner.invoke(args=["replay-calls", str(log)])

    assert result.exit_code == 0, result.output
    assert "3 failed webhook(s) read: 2 call(s) recorded" in result.output
    assert "1 final status(es) applied" in result.output
    calls = {c.call_sid: c for c in db_session.scalars(select(Call))}
    assert set(calls) == {"CAjournal", "CAtext"}
    assert calls["CAjournal"].duration == 30


def test_replay_warns_of_fallback_lines_it_cannot_read(runner, db_session, tmp_path):
    readable = {"CallSid": "CAok", "From": "+33698760004", "To": "+33184881234"}
    log = tmp_path / "cut.log"
    log.write_text(
        json.dumps(
            {
                "time": "2026-11-27T14:00:05+00:00",
                "message": fallback_message("/voice/incoming", readable),
            }
        )
        + "\n"
        # journald cut this one short: the call it names must not pass unnoticed.
        + JOURNAL_PREFIX
        + '{"time": "2026-11-27T14:00:06+00:00", "message": "webhook failed, answered with'
        + ' fallback: /voice/incoming {\\"form\\": {\\"CallSid\\": \\"CAcut\\", \\"Fr'
        + "\n"
    )

    result = runner.invoke(args=["replay-calls", str(log)])

    assert result.exit_code == 0, result.output
    assert (
        f"warning: 1 line(s) name a failed webhook but could not be read, their calls are "
        f"not replayed: {log}:2"
    ) in result.output
    assert "1 call(s) recorded" in result.output
