"""Properties of the call path, checked on generated signed webhooks.

Twilio never gets a 500 or silence, whatever it sends; and a call's records do
not depend on the order Twilio delivers its callbacks in, nor on its retries.
Each property runs a fixed, derandomized set of examples so CI is repeatable.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from hotline.alerts.models import AlertEvent
from hotline.voice.models import Call, CallAttempt, Voicemail
from tests.conftest import TwilioClient
from tests.voice.conftest import (
    T_FMT,
    WEBHOOKS,
    CallDriver,
    Team,
    attempts,
    leg_record,
    load_call,
)

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    # The app, its rolled-back transaction and the team are set up once per
    # test; each example works on calls of its own, under CallSids of its own.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The answer of these decides what the caller or the agent hears: never an empty one.
SPOKEN = frozenset({"/voice/incoming", "/voice/dial-result", "/voice/screen", "/voice/fallback"})
# These record a call Twilio names, even one that never reached its route.
RECORD_ANY_CALL = frozenset({"/voice/incoming", "/voice/status"})
PARAMETERS = (
    "CallSid",
    "From",
    "To",
    "CallStatus",
    "DialCallStatus",
    "DialBridged",
    "DialCallSid",
    "DialCallDuration",
    "Digits",
    "RecordingDuration",
    "RecordingUrl",
    "RecordingSid",
    "RecordingStatus",
    "SequenceNumber",
    "Timestamp",
    "CallDuration",
    "ParentCallSid",
    "ErrorCode",
)
TWILIO_WORDS = (
    "completed",
    "busy",
    "no-answer",
    "failed",
    "canceled",
    "in-progress",
    "ringing",
    "answered",
    "true",
    "false",
    "absent",
    "hangup",
    "1",
    "2",
    "0",
    "-1",
    "+33184881234",
    "+33699887766",
    "anonymous",
)
# Every character a form can carry (no lone surrogates), some of them a lot.
any_text = st.text(max_size=40)
long_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=65, max_size=700)
odd_numbers = st.one_of(
    st.integers().map(str),
    st.sampled_from(["--5", "+7", "²", "١٢", " 12 ", "1e3", "0x10", "9" * 5000, str(2**31)]),
)
odd_times = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda t: t.strftime("%a, %d %b %Y %H:%M:%S %z")),
    st.sampled_from(["Fri, 31 Dec 9999 23:59:59 -0100", "Mon, 01 Jan 0001 00:30:00 +0100"]),
)
any_value = st.one_of(
    st.just(""), st.sampled_from(TWILIO_WORDS), any_text, long_text, odd_numbers, odd_times
)


def row_counts(connection: Connection) -> tuple[int, ...]:
    """How many rows of each table the call path writes."""
    return tuple(
        connection.scalar(select(func.count()).select_from(model))
        for model in (Call, CallAttempt, Voicemail, AlertEvent)
    )


@pytest.fixture
def call_sids() -> Iterator[str]:
    """A new CallSid per example: its leg sids (CallDriver.leg_sid) never collide."""
    return (f"CA{n:030x}ff" for n in itertools.count(1))


@pytest.fixture
def recorded(driver: CallDriver) -> CallDriver:
    """A call already recorded and ringing its primary."""
    driver.incoming()
    return driver


def is_recorded(connection: Connection, call_sid: str) -> bool:
    if "\x00" in call_sid:
        return False  # no text column of PostgreSQL holds one, so no CallSid either
    return connection.scalar(select(Call.id).where(Call.call_sid == call_sid)) is not None


def twiml_root(response: Any) -> ElementTree.Element:
    """The TwiML document answered, checked to be one."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/xml"
    body = response.get_data(as_text=True)
    root = ElementTree.fromstring(body)  # noqa: S314 - our own answer, parsed in a test
    assert root.tag == "Response", body
    return root


@st.composite
def webhooks(draw: st.DrawFn, known_sid: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """A path, its form and its query: any mix of missing, empty and odd values."""
    path = draw(st.sampled_from(WEBHOOKS))
    names = draw(st.sets(st.sampled_from(PARAMETERS)))
    form = {name: draw(any_value) for name in sorted(names)}
    if draw(st.booleans()):
        form["CallSid"] = known_sid
    query: dict[str, str] = {}
    if draw(st.booleans()):
        query["call"] = draw(st.one_of(st.just(known_sid), any_value))
    if draw(st.booleans()):
        query["pos"] = draw(st.one_of(st.sampled_from(["0", "1", "2", "3"]), any_value))
    return path, form, query


@EXAMPLES
@given(data=st.data())
def test_any_signed_webhook_answers_twiml_and_a_stray_one_writes_nothing(
    twilio: TwilioClient, recorded: CallDriver, connection: Connection, data: st.DataObject
):
    path, form, query = data.draw(webhooks(recorded.call_sid))
    # Each example is undone: on PostgreSQL a statement that failed (as
    # intended, on a value too long for its column) would otherwise spoil the
    # test's transaction, where in production it fails on a connection of its own.
    example = connection.begin_nested()
    try:
        # Which call the webhook names, as the views read it.
        if path in RECORD_ANY_CALL:
            stray = not form.get("CallSid")
        else:
            named = query.get("call") or form.get("CallSid", "")
            stray = path == "/voice/fallback" or not is_recorded(connection, named)
        before = row_counts(connection)

        root = twiml_root(twilio.post(path, form, query))

        if path in SPOKEN:
            assert len(root), f"{path} answered silence"
        if stray:
            assert row_counts(connection) == before
    finally:
        example.rollback()


# Caller IDs as carriers pass them on: printable text of any script and length.
caller_ids = st.one_of(
    st.sampled_from(["anonymous", "client:alice", "sip:" + "a" * 40 + "@pbx.example.org"]),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=120),
)


@EXAMPLES
@given(caller=caller_ids)
def test_an_incoming_call_rings_the_primary_whoever_the_caller_id_says(
    twilio: TwilioClient, team: Team, db_session: Session, call_sids: Iterator[str], caller: str
):
    # Twilio passes the caller ID on as the carrier gave it: a number, but also
    # "anonymous", a SIP address or a client name.
    driver = CallDriver(twilio, team.hotline, call_sid=next(call_sids), caller=caller)

    answer = driver.incoming()

    assert f">{team.people[0].mobile}</Number>" in answer
    call = load_call(db_session, driver.call_sid)
    assert len(attempts(db_session, call)) == 1
    assert "<Gather" in driver.screen(0)


NUMERIC = ("DialCallDuration", "CallDuration", "RecordingDuration", "SequenceNumber")


@st.composite
def callbacks_with_odd_numbers(draw: st.DrawFn, driver: CallDriver) -> tuple[str, dict, dict]:
    """A genuine callback of `driver`'s call whose numbers and time say anything."""
    path = draw(
        st.sampled_from(
            ["/voice/dial-result", "/voice/leg-status", "/voice/status", "/voice/voicemail-done"]
            + ["/voice/recording"]
        )
    )
    sid = driver.leg_sid(0) if path == "/voice/leg-status" else driver.call_sid
    form = {
        "CallSid": sid,
        "DialCallSid": driver.leg_sid(0),
        "DialCallStatus": draw(st.sampled_from(["no-answer", "busy", "completed"])),
        "CallStatus": draw(st.sampled_from(["ringing", "in-progress", "completed"])),
        "RecordingUrl": "https://api.twilio.com/rec/RE1",
        "RecordingStatus": draw(st.sampled_from(["in-progress", "completed"])),
        "Timestamp": draw(odd_times),
    }
    form.update({name: draw(odd_numbers) for name in NUMERIC})
    return path, form, {"call": driver.call_sid, "pos": "0"}


@EXAMPLES
@given(data=st.data())
def test_odd_numbers_and_times_are_read_as_absent_not_failed(
    twilio: TwilioClient,
    team: Team,
    call_sids: Iterator[str],
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
):
    driver = CallDriver(twilio, team.hotline, call_sid=next(call_sids))
    driver.incoming()
    path, form, query = data.draw(callbacks_with_odd_numbers(driver))
    caplog.clear()
    caplog.set_level(logging.ERROR, logger="hotline.voice")

    twiml_root(twilio.post(path, form, query))

    # A number Twilio never sends is no reason to drop the rest of the callback.
    assert not [r.getMessage() for r in caplog.records if r.name == "hotline.voice"]


# --- Replays and reordering -------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One webhook of a call: a CallDriver method and its arguments.

    `after` is the index of the synchronous step that makes Twilio send it:
    a leg's status callbacks follow the step that dialled the leg, the caller's
    status callback the last step. Synchronous steps (`after` None) are
    requests Twilio waits on the answer of, so they come in order.
    """

    method: str
    args: tuple[Any, ...] = ()
    after: int | None = None

    def send(self, driver: CallDriver) -> None:
        getattr(driver, self.method)(*self.args)


def sync(method: str, *args: Any) -> Message:
    return Message(method, args)


def leg(after: int, pos: int, status: str, seq: int, second: int) -> Message:
    return Message("leg", (pos, status, seq, T_FMT.format(second)), after)


def status(after: int, duration: int) -> Message:
    return Message("status", ("completed", duration), after)


SCENARIOS: dict[str, list[Message]] = {
    # Primary rings out, the first backup accepts.
    "answered by a backup": [
        sync("incoming"),
        sync("dial_result", 0, "no-answer", False),
        sync("screen", 1),
        sync("press", 1, "1"),
        sync("dial_result", 1, "completed", True, "in-progress", 23),
        leg(0, 0, "initiated", 0, 1),
        leg(0, 0, "ringing", 1, 2),
        leg(0, 0, "no-answer", 2, 22),
        leg(1, 1, "ringing", 0, 23),
        leg(1, 1, "answered", 1, 27),
        leg(3, 1, "completed", 2, 50),  # the conversation ends with the dial action
        status(4, 50),
    ],
    # Nobody answers: the caller leaves a message Twilio keeps.
    "voicemail": [
        sync("incoming"),
        sync("dial_result", 0, "no-answer", False),
        sync("dial_result", 1, "busy", False),
        sync("dial_result", 2, "no-answer", False),
        sync("voicemail_done", 9),
        leg(0, 0, "ringing", 0, 0),
        leg(0, 0, "no-answer", 1, 19),
        leg(1, 1, "ringing", 0, 20),
        leg(1, 1, "busy", 1, 39),
        leg(2, 2, "ringing", 0, 40),
        leg(2, 2, "no-answer", 1, 59),
        Message("recording", (9,), 3),
        status(3, 80),  # the caller hangs up to end the message: the Record action comes too
    ],
    # The primary refuses, the first backup's voicemail picks up, the caller leaves.
    "refused then abandoned": [
        sync("incoming"),
        sync("screen", 0),
        sync("press", 0, "2"),
        sync("dial_result", 0, "completed", False),
        sync("screen", 1),
        sync("dial_result", 1, "completed", False, "completed"),
        leg(0, 0, "ringing", 0, 1),
        leg(0, 0, "in-progress", 1, 5),
        leg(2, 0, "completed", 2, 9),  # the key press hangs the leg up
        leg(3, 1, "ringing", 0, 10),
        leg(3, 1, "in-progress", 1, 14),
        # The caller hangs up during the prompt: all three at once.
        leg(4, 1, "completed", 2, 20),
        status(4, 20),
    ],
    # The primary accepts; the caller ends the conversation, so the dial action
    # and both status callbacks are sent at once.
    "answered, the caller hangs up": [
        sync("incoming"),
        sync("screen", 0),
        sync("press", 0, "1"),
        sync("dial_result", 0, "completed", True, "completed", 40),
        leg(0, 0, "ringing", 0, 1),
        leg(0, 0, "answered", 1, 6),
        leg(2, 0, "completed", 2, 50),
        status(2, 52),
    ],
    # Nobody answers and Twilio could not keep the message.
    "message lost": [
        sync("incoming"),
        sync("dial_result", 0, "busy", False),
        sync("dial_result", 1, "no-answer", False),
        sync("dial_result", 2, "failed", False),
        sync("voicemail_done", 12),
        leg(0, 0, "busy", 0, 3),
        leg(1, 1, "no-answer", 0, 23),
        leg(2, 2, "failed", 0, 24),
        Message("recording", (12, "failed"), 3),
        status(3, 40),
    ],
    # The caller hangs up while the primary's phone rings.
    "abandoned while ringing": [
        sync("incoming"),
        sync("dial_result", 0, "canceled", False, "completed"),
        leg(0, 0, "initiated", 0, 1),
        leg(0, 0, "ringing", 1, 2),
        leg(0, 0, "canceled", 2, 8),
        status(0, 8),
    ],
}


@st.composite
def deliveries(draw: st.DrawFn, messages: list[Message]) -> list[Message]:
    """The messages as Twilio may deliver them: callbacks late and reordered, some twice."""
    steps = [m for m in messages if m.after is None]
    slots: list[list[Message]] = [[] for _ in steps]  # what arrives after each step
    callbacks = draw(st.permutations([m for m in messages if m.after is not None]))
    for message in callbacks:
        assert message.after is not None
        slots[draw(st.integers(message.after, len(steps) - 1))].append(message)
    order = [m for step, late in zip(steps, slots, strict=True) for m in (step, *late)]
    for _ in range(draw(st.integers(0, 4))):  # retries, any time after the first try
        first = draw(st.integers(0, len(order) - 1))
        order.insert(draw(st.integers(first + 1, len(order))), order[first])
    return order


def in_order(messages: list[Message]) -> list[Message]:
    """Each callback as soon as Twilio sends it, right after the step that causes it."""
    steps = [m for m in messages if m.after is None]
    return [
        m for i, step in enumerate(steps) for m in (step, *(c for c in messages if c.after == i))
    ]


def call_record(session: Session, call_sid: str) -> list[Any]:
    """What the records say of a call, without what differs between two calls (ids, sids)."""
    call = load_call(session, call_sid)
    legs = [(a.leg_sid is not None, *leg_record(a)) for a in attempts(session, call)]
    voicemail = call.voicemail and (
        call.voicemail.recording_sid is not None,
        call.voicemail.recording_url,
        call.voicemail.duration,
        call.voicemail.status,
    )
    alerts = sorted(
        session.scalars(select(AlertEvent.kind).where(AlertEvent.call_id == call.id)).all()
    )
    return [
        call.outcome,
        call.answered_by_id,
        call.answered_position,
        call.ended_at,
        call.duration,
        call.twilio_status,
        call.voicemail_offered_at is not None,
        legs,
        voicemail,
        alerts,
    ]


def play(twilio: TwilioClient, team: Team, call_sid: str, messages: list[Message]) -> CallDriver:
    recording_sid = "RE" + call_sid[2:]  # unique, as the call's own
    driver = CallDriver(twilio, team.hotline, call_sid=call_sid, recording_sid=recording_sid)
    for message in messages:
        message.send(driver)
    return driver


@pytest.fixture
def in_order_record(
    twilio: TwilioClient, team: Team, db_session: Session, call_sids: Iterator[str]
) -> Callable[[str], list[Any]]:
    """The records of each scenario played in order, once per test."""
    records: dict[str, list[Any]] = {}

    def record(scenario: str) -> list[Any]:
        if scenario not in records:
            driver = play(twilio, team, next(call_sids), in_order(SCENARIOS[scenario]))
            records[scenario] = call_record(db_session, driver.call_sid)
        return records[scenario]

    return record


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@EXAMPLES
@given(data=st.data())
def test_callbacks_late_reordered_and_retried_leave_the_in_order_records(
    twilio: TwilioClient,
    team: Team,
    db_session: Session,
    call_sids: Iterator[str],
    in_order_record: Callable[[str], list[Any]],
    scenario: str,
    data: st.DataObject,
):
    expected = in_order_record(scenario)
    delivered = data.draw(deliveries(SCENARIOS[scenario]))

    driver = play(twilio, team, next(call_sids), delivered)

    assert call_record(db_session, driver.call_sid) == expected


# --- What the properties found, as plain regressions -----------------------------


def test_a_signed_query_with_escaped_non_ascii_characters_is_accepted(recorded, twilio):
    # Twilio signs the URL as it called it, %-escapes included.
    query = {"call": recorded.call_sid, "pos": 0, "note": "appel reçu"}

    response = twilio.post("/voice/leg-status", {"CallStatus": "ringing"}, query)

    assert response.status_code == 200


def test_a_caller_id_longer_than_a_number_still_rings_the_primary(twilio, team, db_session):
    caller = "sip:astreinte-informatique-nuit@pbx.example.org"
    driver = CallDriver(twilio, team.hotline, caller=caller)

    answer = driver.incoming()

    assert f">{team.people[0].mobile}</Number>" in answer
    assert caller.startswith(load_call(db_session, driver.call_sid).from_number)


def test_a_malformed_duration_still_ends_the_call(recorded, db_session):
    recorded.post(
        "/voice/status",
        {"CallSid": recorded.call_sid, "CallStatus": "completed", "CallDuration": "--5"},
    )

    call = load_call(db_session, recorded.call_sid)
    assert call.ended_at is not None
    assert call.duration is None


def test_a_leg_status_stamped_at_the_end_of_the_calendar_still_counts(recorded, db_session):
    recorded.leg(0, "ringing", 1, "Fri, 31 Dec 9999 23:59:59 -0100")

    [attempt] = attempts(db_session, load_call(db_session, recorded.call_sid))
    assert attempt.twilio_status == "ringing"
    assert attempt.ring_started_at is not None
