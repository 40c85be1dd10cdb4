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
    assert "4 failed webhook(s) read: 2 call(s) recorded, 0 already recorded" in first.output
    assert "/voice/leg-status x1" in first.output
    assert "0 call(s) recorded, 2 already recorded" in second.output
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
