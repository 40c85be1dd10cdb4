"""The call record: what each webhook changes, idempotent and order-tolerant.

Twilio retries webhooks and does not order callbacks, so every function here
may run twice or out of order: timestamps are only ever filled once, an
outcome only moves up in rank, and a leg's own status is kept by sequence.
"""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import BindParameter, Connection, Insert, Table, bindparam, select, true, update
from sqlalchemy.orm import Session

from hotline.alerts import outbox as alert_outbox
from hotline.db import upsert_insert
from hotline.driver import DriverConnection, Prepared, driver_connection
from hotline.models import Hotline
from hotline.phone import InvalidPhoneNumber, to_e164
from hotline.planning.oncall import SLOT_CHAIN_COLUMNS, Chain, Route, chain_from, slot_chains
from hotline.voice.models import Call, CallAttempt, LegResult, Outcome, Voicemail
from hotline.voice.voicemails import is_message

TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
FALLBACK_NAME = "fallback"

# An outcome may only move up: a late "caller hung up" never hides an answer.
OUTCOME_RANK = {
    Outcome.RINGING: 0,
    Outcome.MISSED: 1,
    Outcome.ABANDONED: 1,
    Outcome.FAILED: 1,
    Outcome.VOICEMAIL: 2,
    Outcome.ANSWERED: 3,
}

LEG_RESULT_BY_STATUS = {
    "busy": LegResult.BUSY,
    "no-answer": LegResult.NO_ANSWER,
    "failed": LegResult.FAILED,
    "canceled": LegResult.CANCELED,
    "completed": LegResult.DECLINED,
}


class StepKind(StrEnum):
    DIAL = "dial"
    VOICEMAIL = "voicemail"
    HANGUP = "hangup"


@dataclass(frozen=True)
class Leg:
    """A ring leg to dial: its place in the chain and the number."""

    position: int
    number: str


@dataclass(frozen=True)
class Step:
    """What the caller's leg does next."""

    kind: StepKind
    leg: Leg | None = None


class CallFacts(Protocol):
    """What routing and TwiML need of a call: a Call row or a just-recorded NewCall."""

    @property
    def id(self) -> int: ...
    @property
    def call_sid(self) -> str: ...
    @property
    def from_number(self) -> str: ...
    @property
    def chain(self) -> list[dict[str, Any]]: ...
    @property
    def outcome(self) -> str: ...


@dataclass(frozen=True)
class NewCall:
    """A call open_call has just inserted, known without loading it back."""

    id: int
    call_sid: str
    from_number: str
    chain: list[dict[str, Any]]
    outcome: str = Outcome.RINGING


def bound_values(table: Table, fields: Sequence[str]) -> dict[str, BindParameter[Any]]:
    """One typed bind parameter per column of `fields`, named as the column."""
    return {name: bindparam(name, type_=table.c[name].type) for name in fields}


def insert_once(
    table: Table, keys: Sequence[str], fields: Sequence[str], returning: Sequence[str] = ()
) -> Prepared:
    """An INSERT of `fields` that does nothing when a row with the same `keys` exists.

    Twilio retries webhooks, so every row the call path writes is written once.
    """

    def build(dialect: str) -> Insert:
        statement = (
            upsert_insert(dialect, table)
            .values(bound_values(table, fields))
            .on_conflict_do_nothing(index_elements=keys)
        )
        if returning:
            return statement.returning(*(table.c[name] for name in returning))
        return statement.inline()  # no implicit RETURNING of the new id: nobody reads it

    return Prepared(build)


# The incoming-call path runs on every call: its statements are prepared once,
# and run on the driver (hotline.driver).
CALL_FIELDS = (
    "call_sid", "hotline_id", "from_number", "to_number", "started_at", "route", "slot_id",
    "chain", "outcome", "answered_by_id", "answered_position",
)  # fmt: skip
LEG_FIELDS = ("call_id", "position", "person_id", "number", "created_at", "result")
_calls, _legs = Call.__table__, CallAttempt.__table__
_hotlines = Hotline.__table__
_HOTLINE_BY_NUMBER = Prepared(select(_hotlines).where(_hotlines.c.number == bindparam("number")))
# The hotline and the slot chain at `at` in one statement, one round trip: the
# chain's columns first (nulls when no slot covers `at`), then the hotline's.
_chains = slot_chains(
    select(_hotlines.c.id).where(_hotlines.c.number == bindparam("number")).scalar_subquery()
).subquery("chains")
_ROUTE = Prepared(
    select(_chains, _hotlines)
    .select_from(_hotlines.outerjoin(_chains, true()))
    .where(_hotlines.c.number == bindparam("number"))
    .order_by(_chains.c.slot_kind, _chains.c.position)
)
_HotlineRow = namedtuple("_HotlineRow", _hotlines.c.keys())  # type: ignore[misc]
_INSERT_CALL = insert_once(_calls, ("call_sid",), CALL_FIELDS, returning=("id",))
_INSERT_LEG = insert_once(_legs, ("call_id", "position"), LEG_FIELDS)
_CALL_ROW_BY_SID = Prepared(select(_calls).where(_calls.c.call_sid == bindparam("call_sid")))
_CALL_BY_SID = select(Call).where(Call.call_sid == bindparam("call_sid"))


class HotlineSettings(Protocol):
    """What the call path reads of a hotline: a Hotline, or its row read on Core."""

    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def voice(self) -> str | None: ...
    @property
    def greeting(self) -> str | None: ...
    @property
    def ring_timeout(self) -> int: ...
    @property
    def screening(self) -> bool: ...
    @property
    def fallback_number(self) -> str | None: ...
    @property
    def voicemail_max_seconds(self) -> int: ...


def find_hotline(
    db: Session | Connection | DriverConnection, number: str
) -> HotlineSettings | None:
    """The hotline answering `number`: its row, as every incoming call reads it."""
    return _HOTLINE_BY_NUMBER.first(driver_connection(db), {"number": number})


def find_route(
    conn: DriverConnection, to_number: str, now: datetime
) -> tuple[HotlineSettings, Chain] | None:
    """The hotline a call is for and who is on call for it at `now`; None if unknown."""
    try:
        number = to_e164(to_number)
    except InvalidPhoneNumber:
        return None
    rows = _ROUTE.all(conn, {"number": number, "at": now})
    if not rows:
        return None
    hotline = _HotlineRow._make(rows[0][SLOT_CHAIN_COLUMNS:])
    return hotline, chain_from(conn, hotline.id, rows)


def find_call(session: Session, call_sid: str) -> Call | None:
    return session.scalar(_CALL_BY_SID, {"call_sid": call_sid})


def insert_call(db: Connection | DriverConnection, values: dict[str, Any]) -> int | None:
    """Insert the call row `values` (CALL_FIELDS); its id, None if Twilio sent it before."""
    return _INSERT_CALL.scalar(driver_connection(db), values)


def open_call(db: Connection | DriverConnection, values: dict[str, Any]) -> CallFacts:
    """Insert the call row `values`; a retry gets the call already recorded."""
    conn = driver_connection(db)
    new_id = insert_call(conn, values)
    if new_id is None:
        existing = _CALL_ROW_BY_SID.first(conn, {"call_sid": values["call_sid"]})
        assert existing is not None  # noqa: S101 - the conflicting row exists
        return existing
    return NewCall(new_id, values["call_sid"], values["from_number"], values["chain"])


def clipped(column: Any, value: str) -> str:
    """`value` cut to the length of `column` (an ORM attribute of a String column)."""
    return value[: _length(column.key)]


@functools.cache
def _length(key: str) -> int:
    # Read once: the ORM attribute's `.type` costs microseconds, and every call pays it.
    return Call.__table__.c[key].type.length


def record_unroutable_call(
    session: Session, *, call_sid: str, from_number: str, to_number: str, now: datetime
) -> Call:
    """Record a call that the emergency fallback had to take (unknown number, fault)."""
    call = find_call(session, call_sid)
    if call is not None:
        return call
    call = Call(
        call_sid=call_sid,
        # A known hotline's call taken while the database was away still counts
        # in that hotline's statistics.
        hotline_id=_hotline_id_for(session, to_number),
        from_number=clipped(Call.from_number, from_number),
        to_number=clipped(Call.to_number, to_number),
        started_at=now,
        route=Route.NOBODY,
        chain=[],
        outcome=Outcome.FAILED,
    )
    session.add(call)
    return call


def _hotline_id_for(session: Session, number: str) -> int | None:
    try:
        hotline = find_hotline(session, to_e164(number))
    except InvalidPhoneNumber:
        return None
    return hotline.id if hotline else None


def chain_snapshot(chain: Chain, hotline: HotlineSettings) -> list[dict[str, Any]]:
    """Freeze the chain as rung: the responders, then the hotline's fallback number."""
    # Ringing the hotline's own number would call the hotline again, in a loop;
    # the planning refuses it, this keeps any older record from doing it.
    entries = [
        {"person_id": r.person_id, "name": r.name, "number": r.number}
        for r in chain.responders
        if r.number != hotline.number
    ]
    numbers = {e["number"] for e in entries} | {hotline.number}
    if hotline.fallback_number and hotline.fallback_number not in numbers:
        fallback = {"person_id": None, "name": FALLBACK_NAME, "number": hotline.fallback_number}
        entries.append(fallback)
    return entries


def first_step(db: Session | Connection, call: CallFacts, now: datetime) -> Step:
    """Ring the head of the chain, or go straight to voicemail when there is none."""
    if call.outcome != Outcome.RINGING:
        return Step(StepKind.HANGUP)
    return _ring_or_voicemail(db, call, 0, now)


def attempt_at(session: Session, call: CallFacts, position: int) -> CallAttempt | None:
    return session.scalar(
        select(CallAttempt).where(CallAttempt.call_id == call.id, CallAttempt.position == position)
    )


def ring(
    db: Session | Connection | DriverConnection, call: CallFacts, position: int, now: datetime
) -> Leg | None:
    """Record the ring leg at `position` once; None past the chain's end."""
    if position < 0 or position >= len(call.chain):
        return None
    entry = call.chain[position]
    values = {
        "call_id": call.id,
        "position": position,
        "person_id": entry["person_id"],
        "number": entry["number"],
        "created_at": now,
        "result": LegResult.RINGING,
    }
    _INSERT_LEG.all(driver_connection(db), values)
    return Leg(position, entry["number"])


def record_dial_result(
    session: Session,
    call: Call,
    position: int,
    *,
    dial_status: str,
    bridged: bool,
    leg_sid: str | None,
    talk_seconds: int | None,
    caller_gone: bool,
    now: datetime,
) -> Step:
    """Record how a ring leg ended and decide the next step of the call."""
    if attempt_at(session, call, position) is None:
        ring(session, call, position, now)  # a leg we never saw start: keep its trace
    attempt = attempt_at(session, call, position)
    caller_gone = caller_gone or call.ended_at is not None
    if attempt is not None:
        if bridged or attempt.result != LegResult.REFUSED:  # a refusal said more
            attempt.result = _leg_result(dial_status, bridged, caller_gone)
        attempt.leg_sid = attempt.leg_sid or leg_sid
        if dial_status == "failed" and not bridged:
            alert_outbox.leg_failed(session, call, attempt)  # an outbox row, sent by the worker
        if bridged:
            attempt.talk_seconds = talk_seconds
            # Without screening nobody presses 1: the pick-up is the acceptance,
            # not this callback, which comes when the conversation is over.
            attempt.accepted_at = attempt.accepted_at or attempt.answered_at or now
    if bridged:
        if attempt is None:
            _settle(call, Outcome.ANSWERED)
        else:
            _answered_by(call, attempt)
        return Step(StepKind.HANGUP)
    if caller_gone:
        _settle(call, Outcome.ABANDONED)
        return Step(StepKind.HANGUP)
    if call.outcome != Outcome.RINGING:
        return Step(StepKind.HANGUP)
    return _ring_or_voicemail(session, call, position + 1, now)


def _ring_or_voicemail(
    db: Session | Connection, call: CallFacts, position: int, now: datetime
) -> Step:
    leg = ring(db, call, position, now)
    if leg is not None:
        return Step(StepKind.DIAL, leg)
    # On a Session this update also refreshes the loaded Call.
    db.execute(
        update(Call)
        .where(Call.id == call.id, Call.voicemail_offered_at.is_(None))
        .values(voicemail_offered_at=now)
    )
    return Step(StepKind.VOICEMAIL)


def _leg_result(dial_status: str, bridged: bool, caller_gone: bool) -> LegResult:
    if bridged:
        return LegResult.ACCEPTED
    if dial_status == "completed" and caller_gone:
        # The agent picked up but the caller left during the screening prompt:
        # nobody declined anything, so it must not count against the agent.
        return LegResult.CANCELED
    # A "completed" leg that was not bridged is a personal voicemail, a pocket
    # answer or an agent who did not press 1: never an answer.
    return LEG_RESULT_BY_STATUS.get(dial_status, LegResult.FAILED)


def accept_leg(session: Session, call: Call, position: int, now: datetime) -> bool:
    """Note that the agent at `position` pressed 1; False when the caller is gone."""
    attempt = attempt_at(session, call, position)
    if attempt is None or call.ended_at is not None:
        return False
    # Twilio stamps the leg's progress with its own clock and the key press has
    # only ours: an accept is never before the pick-up, whatever the skew.
    attempt.accepted_at = attempt.accepted_at or max(now, attempt.answered_at or now)
    return True


def refuse_leg(session: Session, call: Call, position: int) -> None:
    """Note that the agent at `position` pressed another key than 1: a refusal."""
    attempt = attempt_at(session, call, position)
    if attempt is None or call.ended_at is not None or attempt.accepted_at is not None:
        return  # the caller left first (nobody refused them) or 1 came first
    if attempt.result == LegResult.RINGING:
        attempt.result = LegResult.REFUSED


def record_leg_status(
    call: Call,
    attempt: CallAttempt,
    *,
    leg_sid: str | None,
    status: str,
    at: datetime,
    sequence: int | None,
) -> None:
    """Apply one status callback of a ring leg (initiated, ringing, answered, completed...)."""
    attempt.leg_sid = attempt.leg_sid or leg_sid
    # Each instant keeps the earliest report of it, so neither replays nor a
    # late "ringing" arriving after "answered" can move it.
    if status in ("ringing", "in-progress", "answered"):
        attempt.ring_started_at = _earliest(attempt.ring_started_at, at)
    if status in ("in-progress", "answered"):
        attempt.answered_at = _earliest(attempt.answered_at, at)
    if status in TERMINAL_STATUSES:
        attempt.ended_at = _earliest(attempt.ended_at, at)
        if attempt.result in (LegResult.RINGING, LegResult.NOT_DIALLED):
            accepted = status == "completed" and attempt.accepted_at is not None
            attempt.result = _leg_result(status, accepted, call.ended_at is not None)
    if _is_newer(attempt, status, sequence):
        attempt.twilio_status = status
        attempt.status_sequence = sequence


def _earliest(current: datetime | None, at: datetime) -> datetime:
    return at if current is None or at < current else current


def _is_newer(attempt: CallAttempt, status: str, sequence: int | None) -> bool:
    if attempt.twilio_status in TERMINAL_STATUSES and status not in TERMINAL_STATUSES:
        return False
    if sequence is None or attempt.status_sequence is None:
        return attempt.twilio_status not in TERMINAL_STATUSES or status in TERMINAL_STATUSES
    return sequence >= attempt.status_sequence


def record_call_status(call: Call, *, status: str, duration: int | None, at: datetime) -> None:
    """Apply the status callback of the caller's own leg."""
    if status not in TERMINAL_STATUSES:
        call.twilio_status = call.twilio_status or status
        return
    call.twilio_status = status
    call.ended_at = _earliest(call.ended_at, at)
    call.duration = call.duration if call.duration is not None else duration
    if call.outcome != Outcome.RINGING:
        return
    accepted = [a for a in call.attempts if a.accepted_at is not None]
    if accepted:
        # Someone pressed 1 while the caller was there, which bridges them: an
        # answer, even when the dial action that says so never reached us.
        if accepted[0].result == LegResult.RINGING:
            accepted[0].result = LegResult.ACCEPTED
        _answered_by(call, accepted[0])
        return
    ringing = [a for a in call.attempts if a.result == LegResult.RINGING]
    for attempt in ringing:
        dialled = attempt.leg_sid is not None or attempt.twilio_status is not None
        attempt.result = LegResult.CANCELED if dialled else LegResult.NOT_DIALLED
    if call.voicemail_offered_at is not None and not ringing:
        _settle(call, Outcome.MISSED)
    else:
        _settle(call, Outcome.ABANDONED)


def record_voicemail(
    session: Session,
    call: Call,
    *,
    recording_sid: str | None,
    recording_url: str | None,
    duration: int | None,
    status: str | None,
) -> Voicemail | None:
    """Store what Twilio tells of the message (Record action or recording callback).

    The call is a voicemail once Twilio confirms a message it kept, a missed call
    until then: the outcome the missed-call alert tells, in any order of callbacks.
    """
    voicemail = session.scalar(select(Voicemail).where(Voicemail.call_id == call.id))
    if voicemail is None and not (recording_sid or recording_url):
        return None  # nothing was recorded: no message to keep
    if voicemail is None:
        voicemail = Voicemail(call=call)
        session.add(voicemail)
    voicemail.recording_sid = voicemail.recording_sid or recording_sid
    voicemail.recording_url = voicemail.recording_url or recording_url
    if duration is not None and (voicemail.duration is None or voicemail.status != "completed"):
        voicemail.duration = duration
    if status and voicemail.status != "completed":
        voicemail.status = status
    if not is_message(voicemail):
        # The caller is through with the voicemail, and what they said is no
        # message until Twilio confirms it kept it: a missed call, as the alert
        # says when the confirmation never comes (the recording callback lost).
        _settle(call, Outcome.MISSED)
        return voicemail
    _settle(call, Outcome.VOICEMAIL)  # up from missed, whenever the confirmation comes
    # A missed-call alert already sent without the message is told of it.
    alert_outbox.message_confirmed(session, call)
    return voicemail


def _answered_by(call: Call, attempt: CallAttempt) -> None:
    _settle(call, Outcome.ANSWERED)
    call.answered_by_id = attempt.person_id
    call.answered_position = attempt.position


def _settle(call: Call, outcome: Outcome) -> None:
    if OUTCOME_RANK[outcome] > OUTCOME_RANK[Outcome(call.outcome)]:
        call.outcome = outcome
        alert_outbox.call_settled(call)  # missed/voicemail: an outbox row, sent by the worker
