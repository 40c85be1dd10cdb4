"""Every log line of a call carries its CallSid, as text or JSON."""

from __future__ import annotations

import json
import logging

from flask import Flask

from hotline.ops.logs import CallSidFilter, JsonFormatter, TextFormatter


def record_in_request(path: str, data: dict[str, str]) -> logging.LogRecord:
    app = Flask("t")
    record = logging.makeLogRecord(
        {
            "name": "hotline.voice",
            "msg": "ringing %s",
            "args": ("x",),
            "levelname": "INFO",
            "levelno": 20,
        }
    )
    with app.test_request_context(path, method="POST", data=data):
        CallSidFilter().filter(record)
    return record


def test_json_line_carries_the_parent_call_sid_of_a_leg_callback():
    record = record_in_request("/voice/leg-status?call=CAparent&pos=0", {"CallSid": "CLleg"})

    line = json.loads(JsonFormatter().format(record))

    assert line["call_sid"] == "CAparent"
    assert line["message"] == "ringing x"
    assert line["level"] == "INFO"
    assert line["logger"] == "hotline.voice"


def test_text_line_carries_the_call_sid_of_an_incoming_call():
    record = record_in_request("/voice/incoming", {"CallSid": "CA123"})

    assert "[CA123] ringing x" in TextFormatter().format(record)


def test_lines_outside_a_call_have_no_call_sid():
    record = logging.makeLogRecord({"name": "hotline", "msg": "started"})
    CallSidFilter().filter(record)

    assert json.loads(JsonFormatter().format(record))["call_sid"] is None
    assert "[-] started" in TextFormatter().format(record)
